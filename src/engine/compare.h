/* verify: the source against a replica, table by table, on the hashed diff
 * engine (dbdiff.h): the source is A, the replica B. */
#ifndef CDCPACK_COMPARE_H
#define CDCPACK_COMPARE_H

#include "config.h"

#include <jansson.h>

struct compare_result {
	int64_t differences;
	/* [{"name","only_in_source","only_in_replica","different",
	 * "columns_only_in_source","columns_only_in_replica"}, plus the fields
	 * of dbdiff's report]; owned */
	json_t *tables;
};

/* 0 when equal, CDC_EDIFF when rows differ, or an error. The replica
 * (against) is opened with its own credentials: password_file, else
 * CDCPACK_REPLICA_PASSWORD; the source's go to the source only. */
int compare_run(const struct config *cfg, const char *against, const char *password_file,
		struct compare_result *res);
void compare_result_free(struct compare_result *res);

#endif
