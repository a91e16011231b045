#include "awscred.h"

#include "buf.h"
#include "err.h"
#include "log.h"

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

static void set_key(struct awscred *c, const char *key, const char *value)
{
	char **slot = NULL;
	if (strcasecmp(key, "aws_access_key_id") == 0)
		slot = &c->access_key;
	else if (strcasecmp(key, "aws_secret_access_key") == 0)
		slot = &c->secret_key;
	else if (strcasecmp(key, "aws_session_token") == 0 ||
		 strcasecmp(key, "aws_security_token") == 0)
		slot = &c->session_token;
	if (!slot || !*value)
		return;
	wipe_free(*slot);
	*slot = xstrdup(value);
}

static void parse_line(struct awscred *c, char *raw, const char *profile, int *in_profile)
{
	const char *line = trim(raw);
	if (!*line || *line == '#' || *line == ';')
		return;
	if (*line == '[') {
		*in_profile = header_matches(line, profile);
		return;
	}
	char *eq = strchr(line, '=');
	if (!*in_profile || !eq)
		return;
	*eq = '\0';
	set_key(c, trim((char *)line), trim(eq + 1));
}

int awscred_parse(struct awscred *out, const char *name, const char *text, size_t len,
		  const char *profile)
{
	struct awscred c = {0};
	int in_profile = 0;
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, n);
		parse_line(&c, line, profile, &in_profile);
		OPENSSL_cleanse(line, n);
		free(line);
		p += n + 1;
	}
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

static int from_environment(struct awscred *out)
{
	const char *id = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
	const char *token = getenv("AWS_SESSION_TOKEN");
	if ((!id || !*id) && (!secret || !*secret))
		return CDC_ENOTFOUND;
	if (!id || !*id || !secret || !*secret)
		return err_set(CDC_EUSAGE, "S3 credentials: %s is set but %s is not",
			       id && *id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
			       id && *id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	out->access_key = xstrdup(id);
	out->secret_key = xstrdup(secret);
	out->session_token = token && *token ? xstrdup(token) : NULL;
	out->origin = xstrdup("environment");
	return 0;
}

static char *credentials_path(void)
{
	const char *env = getenv("AWS_SHARED_CREDENTIALS_FILE");
	if (env && *env)
		return xstrdup(env);
	const char *home = getenv("HOME");
	return xasprintf("%s/.aws/credentials", home && *home ? home : ".");
}

/* Reads the whole (small) file; CDC_ENOTFOUND when it does not exist. */
static int read_small_file(const char *path, struct buf *text)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT
			       ? CDC_ENOTFOUND
			       : err_set(CDC_EUSAGE, "%s: cannot open: %s", path, strerror(errno));
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > CRED_FILE_MAX) {
		rc = err_set(CDC_EUSAGE, "%s: not a credentials file", path);
		goto out;
	}
	if (st.st_mode & (S_IRGRP | S_IROTH))
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

static int from_file(struct awscred *out, const char *path, const char *profile)
{
	struct buf text = BUF_INIT;
	int rc = read_small_file(path, &text);
	if (rc == 0)
		rc = awscred_parse(out, path, buf_str(&text), text.len, profile);
	if (text.data)
		OPENSSL_cleanse(text.data, text.cap);
	buf_free(&text);
	return rc;
}

int awscred_load(struct awscred *out)
{
	memset(out, 0, sizeof(*out));
	int rc = from_environment(out);
	if (rc != CDC_ENOTFOUND)
		return rc;
	const char *profile = getenv("AWS_PROFILE");
	if (!profile || !*profile)
		profile = "default";
	char *path = credentials_path();
	rc = from_file(out, path, profile);
	if (rc == CDC_ENOTFOUND)
		rc = err_set(CDC_EUSAGE,
			     "S3 credentials not found: looked for AWS_ACCESS_KEY_ID and "
			     "AWS_SECRET_ACCESS_KEY in the environment, then profile [%s] "
			     "(AWS_PROFILE) in %s (AWS_SHARED_CREDENTIALS_FILE)",
			     profile, path);
	free(path);
	return rc;
}
