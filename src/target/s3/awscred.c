#include "awscred.h"

#include "buf.h"
#include "err.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* A credentials file is a few hundred bytes; anything this big is not one. */
#define CRED_FILE_MAX (1 << 20)

static void wipe_free(char *s)
{
	if (s)
		OPENSSL_cleanse(s, strlen(s));
	free(s);
}

void awscred_free(struct awscred *c)
{
	if (!c)
		return;
	free(c->access_key);
	wipe_free(c->secret_key);
	wipe_free(c->session_token);
	free(c->origin);
	memset(c, 0, sizeof(*c));
}

static const char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* "[name]" -> does it name profile? (The config file's "[profile name]" form
 * is accepted too, as the AWS CLI does for credentials files.) */
static int header_matches(const char *line, const char *profile)
{
	size_t n = strlen(line);
	if (n < 2 || line[n - 1] != ']')
		return 0;
	char *name = xstrndup(line + 1, n - 2);
	const char *t = trim(name);
	if (strncmp(t, "profile ", 8) == 0)
		t = trim((char *)t + 8);
	int match = strcmp(t, profile) == 0;
	free(name);
	return match;
}

void awscred_copy(struct awscred *dst, const struct awscred *src)
{
	dst->access_key = src->access_key ? xstrdup(src->access_key) : NULL;
	dst->secret_key = src->secret_key ? xstrdup(src->secret_key) : NULL;
	dst->session_token = src->session_token ? xstrdup(src->session_token) : NULL;
	dst->origin = src->origin ? xstrdup(src->origin) : NULL;
	dst->expires = src->expires;
}

const char *awscred_kv(const struct strv *kv, const char *key)
{
	for (size_t i = 0; i + 1 < kv->n; i += 2)
		if (strcasecmp(kv->v[i], key) == 0)
			return kv->v[i + 1];
	return NULL;
}

void awscred_kv_free(struct strv *kv)
{
	for (size_t i = 1; i < kv->n; i += 2)
		OPENSSL_cleanse(kv->v[i], strlen(kv->v[i]));
	strv_free(kv);
}

void awscred_buf_wipe(struct buf *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->cap);
	buf_free(b);
}

/* One line of the INI text; *state: 0 before any section, 1 in profile, 2 in another. */
static void parse_line(struct strv *kv, char *raw, const char *profile, int *state)
{
	const char *line = trim(raw);
	if (!*line || *line == '#' || *line == ';')
		return;
	if (*line == '[') {
		*state = header_matches(line, profile) ? 1 : 2;
		if (*state == 1 && kv->n == 0)
			strv_push(kv, ""); /* marks "the section exists" until the first key */
		return;
	}
	char *eq = strchr(line, '=');
	if (*state != 1 || !eq)
		return;
	*eq = '\0';
	char *name = xstrdup(trim((char *)line));
	for (char *p = name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	const char *value = trim(eq + 1);
	for (size_t i = 1; i + 1 < kv->n; i += 2) /* the last of a repeated key wins */
		if (strcmp(kv->v[i], name) == 0) {
			OPENSSL_cleanse(kv->v[i + 1], strlen(kv->v[i + 1]));
			free(kv->v[i + 1]);
			kv->v[i + 1] = xstrdup(value);
			free(name);
			return;
		}
	strv_push_owned(kv, name);
	strv_push(kv, value);
}

int awscred_profile(struct strv *kv, const char *text, size_t len, const char *profile)
{
	struct strv all = {0};
	int state = 0;
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, n);
		parse_line(&all, line, profile, &state);
		OPENSSL_cleanse(line, n);
		free(line);
		p += n + 1;
	}
	if (all.n == 0)
		return CDC_ENOTFOUND;
	for (size_t i = 1; i < all.n; i++) /* all but the "section exists" marker */
		strv_push(kv, all.v[i]);
	for (size_t i = 0; i < all.n; i++)
		OPENSSL_cleanse(all.v[i], strlen(all.v[i]));
	strv_free(&all);
	return 0;
}

static void take(char **slot, const struct strv *kv, const char *key)
{
	const char *v = awscred_kv(kv, key);
	if (v && *v)
		*slot = xstrdup(v);
}

int awscred_parse(struct awscred *out, const char *name, const char *text, size_t len,
		  const char *profile)
{
	struct awscred c = {0};
	struct strv kv = {0};
	if (awscred_profile(&kv, text, len, profile) == 0) {
		take(&c.access_key, &kv, "aws_access_key_id");
		take(&c.secret_key, &kv, "aws_secret_access_key");
		take(&c.session_token, &kv, "aws_session_token");
		if (!c.session_token)
			take(&c.session_token, &kv, "aws_security_token");
	}
	awscred_kv_free(&kv);
	if (!c.access_key && !c.secret_key) {
		awscred_free(&c);
		return err_set(CDC_ENOTFOUND, "%s: no profile [%s] with aws_access_key_id", name,
			       profile);
	}
	if (!c.access_key || !c.secret_key) {
		const char *missing = c.access_key ? "aws_secret_access_key" : "aws_access_key_id";
		awscred_free(&c);
		return err_set(CDC_EUSAGE, "%s: profile [%s] has no %s", name, profile, missing);
	}
	c.origin = xasprintf("profile %s in %s", profile, name);
	*out = c;
	return 0;
}

/* Reads the whole (small) file; CDC_ENOTFOUND when it does not exist. */
int awscred_read_file(const char *path, struct buf *text, int warn_readable)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT
			       ? CDC_ENOTFOUND
			       : err_set(CDC_EUSAGE, "%s: cannot open: %s", path, strerror(errno));
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode)) /* /dev/null: an empty file */
		goto out;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > CRED_FILE_MAX) {
		rc = err_set(CDC_EUSAGE, "%s: not a regular file of at most 1 MiB", path);
		goto out;
	}
	if (warn_readable && (st.st_mode & (S_IRGRP | S_IROTH)))
		log_warn("%s is readable by group or others: chmod 600 it, it holds a secret key",
			 path);
	buf_grow(text, (size_t)st.st_size);
	ssize_t n;
	while ((n = read(fd, text->data + text->len, text->cap - text->len - 1)) > 0) {
		text->len += (size_t)n;
		text->data[text->len] = '\0';
		if (text->len + 1 >= text->cap)
			buf_grow(text, 4096);
	}
	if (n < 0)
		rc = err_set(CDC_EUSAGE, "%s: read failed: %s", path, strerror(errno));
out:
	close(fd);
	return rc;
}

int awscred_read_token(const char *path, const char *label, char **token)
{
	struct buf text = BUF_INIT;
	int rc = awscred_read_file(path, &text, 0);
	if (rc == CDC_ENOTFOUND)
		rc = err_set(CDC_EUSAGE, "%s %s: no such file", label, path);
	while (rc == 0 && text.len && strchr("\r\n \t", text.data[text.len - 1]))
		text.data[--text.len] = '\0';
	if (rc == 0 && text.len == 0)
		rc = err_set(CDC_EUSAGE, "%s %s is empty", label, path);
	if (rc == 0)
		*token = xstrdup(buf_str(&text));
	awscred_buf_wipe(&text);
	return rc;
}
