/* mysql://USER@HOST[:PORT]/DB[?socket=PATH&ssl=MODE&ssl_ca=PEM]: the MySQL
 * driver's URL.
 * A password is never part of it (docs/design.md §3: password_file or
 * CDCPACK_SOURCE_PASSWORD), so a URL can be logged and stored as it is. */
#ifndef CDCPACK_MYSQL_URL_H
#define CDCPACK_MYSQL_URL_H

#include "config.h"

#include <stdbool.h>

enum mysql_url_ssl {
	MYSQL_URL_SSL_DISABLED,
	MYSQL_URL_SSL_PREFERRED, /* TLS when the server offers it (the default) */
	MYSQL_URL_SSL_REQUIRED,	 /* TLS or fail, certificate not checked */
	MYSQL_URL_SSL_VERIFY,	 /* TLS with the server certificate verified */
};

/* Owns every string; mysql_url_free releases them. socket and ssl_ca are
 * NULL when the URL has none; port is 3306 when the URL has none. ssl_ca
 * names the CA bundle that signs the server's certificate (RDS publishes
 * its own); without it the system's CAs are used. */
struct mysql_url {
	char *user;
	char *host;
	unsigned port;
	char *db;
	char *socket;
	enum mysql_url_ssl ssl;
	char *ssl_ca;
};

/* Parses url into out (zeroed first). A malformed URL, or one carrying a
 * password, is CDC_EUSAGE with a message naming the URL with any password
 * masked. */
int mysql_url_parse(const char *url, struct mysql_url *out);
void mysql_url_free(struct mysql_url *u);
/* The same server (loopback spellings alike, or the same socket) and database. */
bool mysql_url_same_database(const char *url_a, const char *url_b);
/* url with the password part of USER:PASSWORD@ replaced by ***: safe to print. */
char *mysql_url_redact(const char *url);
/* What config knows of these URLs: the prefix, the default source name
 * (the database), password_file, the binary log. */
extern const struct url_scheme mysql_url_scheme;

#endif
