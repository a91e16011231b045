/* Steps 5-7 of docs/design.md §4 for one staged batch: upload to the temp key and
 * verify, publish to the final key at most once and verify, delete the temp
 * object, acknowledge. Each step checks what is already done, so a batch
 * interrupted anywhere is finished by running this again. */
#ifndef CDCPACK_PUBLISH_H
#define CDCPACK_PUBLISH_H

#include "context.h"

char *publish_temp_key(const struct config *cfg, const struct batch *b);
char *publish_final_key(const struct config *cfg, const struct batch *b);
int batch_finish(struct pipeline *p, struct batch *b, struct run_result *res);

#endif
