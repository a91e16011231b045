#include "holds.h"

#include "buf.h"
#include "err.h"
#include "fsutil.h"
#include "hash.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The XXH3-128 of the object at key by its bytes: downloaded into the work
 * dir, hashed, removed. */
static int hash_by_bytes(struct pipeline *p, const char *key, char out[HASH_HEX_LEN + 1])
{
	char *dir = xasprintf("%s/work", state_dir(p->st));
	char *path = xasprintf("%s/verify.part", dir);
	int64_t size;
	int rc = fs_mkdirs(dir, 0700);
	if (!rc)
		rc = p->tops->get_file(p->tgt, key, path);
	if (!rc)
		rc = hash_file(path, out, &size);
	unlink(path);
	free(path);
	free(dir);
	return rc ? err_prefix(rc, "check what %s holds", key) : 0;
}

int holds_object(struct pipeline *p, const char *key, int64_t size, const char *xxh128, bool strict,
		 const char *what)
{
	struct object_info info = {0};
	int rc = p->tops->head(p->tgt, key, &info);
	if (rc == CDC_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	bool fetched = strict && !info.xxh128[0] && info.size == size;
	if (fetched && (rc = hash_by_bytes(p, key, info.xxh128)) != 0)
		return rc;
	if (info.size == size && strcmp(info.xxh128, xxh128) == 0)
		return 1;
	if (!strict)
		return 0;
	return err_set(CDC_ERUNTIME,
		       "%s holds %lld bytes (xxh128 %s), not %s (%lld bytes, xxh128 %s); "
		       "a published key never changes content, so nothing was overwritten: "
		       "move that object away if it is not cdcpack's, then run again",
		       key, (long long)info.size,
		       info.xxh128[0] ? info.xxh128 : "unknown: no checksum stored with it", what,
		       (long long)size, xxh128);
}
