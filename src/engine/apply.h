/* apply (docs/design.md §6): replay published batches, in chain order, onto a
 * replica database, one transaction per batch. */
#ifndef CDCPACK_APPLY_H
#define CDCPACK_APPLY_H

#include "config.h"
#include "naming.h"
#include "target.h"

#include <jansson.h>
#include <stdbool.h>

/* A published batch found at the target. */
struct published {
	int64_t seq;
	char *key; /* full key, final prefix included */
	struct moment created;
	int64_t size;
};

/* Every published batch of cfg's source, ascending by seq (one LIST). */
int published_list(const struct target_ops *ops, struct target *tgt, const struct config *cfg,
		   struct published **out, size_t *n);
void published_free(struct published *v, size_t n);

struct apply_options {
	const char *to_url;
	const char *password_file; /* the replica's (mysql), else CDCPACK_REPLICA_PASSWORD */
	bool has_until;
	struct moment until;
};

struct apply_result {
	int batches;
	int64_t rows;
	int64_t last_seq;
	json_t *applied;  /* array of batch ids; owned */
	json_t *warnings; /* array of what apply warned about (strings); owned */
};

int apply_run(const struct config *cfg, const struct apply_options *o, struct apply_result *res);
void apply_result_free(struct apply_result *res);

#endif
