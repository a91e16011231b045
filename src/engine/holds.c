#include "holds.h"

#include "buf.h"
#include "err.h"
#include "fsutil.h"
#include "hash.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Fetches the object at key into the run's work dir, once: *copy is its
 * path (caller unlinks and frees), NULL on error. */
static int fetch_copy(struct pipeline *p, const char *key, char **copy)
{
	char *dir = xasprintf("%s/work", state_dir(p->st));
	*copy = xasprintf("%s/verify.part", dir);
	int rc = fs_mkdirs(dir, 0700);
	if (!rc)
		rc = p->tops->get_file(p->tgt, key, *copy);
	free(dir);
	if (rc) {
		unlink(*copy);
		free(*copy);
		*copy = NULL;
		return err_prefix(rc, "check what %s holds", key);
	}
	return 0;
}

static void drop_copy(char *copy)
{
	if (copy)
		unlink(copy);
	free(copy);
}

/* holds_object, with holds_object_alike's second look when alike is set.
 * An object fetched to be hashed is fetched once: alike reads the same copy. */
static int holds(struct pipeline *p, const char *key, int64_t size, const char *xxh128, bool strict,
		 const char *what, holds_alike alike, const void *ctx)
{
	struct object_info info = {0};
	int rc = p->tops->head(p->tgt, key, &info);
	if (rc == CDC_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	char *copy = NULL;
	int64_t got;
	if (strict && !info.xxh128[0] && info.size == size) {
		rc = fetch_copy(p, key, &copy);
		if (!rc && (rc = hash_file(copy, info.xxh128, &got)) != 0)
			rc = err_prefix(rc, "check what %s holds", key);
	}
	if (!rc && info.size == size && strcmp(info.xxh128, xxh128) == 0)
		rc = 1;
	else if (!rc && strict && alike && (copy || (rc = fetch_copy(p, key, &copy)) == 0))
		rc = alike(ctx, key, copy);
	drop_copy(copy);
	if (rc || !strict)
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
