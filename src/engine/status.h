/* status (docs/design.md §9): what the state dir, the source and the target
 * say about a source's batch job, read without the lock; nothing is
 * written (a state dir no run made is not created). */
#ifndef CDCPACK_STATUS_H
#define CDCPACK_STATUS_H

#include "config.h"
#include "context.h"
#include "source.h"
#include "state.h"

#include <stdbool.h>
#include <stdint.h>

/* What a status_result holds: each step's fields, and those before. A
 * failed step stops it; a failed count keeps what it counted. */
enum status_have {
	STATUS_NOTHING,
	STATUS_STATE,	/* chain, written_by, batches, last published, last reconcile */
	STATUS_PENDING, /* tables, pending, lag */
	STATUS_TARGET,	/* target_reachable, target_error */
};

/* A table at the source. */
struct status_table {
	char *name;   /* owned */
	bool counted; /* pending, installed and drift are known (the mode keeps a changelog) */
	int64_t pending;
	bool installed, drift;
	char *stray; /* not captured, yet its triggers write (so it counts): the warning;
			owned, or NULL */
};

/* The last published batch. */
struct status_last {
	char *id, *key, *created; /* owned; key is the final key */
	char *published_at;	  /* owned, or NULL when not recorded */
	int64_t rows;
};

/* What status read; the command renders it (src/cli/report.h). Freed by
 * status_result_free. */
struct status_result {
	enum status_have have;
	char *chain; /* NULL: no state dir, or no run since an upgrade */
	/* The build that last wrote the state dir (state_built_by); owned, NULL:
	 * no state dir, or one no build recorded itself in */
	char *written_by;
	int64_t batches[BATCH_ACKED + 1]; /* by enum batch_state */
	struct status_last *last;	  /* NULL: none published yet */
	/* The last reconcile; NULL: none yet. Non-zero repairs mean capture
	 * missed changes. */
	struct reconcile_result *last_reconcile;
	struct status_table *tables; /* captured tables, then stray ones; owned */
	size_t ntables;
	int64_t pending;
	/* Set when the capture mode cannot count what waits: why (static), and
	 * pending, oldest and lag mean nothing. */
	const char *pending_unknown;
	char oldest[40]; /* the oldest pending change's time; "" when none */
	bool lagging;	 /* oldest is a time: lag_seconds is its age now */
	double lag_seconds;
	/* A mode that reads a log (binlog): where its acknowledged position
	 * stands in the server's log. log_at.pos NULL: no position yet. */
	bool reads_log;
	struct log_pos log_at;
	struct log_lag log_lag;
	bool target_reachable;
	char *target_error; /* why not; owned */
};

int status_run(const struct config *cfg, struct status_result *res);
void status_result_free(struct status_result *res);

#endif
