/* verify: the source against a replica, table by table, rows matched by key
 * in one ordered pass (memory bounded: the source side is spooled to disk). */
#ifndef CDCPACK_COMPARE_H
#define CDCPACK_COMPARE_H

#include "config.h"

#include <jansson.h>

struct compare_result {
	int64_t differences;
	json_t *tables; /* [{"name","only_in_source","only_in_replica","different"}]; owned */
};

/* 0 when equal, CDC_EDIFF when rows differ, or an error. */
int compare_run(const struct config *cfg, const char *against, struct compare_result *res);
void compare_result_free(struct compare_result *res);

#endif
