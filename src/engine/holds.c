#include "holds.h"

#include "buf.h"
#include "err.h"
#include "fsutil.h"
#include "hash.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int holds_fetch_digest(struct pipeline *p, const char *key, holds_digest digest,
		       char out[HASH_HEX_LEN + 1], int64_t *size)
{
	char *dir = xasprintf("%s/work", state_dir(p->st));
	char *path = xasprintf("%s/verify.part", dir);
	int rc = fs_mkdirs(dir, 0700);
	if (!rc)
		rc = p->tops->get_file(p->tgt, key, path);
	if (!rc)
		rc = digest(path, out, size);
	unlink(path);
	free(path);
	free(dir);
	return rc ? err_prefix(rc, "check what %s holds", key) : 0;
}

/* holds_object, with holds_object_alike's second look when alike is set. */
static int holds(struct pipeline *p, const char *key, int64_t size, const char *xxh128, bool strict,
		 const char *what, holds_alike alike, const void *ctx)
{
	struct object_info info = {0};
	int rc = p->tops->head(p->tgt, key, &info);
	if (rc == CDC_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	bool fetched = strict && !info.xxh128[0] && info.size == size;
	int64_t got;
	if (fetched && (rc = holds_fetch_digest(p, key, hash_file, info.xxh128, &got)) != 0)
		return rc;
	if (info.size == size && strcmp(info.xxh128, xxh128) == 0)
		return 1;
	if (!strict)
		return 0;
	if (alike && (rc = alike(p, ctx, key)) != 0)
		return rc;
	return err_set(CDC_ERUNTIME,
		       "%s holds %lld bytes (xxh128 %s), not %s (%lld bytes, xxh128 %s); "
		       "a published key never changes content, so nothing was overwritten: "
		       "move that object away if it is not cdcpack's, then run again",
		       key, (long long)info.size,
		       info.xxh128[0] ? info.xxh128 : "unknown: no checksum stored with it", what,
		       (long long)size, xxh128);
}

int holds_object(struct pipeline *p, const char *key, int64_t size, const char *xxh128, bool strict,
		 const char *what)
{
	return holds(p, key, size, xxh128, strict, what, NULL, NULL);
}

int holds_object_alike(struct pipeline *p, const char *key, int64_t size, const char *xxh128,
		       const char *what, holds_alike alike, const void *ctx)
{
	return holds(p, key, size, xxh128, true, what, alike, ctx);
}
