#include "claim.h"

#include "buf.h"
#include "codec.h"
#include "err.h"
#include "fsutil.h"
#include "hash.h"
#include "log.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CLAIM_FORMAT "cdcpack-chain/1"
/* Outside both prefixes: consumers, who take every object below the final
 * prefix for an archive, never see it, and a lifecycle rule that expires
 * the temp prefix never removes it. */
#define CLAIM_FOLDER "_cdcpack/claims/"

char *claim_key(const struct config *cfg)
{
	return xasprintf(CLAIM_FOLDER "%s%s.json", cfg->final_prefix, cfg->source_name);
}

static bool chain_id_ok(const char *s)
{
	if (!s || strlen(s) != CHAIN_ID_LEN)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* A claim names its format, a source name and a chain id, nothing else
 * counts as one: a bucket writer cannot make us take a stranger for it.
 * want: the source the claim must name (NULL: any; *source gets it). */
static int parse_claim(const char *path, const char *key, const char *want, char **source,
		       char chain[CHAIN_ID_LEN + 1])
{
	json_error_t je;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	const char *format = json_string_value(json_object_get(j, "format"));
	const char *named = json_string_value(json_object_get(j, "source"));
	const char *id = json_string_value(json_object_get(j, "chain"));
	int rc = 0;
	if (!format || strcmp(format, CLAIM_FORMAT) != 0 || !named ||
	    (want && strcmp(named, want) != 0) || !chain_id_ok(id))
		rc = err_set(CDC_ERUNTIME,
			     "%s: not a chain claim%s%s%s (cdcpack writes {\"format\": "
			     "\"" CLAIM_FORMAT "\", \"source\": ..., \"chain\": 32 hex digits}); "
			     "move it away if it is not cdcpack's, then run again",
			     key, want ? " of source '" : "", want ? want : "", want ? "'" : "");
	else
		memcpy(chain, id, CHAIN_ID_LEN + 1);
	if (!rc && source)
		*source = xstrdup(named);
	json_decref(j);
	return rc;
}

/* The claim at key into chain ("" when none is there) and, with source, the
 * source it names. One GET, which says "absent" as a HEAD would: every run
 * and apply reads the claim, and a HEAD before it was a request more each
 * time on S3. */
static int read_claim(const struct target_ops *ops, struct target *tgt, const char *key,
		      const char *want, const char *scratch, char **source,
		      char chain[CHAIN_ID_LEN + 1])
{
	char *path = xasprintf("%s/claim.read", scratch);
	chain[0] = '\0';
	int rc = ops->get_file(tgt, key, path);
	if (rc == CDC_ENOTFOUND) {
		err_clear();
		rc = 0;
	} else if (!rc) {
		rc = parse_claim(path, key, want, source, chain);
	}
	unlink(path);
	free(path);
	return rc;
}

int claim_read(const struct target_ops *ops, struct target *tgt, const struct config *cfg,
	       const char *scratch, char chain[CHAIN_ID_LEN + 1])
{
	char *key = claim_key(cfg);
	int rc = read_claim(ops, tgt, key, cfg->source_name, scratch, NULL, chain);
	free(key);
	return rc;
}

/* The object at temp holds the claim put there (info): checked before it
 * is copied to the claim key, where a damaged claim would stop every run
 * of the chain until a person moved it away. The claim is small: read
 * back and hashed. */
static int check_put(const struct target_ops *ops, struct target *tgt, const char *temp,
		     const char *scratch, const struct object_info *info)
{
	char *path = xasprintf("%s/claim.check", scratch);
	char sum[HASH_HEX_LEN + 1];
	int64_t size = 0;
	int rc = ops->get_file(tgt, temp, path);
	if (!rc)
		rc = hash_file(path, sum, &size);
	if (!rc && (size != info->size || strcmp(sum, info->xxh128) != 0)) {
		ops->remove(tgt, temp); /* best effort: the next run writes it again */
		err_clear();
		rc = err_set(CDC_ERUNTIME,
			     "%s: the store kept other bytes than the claim written there (%lld "
			     "bytes, not %lld); nothing was claimed: run again",
			     temp, (long long)size, (long long)info->size);
	}
	unlink(path);
	free(path);
	return rc;
}

/* Writes our claim beside the claim key (named for our chain, so that two
 * chains never write one object) and copies it to the claim key at most
 * once: CDC_EEXISTS when a claim is there already. */
static int write_claim(const struct target_ops *ops, struct target *tgt, const struct config *cfg,
		       const char *scratch, const char *chain, const char *final)
{
	char *path = xasprintf("%s/claim.new", scratch);
	size_t stem = strlen(final) - strlen(".json");
	char *temp = xasprintf("%.*s.%s.json", (int)stem, final, chain);
	json_t *j = json_pack("{s:s, s:s, s:s}", "format", CLAIM_FORMAT, "source", cfg->source_name,
			      "chain", chain);
	struct object_info info = {.not_archive = true};
	int rc = 0;
	if (json_dump_file(j, path, JSON_INDENT(2)) != 0)
		rc = err_set(CDC_ERUNTIME, "%s: cannot write", path);
	if (!rc)
		rc = hash_file(path, info.xxh128, &info.size);
	if (!rc)
		rc = ops->put_file(tgt, temp, path, &info);
	if (!rc)
		rc = check_put(ops, tgt, temp, scratch, &info);
	if (!rc)
		rc = ops->copy(tgt, temp, final, &info);
	bool there = rc == CDC_EEXISTS;
	if (there) {
		err_clear();
		rc = 0;
	}
	if (!rc)
		rc = ops->remove(tgt, temp);
	if (!rc && !there)
		log_info("claimed for source '%s', chain %s: %s", cfg->source_name, chain, final);
	unlink(path);
	json_decref(j);
	free(path);
	free(temp);
	return rc;
}

char *claim_lake_key(const struct config *cfg)
{
	return cfg->lake_prefix ? xasprintf(CLAIM_FOLDER "lake/%s%s.json", cfg->lake_prefix,
					    cfg->lake_schema)
				: NULL;
}

/* The lake's <schema> folder belongs to the first source that wrote it: a
 * second one (a MySQL database of the same name on another server, or a
 * SQLite source named like it) would collide on its keys (LOAD00000001.csv
 * of a table both have) and stop, or mix its rows into the first's. */
static int take_lake(const struct target_ops *ops, struct target *tgt, const struct config *cfg,
		     const char *scratch, const char *chain, bool write)
{
	char *key = claim_lake_key(cfg), *owner = NULL;
	char have[CHAIN_ID_LEN + 1];
	int rc = key ? read_claim(ops, tgt, key, NULL, scratch, &owner, have) : 0;
	if (!rc && key && !have[0] && write) {
		rc = write_claim(ops, tgt, cfg, scratch, chain, key);
		if (!rc)
			rc = read_claim(ops, tgt, key, NULL, scratch, &owner, have);
	}
	if (!rc && owner && strcmp(owner, cfg->source_name) != 0) {
		/* the claim's source is any string a bucket writer put there */
		char shown[NAME_SHOWN_SHORT_SIZE];
		rc = err_set(
			CDC_ERUNTIME,
			"[lake] prefix: the lake folder %s%s/ at %s belongs to source '%s' (%s), "
			"not '%s': two sources writing one lake folder would collide on its "
			"keys. Give this source its own [lake] prefix; nothing was done",
			cfg->lake_prefix, cfg->lake_schema, cfg->target_url,
			name_shown_short_in(shown, owner), key, cfg->source_name);
	}
	free(owner);
	free(key);
	return rc;
}

int claim_take(const struct target_ops *ops, struct target *tgt, const struct config *cfg,
	       const char *scratch, const char *chain, bool write, bool *ours)
{
	char have[CHAIN_ID_LEN + 1];
	*ours = false;
	int rc = fs_mkdirs(scratch, 0700);
	if (!rc)
		rc = take_lake(ops, tgt, cfg, scratch, chain, write);
	if (!rc)
		rc = claim_read(ops, tgt, cfg, scratch, have);
	if (!rc && !have[0] && !write)
		return 0;
	char *key = claim_key(cfg);
	if (!rc && !have[0]) {
		rc = write_claim(ops, tgt, cfg, scratch, chain, key);
		/* Read back: of two chains claiming at once, the one whose claim
		 * the store kept wins, whatever each was told. */
		if (!rc)
			rc = claim_read(ops, tgt, cfg, scratch, have);
	}
	*ours = !rc && strcmp(have, chain) == 0;
	if (!rc && !*ours)
		rc = err_set(
			CDC_ERUNTIME,
			"%s: source name '%s' belongs to another chain at %s %s (%s), not this "
			"state dir's (%s): another database or state dir publishes under that "
			"name, and two chains under one name would interleave their batches for "
			"every consumer. Give this source its own [source] name (README: "
			"Recovery, start another chain) or its own [target] final_prefix or "
			"bucket, or run with that chain's state dir; nothing was done",
			cfg->state_dir, cfg->source_name, cfg->target_url, key, have, chain);
	free(key);
	return rc;
}
