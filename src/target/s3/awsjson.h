/* The flat JSON objects AWS credential sources answer with (ECS container
 * endpoint, EC2 instance metadata, credential_process): one object whose
 * values are strings, numbers, true, false or null. Strict: anything else
 * (nesting, trailing text, bad escapes) is refused with the reason. */
#ifndef CDCPACK_AWSJSON_H
#define CDCPACK_AWSJSON_H

#include "strv.h"

#include <stddef.h>

/* Fills kv with name, value pairs (strings decoded, other values as written).
 * Returns 0, or -1 with *why set (kv then empty). */
int awsjson_flat(const char *s, size_t len, struct strv *kv, const char **why);

#endif
