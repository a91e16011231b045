/* The [target] keys only the S3 driver reads (docs/design.md §3): the part
 * size within S3's limits and the object settings sent with every object
 * written. Handed to config through s3_target_ops.url (struct config_key). */
#ifndef CDCPACK_S3_CONFIG_H
#define CDCPACK_S3_CONFIG_H

#include "config.h"

/* Ended by a key whose name is NULL. */
extern const struct config_key s3_config_keys[];

#endif
