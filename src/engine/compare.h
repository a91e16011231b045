/* verify: the source against a replica, table by table, on the hashed diff
 * engine (dbdiff.h): the source is A, the replica B. */
#ifndef CDCPACK_COMPARE_H
#define CDCPACK_COMPARE_H

#include "config.h"
#include "dbdiff.h"

/* What verify found: the diff of the source (A) against the replica (B),
 * whose report names A's and B's sides after the source and the replica
 * (src/cli/report.h). Freed by compare_result_free. */
struct compare_result {
	struct dbdiff_result diff;
};

/* 0 when equal, CDC_EDIFF when rows differ, or an error. The replica
 * (against) is opened with its own credentials: password_file, else
 * CDCPACK_REPLICA_PASSWORD; the source's go to the source only. */
int compare_run(const struct config *cfg, const char *against, const char *password_file,
		struct compare_result *res);
void compare_result_free(struct compare_result *res);

#endif
