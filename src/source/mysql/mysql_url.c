#include "mysql_url.h"

#include "buf.h"
#include "codec.h"
#include "err.h"
#include "redact.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SCHEME "mysql://"

char *mysql_url_redact(const char *url)
{
	return url_redact(url);
}

static int bad_url(const char *url, const char *why)
{
	char *shown = mysql_url_redact(url);
	int rc = err_set(CDC_EUSAGE,
			 "%s: %s (want mysql://USER@HOST[:PORT]/DB"
			 "[?socket=PATH&ssl=disabled|preferred|required|verify&ssl_ca=PEM])",
			 shown, why);
	free(shown);
	return rc;
}

/* %XX-decodes s[0..n) into a new string; NULL on a bad escape or a NUL byte. */
static char *pct_decode(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			buf_addc(&b, s[i]);
			continue;
		}
		int hi = i + 2 < n ? hex_digit(s[i + 1]) : -1;
		int lo = i + 2 < n ? hex_digit(s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			buf_free(&b);
			return NULL;
		}
		buf_addc(&b, (char)(hi * 16 + lo));
		i += 2;
	}
	return buf_detach(&b);
}

static int parse_port(const char *url, const char *s, size_t n, unsigned *port)
{
	unsigned v = 0;
	if (n == 0 || n > 5)
		return bad_url(url, "bad port");
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return bad_url(url, "bad port");
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return bad_url(url, "port out of range 1-65535");
	*port = v;
	return 0;
}

/* HOST[:PORT], where HOST may be a bracketed IPv6 address. */
static int parse_hostport(const char *url, const char *s, size_t n, struct mysql_url *out)
{
	const char *host = s, *port = NULL;
	size_t hostlen = n;
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close)
			return bad_url(url, "unclosed [ in host");
		host = s + 1;
		hostlen = (size_t)(close - host);
		if (close + 1 < s + n) {
			if (close[1] != ':')
				return bad_url(url, "junk after ]");
			port = close + 2;
		}
	} else {
		const char *colon = memchr(s, ':', n);
		if (colon) {
			hostlen = (size_t)(colon - s);
			port = colon + 1;
		}
	}
	if (hostlen == 0)
		return bad_url(url, "no host");
	out->host = pct_decode(host, hostlen);
	if (!out->host)
		return bad_url(url, "bad %-escape in host");
	if (port)
		return parse_port(url, port, (size_t)(s + n - port), &out->port);
	return 0;
}

static int parse_param(const char *url, const char *s, size_t n, struct mysql_url *out)
{
	static const char *const ssl_modes[] = {"disabled", "preferred", "required", "verify"};
	const char *eq = memchr(s, '=', n);
	if (!eq)
		return bad_url(url, "query parameter without =");
	size_t klen = (size_t)(eq - s);
	char *val = pct_decode(eq + 1, (size_t)(s + n - eq - 1));
	if (!val)
		return bad_url(url, "bad %-escape in query");
	if (klen == 6 && memcmp(s, "socket", 6) == 0 && *val) {
		free(out->socket);
		out->socket = val;
		return 0;
	}
	if (klen == 6 && memcmp(s, "ssl_ca", 6) == 0 && *val) {
		free(out->ssl_ca);
		out->ssl_ca = val;
		return 0;
	}
	if (klen == 3 && memcmp(s, "ssl", 3) == 0) {
		for (size_t i = 0; i < sizeof(ssl_modes) / sizeof(ssl_modes[0]); i++) {
			if (strcmp(val, ssl_modes[i]) == 0) {
				out->ssl = (enum mysql_url_ssl)i;
				free(val);
				return 0;
			}
		}
		free(val);
		return bad_url(url, "ssl must be disabled, preferred, required or verify");
	}
	free(val);
	return bad_url(url, "unknown query parameter (known: socket, ssl, ssl_ca)");
}

