#include "redact.h"

#include "buf.h"
#include "err.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool secret_key(const char *k, size_t n)
{
	static const char *const words[] = {"pass", "pwd", "secret", "token"};
	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		size_t wn = strlen(words[w]);
		for (size_t i = 0; i + wn <= n; i++)
			if (strncasecmp(k + i, words[w], wn) == 0)
				return true;
	}
	return false;
}

/* USER:PASSWORD@ of the authority: everything after the first ':' before
 * the last '@' is the password. */
static void add_authority(struct buf *b, const char *s, size_t n)
{
	const char *at = memrchr(s, '@', n);
	const char *colon = at ? memchr(s, ':', (size_t)(at - s)) : NULL;
	if (!colon) {
		buf_add(b, s, n);
		return;
	}
	buf_add(b, s, (size_t)(colon - s));
	buf_adds(b, ":***");
	buf_add(b, at, (size_t)(s + n - at));
}

static void add_query(struct buf *b, const char *q)
{
	while (*q) {
		size_t n = strcspn(q, "&#");
		const char *eq = memchr(q, '=', n);
		if (eq && secret_key(q, (size_t)(eq - q))) {
			buf_add(b, q, (size_t)(eq - q));
			buf_adds(b, "=***");
		} else {
			buf_add(b, q, n);
		}
		q += n;
		if (*q)
			buf_addc(b, *q++);
	}
}

char *url_redact(const char *url)
{
	struct buf b = BUF_INIT;
	const char *sep = strstr(url, "://");
	const char *rest = url;
	if (sep && strcspn(url, "/?") > (size_t)(sep - url)) {
		const char *auth = sep + 3;
		size_t n = strcspn(auth, "/?#");
		buf_add(&b, url, (size_t)(auth - url));
		add_authority(&b, auth, n);
		rest = auth + n;
	}
	const char *q = strchr(rest, '?');
	size_t pre = q ? (size_t)(q - rest + 1) : strlen(rest);
	buf_add(&b, rest, pre);
	if (q)
		add_query(&b, q + 1);
	return buf_detach(&b);
}
