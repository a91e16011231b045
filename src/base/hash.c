#include "hash.h"

#include "buf.h"
#include "err.h"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xxh_x86dispatch.h> /* runtime AVX2 dispatch of XXH3 */
#include <xxhash.h>

void hash_stream_init(struct hash_stream *h)
{
	h->state = XXH3_createState();
	if (!h->state)
		abort();
	XXH3_128bits_reset(h->state);
}

void hash_stream_update(struct hash_stream *h, const void *p, size_t n)
{
	XXH3_128bits_update(h->state, p, n);
}

void hash_stream_hex(const struct hash_stream *h, char out[HASH_HEX_LEN + 1])
{
	XXH128_canonical_t canon;
	XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(h->state));
	for (size_t i = 0; i < sizeof(canon.digest); i++)
		snprintf(out + 2 * i, 3, "%02x", canon.digest[i]);
}

void hash_stream_free(struct hash_stream *h)
{
	XXH3_freeState(h->state);
	h->state = NULL;
}

int hash_file(const char *path, char out[HASH_HEX_LEN + 1], int64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(CDC_ERUNTIME, "%s: cannot open: %s", path, strerror(errno));
	struct hash_stream h;
	hash_stream_init(&h);
	char *chunk = xmalloc(1 << 20);
	int64_t total = 0;
	ssize_t n;
	while ((n = read(fd, chunk, 1 << 20)) > 0) {
		hash_stream_update(&h, chunk, (size_t)n);
		total += n;
	}
	int rc = 0;
	if (n < 0)
		rc = err_set(CDC_ERUNTIME, "%s: read failed: %s", path, strerror(errno));
	else
		hash_stream_hex(&h, out);
	if (size)
		*size = total;
	free(chunk);
	hash_stream_free(&h);
	close(fd);
	return rc;
}
