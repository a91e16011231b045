/* Growable byte buffer, always NUL-terminated: the one string type of cdcpack. */
#ifndef CDCPACK_BUF_H
#define CDCPACK_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* Owns data; buf_free releases it. A zeroed struct is an empty buffer. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT                                                                                   \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
/* Inline: change files are written a byte at a time in places. */
static inline void buf_addc(struct buf *b, char c)
{
	if (b->len + 2 > b->cap)
		buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}
/* The decimal spelling of n, as "%lld" prints it, without printf's cost. */
void buf_add_int(struct buf *b, long long n);
/* The decimal digits of u into out (not NUL-terminated); returns how many. */
size_t uint_digits(char out[20], unsigned long long u);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
/* Hands the string to the caller (never NULL) and leaves b empty. */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);
/* Text of b, "" when nothing was added yet. */
const char *buf_str(const struct buf *b);

/* Allocation helpers that abort on out-of-memory: a CDC tool that limps on
 * after a failed malloc risks writing half a batch. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