static int parse_query(const char *url, const char *q, struct mysql_url *out)
{
	while (*q) {
		size_t n = strcspn(q, "&");
		if (n) {
			int rc = parse_param(url, q, n, out);
			if (rc)
				return rc;
		}
		q += n + (q[n] == '&');
	}
	return 0;
}

static int parse_authority(const char *url, const char *s, size_t n, struct mysql_url *out)
{
	const char *at = memrchr(s, '@', n);
	if (!at || at == s)
		return bad_url(url, "no USER@ before the host");
	if (memchr(s, ':', (size_t)(at - s)))
		return bad_url(url, "a password does not belong in the URL: give it in a "
				    "password file or its CDCPACK_*_PASSWORD variable (README: "
				    "Commands)");
	out->user = pct_decode(s, (size_t)(at - s));
	if (!out->user)
		return bad_url(url, "bad %-escape in user");
	return parse_hostport(url, at + 1, (size_t)(s + n - at - 1), out);
}

static int parse_all(const char *url, struct mysql_url *out)
{
	if (strncmp(url, SCHEME, strlen(SCHEME)) != 0)
		return bad_url(url, "not a mysql:// URL");
	const char *auth = url + strlen(SCHEME);
	size_t authlen = strcspn(auth, "/?");
	int rc = parse_authority(url, auth, authlen, out);
	if (rc)
		return rc;
	const char *path = auth + authlen;
	if (*path != '/')
		return bad_url(url, "no /DB after the host");
	path++;
	size_t dblen = strcspn(path, "?");
	if (dblen == 0)
		return bad_url(url, "no database name after the host");
	if (memchr(path, '/', dblen))
		return bad_url(url, "the database name holds a /");
	out->db = pct_decode(path, dblen);
	if (!out->db)
		return bad_url(url, "bad %-escape in database name");
	return path[dblen] == '?' ? parse_query(url, path + dblen + 1, out) : 0;
}

int mysql_url_parse(const char *url, struct mysql_url *out)
{
	memset(out, 0, sizeof(*out));
	out->port = 3306;
	out->ssl = MYSQL_URL_SSL_PREFERRED;
	int rc = parse_all(url, out);
	if (rc)
		mysql_url_free(out);
	return rc;
}

void mysql_url_free(struct mysql_url *u)
{
	free(u->user);
	free(u->host);
	free(u->db);
	free(u->socket);
	free(u->ssl_ca);
	memset(u, 0, sizeof(*u));
	u->port = 3306;
}

/* Loopback spellings name the same server. */
static const char *host_key(const struct mysql_url *u)
{
	if (u->socket)
		return u->socket;
	if (strcasecmp(u->host, "localhost") == 0 || strcmp(u->host, "127.0.0.1") == 0 ||
	    strcmp(u->host, "::1") == 0)
		return "loopback";
	return u->host;
}

bool mysql_url_same_database(const char *url_a, const char *url_b)
{
	struct mysql_url a, b;
	bool same = false;
	if (mysql_url_parse(url_a, &a) == 0) {
		if (mysql_url_parse(url_b, &b) == 0) {
			same = strcasecmp(host_key(&a), host_key(&b)) == 0 &&
			       (a.socket || a.port == b.port) && strcmp(a.db, b.db) == 0;
			mysql_url_free(&b);
		}
		mysql_url_free(&a);
	}
	err_clear();
	return same;
}

/* The database: mysql://cdc@db/shop?ssl=0 is "shop" (the default source name
 * and the lake's schema folder). */
static char *mysql_url_db_name(const char *url)
{
	const char *start = strchr(url + strlen("mysql://"), '/');
	start = start ? start + 1 : url + strlen(url);
	const char *end = start + strcspn(start, "?");
	return end == start ? xstrdup("source") : xstrndup(start, (size_t)(end - start));
}

const struct url_scheme mysql_url_scheme = {
	.prefix = "mysql://",
	.example = "mysql://...",
	.usage = "mysql://USER@HOST/DB",
	.default_name = mysql_url_db_name,
	.schema_name = mysql_url_db_name,
	.password = true,
	.binlog = true,
};
