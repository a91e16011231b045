/* Whether an object at the target holds exactly the bytes cdcpack put there
 * (docs/design.md §4, steps 5, 6 and the lake step): by its checksum, never
 * by its size alone. */
#ifndef CDCPACK_HOLDS_H
#define CDCPACK_HOLDS_H

#include "context.h"
#include "hash.h"

#include <stdbool.h>
#include <stdint.h>

/* 1 yes, 0 absent (or, when not strict, not shown to be ours: the caller
 * puts ours over it), <0 error (strict: a different object there is an
 * integrity error, as such keys never change content). An object of the
 * right size without a checksum of its own (someone else's, or a store that
 * drops metadata) is fetched and hashed before it counts as ours. what
 * names the expected content in messages ("batch shop-00000007"). */
int holds_object(struct pipeline *p, const char *key, int64_t size, const char *xxh128, bool strict,
		 const char *what);

/* Another look at an object of other bytes than expected at key, given a
 * fetched copy of it (its path): 1 it holds the expected content all the
 * same (in another encoding), 0 it does not, <0 error (message set). */
typedef int (*holds_alike)(const void *ctx, const char *key, const char *copy);

/* holds_object, strict, but an object of other bytes is first fetched and
 * handed to alike(ctx, key, copy), and counts as held when it says so: the
 * lake's gzip objects, whose bytes depend on the build that made them (§8
 * ISA-L). The object is fetched once for both looks. */
int holds_object_alike(struct pipeline *p, const char *key, int64_t size, const char *xxh128,
		       const char *what, holds_alike alike, const void *ctx);

#endif
