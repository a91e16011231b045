/* The lake step (docs/design.md §4, step 6b; issue 13): after a batch's
 * archive is published, each of its change files is published once more as
 * an object of its own, in AWS DMS's S3 layout below [lake] prefix, so that
 * engines that read DMS output (Athena, Glue, Spark, DuckDB) read it in
 * place. */
#ifndef CDCPACK_LAKE_H
#define CDCPACK_LAKE_H

#include "context.h"

/* Publishes b's change files as lake objects (nothing when the lake is
 * off). Each key is checked first: an object holding the same bytes counts
 * as done, so a batch interrupted anywhere is finished by running this
 * again, and none is written twice; with gzip, an object of other bytes
 * that gunzips to the file (another build's gzip) counts as done too; any
 * other object at a lake key is CDC_ERUNTIME naming it. The change files come from the staged
 * archive, or from the published one when staging lost it. */
int lake_publish(struct pipeline *p, const struct batch *b);

#endif
