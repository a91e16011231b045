/* Idle runs without opening the source (docs/design.md §4, "Idle runs"): a
 * stamp of the source's fingerprint, the config values that shape capture
 * and the binary's version, kept in the state dir by a run that ended with
 * nothing pending; a later run with the same stamp has nothing to capture. */
#ifndef CDCPACK_IDLE_H
#define CDCPACK_IDLE_H

#include "config.h"
#include "state.h"

#include <stdbool.h>

/* The stamp of cfg's source and capture settings now (*out owned), or *out
 * NULL when the source's driver cannot tell (no fingerprint, a doubt). Only
 * while this process has no connection to the source. */
int idle_stamp(const struct config *cfg, char **out);
/* Whether st records stamp as the last clean run's. */
int idle_same(struct state *st, const char *stamp, bool *yes);
/* Records stamp (NULL: forgets the last one). */
int idle_note(struct state *st, const char *stamp);

#endif
