/* apply (docs/design.md §6): replay published batches, in chain order, onto a
 * replica database, one transaction per batch. */
#ifndef CDCPACK_APPLY_H
#define CDCPACK_APPLY_H

#include "config.h"
#include "naming.h"
#include "strv.h"
#include "target.h"

#include <stdbool.h>

/* A published batch found at the target. */
struct published {
	int64_t seq;
	char *key; /* full key, final prefix included */
	struct moment created;
	int64_t size;
};

/* Every published batch of cfg's source, ascending by seq (one listing). */
int published_list(const struct target_ops *ops, struct target *tgt, const struct config *cfg,
		   struct published **out, size_t *n);
void published_free(struct published *v, size_t n);

struct apply_options {
	const char *to_url;
	const char *password_file; /* the replica's (mysql), else CDCPACK_REPLICA_PASSWORD */
	bool has_until;
	struct moment until;
};

/* What apply did; the command renders it (src/cli/report.h). Owned fields
 * are freed by apply_result_free. */
struct apply_result {
	int batches;
	int64_t rows;
	int64_t last_seq;    /* the replica's last applied batch */
	struct strv applied; /* the batch ids applied, in order */
	/* What apply warned about, for the report's warnings[] (README): a
	 * chain written with cdc_ops other than all. */
	struct strv warnings;
};

int apply_run(const struct config *cfg, const struct apply_options *o, struct apply_result *res);
void apply_result_free(struct apply_result *res);

#endif
