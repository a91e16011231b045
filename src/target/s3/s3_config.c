#include "s3_config.h"

#include "strv.h"

#include <stdlib.h>
#include <string.h>

static int set_part_size(struct config *cfg, const char *v, struct buf *why)
{
	int64_t n;
	if (parse_size(v, &n))
		buf_addf(why, "'%s' is not a size (like 16M)", v);
	else if (n < (5 << 20) || n > (5LL << 30))
		buf_addf(why, "'%s' is outside S3's part size limits (5M to 5G)", v);
	else
		cfg->part_size = n;
	return why->len ? -1 : 0;
}

/* value, one of names (NULL-terminated) or "" (unset), into *slot; else why
 * says it is not one of them, as spelt by want. */
static int set_named(char **slot, const char *v, const char *const *names, const char *want,
		     struct buf *why)
{
	int i;
	if (*v && parse_enum(v, names, &i)) {
		buf_addf(why, "'%s' is not %s", v, want);
		return -1;
	}
	config_set_str(slot, v);
	return 0;
}

/* The object settings: an empty value leaves one unset, as the README's
 * reference spells it. */
static int set_sse(struct config *cfg, const char *v, struct buf *why)
{
	static const char *const sse[] = {"none", "AES256", "aws:kms", NULL};
	int i = 0;
	if (*v && parse_enum(v, sse, &i)) {
		buf_addf(why, "'%s' is not none, AES256 or aws:kms", v);
		return -1;
	}
	config_set_str(&cfg->sse, i ? v : ""); /* none: unset */
	return 0;
}

static int set_sse_kms_key_id(struct config *cfg, const char *v, struct buf *why)
{
	if (strpbrk(v, " \t\"\\")) {
		buf_addf(why, "'%s' is not a KMS key id, alias or ARN", v);
		return -1;
	}
	config_set_str(&cfg->sse_kms_key_id, v);
	return 0;
}

static int set_bucket_key(struct config *cfg, const char *v, struct buf *why)
{
	bool b;
	if (!*v) {
		cfg->bucket_key = -1;
		return 0;
	}
	if (parse_bool(v, &b)) {
		buf_addf(why, "'%s' is not true or false", v);
		return -1;
	}
	cfg->bucket_key = b;
	return 0;
}

static int set_storage_class(struct config *cfg, const char *v, struct buf *why)
{
	/* GLACIER and DEEP_ARCHIVE are left out: apply and verify read archives back at once. */
	static const char *const classes[] = {
		"STANDARD",   "STANDARD_IA",	    "ONEZONE_IA", "INTELLIGENT_TIERING",
		"GLACIER_IR", "REDUCED_REDUNDANCY", NULL};
	return set_named(&cfg->storage_class, v, classes,
			 "STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR or "
			 "REDUCED_REDUNDANCY",
			 why);
}

static int set_acl(struct config *cfg, const char *v, struct buf *why)
{
	/* no public ACLs: archives hold database rows */
	static const char *const acls[] = {"private", "bucket-owner-read",
					   "bucket-owner-full-control", NULL};
	return set_named(&cfg->acl, v, acls,
			 "private, bucket-owner-read or bucket-owner-full-control", why);
}

static int set_expected_bucket_owner(struct config *cfg, const char *v, struct buf *why)
{
	if (*v && (strlen(v) != 12 || strspn(v, "0123456789") != 12)) {
		buf_addf(why, "'%s' is not a 12-digit AWS account id", v);
		return -1;
	}
	config_set_str(&cfg->expected_bucket_owner, v);
	return 0;
}

/* One "k=v" of tags, pushed onto tags: S3's limits (keys 1-128 and values
 * 0-256 of letters, digits, spaces and + - = . _ : / @; no aws: keys, no
 * repeats). */
static void add_tag(struct strv *tags, const char *item, struct buf *why)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				 " +-=._:/@";
	const char *eq = strchr(item, '=');
	size_t klen = eq ? (size_t)(eq - item) : 0;
	while (klen && item[klen - 1] == ' ')
		klen--;
	const char *val = eq ? eq + 1 : "";
	while (*val == ' ')
		val++;
	char *key = xstrndup(item, klen);
	if (!eq || klen == 0 || klen > 128 || strlen(val) > 256 || strspn(key, ok) < klen ||
	    strspn(val, ok) < strlen(val))
		buf_addf(why,
			 "'%s' is not key=value (keys 1-128, values 0-256 of letters, "
			 "digits, spaces, + - = . _ : / @)",
			 item);
	else if (strncmp(key, "aws:", 4) == 0 || strv_contains(tags, key))
		buf_addf(why, "tag '%s' is reserved (aws:) or given twice", key);
	strv_push_owned(tags, key);
	strv_push(tags, val);
}

/* tags = k=v, k2=v2: at most S3's 10 tags. */
static int set_tags(struct config *cfg, const char *v, struct buf *why)
{
	struct strv items = {0}, tags = {0};
	if (*v)
		strv_split_commas(&items, v);
	if (items.n > 10)
		buf_addf(why, "'%s' has more than S3's 10 tags", v);
	for (size_t i = 0; !why->len && i < items.n; i++)
		add_tag(&tags, items.v[i], why);
	strv_free(&items);
	strv_free(why->len ? &tags : &cfg->tags);
	if (!why->len)
		cfg->tags = tags;
	return why->len ? -1 : 0;
}

const struct config_key s3_config_keys[] = {
	{"part_size", set_part_size},
	{"sse", set_sse},
	{"sse_kms_key_id", set_sse_kms_key_id},
	{"bucket_key", set_bucket_key},
	{"storage_class", set_storage_class},
	{"tags", set_tags},
	{"acl", set_acl},
	{"expected_bucket_owner", set_expected_bucket_owner},
	{NULL, NULL},
};
