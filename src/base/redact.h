/* Secrets out of anything printed: every message, log line and report that
 * shows a database or target URL shows url_redact's copy of it. */
#ifndef CDCPACK_REDACT_H
#define CDCPACK_REDACT_H

/* url with the password of SCHEME://USER:PASSWORD@ and the values of
 * password-like query parameters (password, passwd, pwd, secret, token)
 * replaced by ***. cdcpack refuses such URLs, but says so with this copy.
 * Caller frees. */
char *url_redact(const char *url);

#endif
