/* The bucket side of one chain per source name (docs/design.md §4): below a
 * final prefix, a source name belongs to the one chain that claimed it, by
 * a small object at _cdcpack/claims/<final_prefix><source>.json
 * ({"format": "cdcpack-chain/1", "source": NAME, "chain": ID}). A second
 * chain under that name (another database or state dir given the same
 * [source] name by mistake) would interleave its batches with the first's
 * and break the chain for every consumer: run and load refuse it. */
#ifndef CDCPACK_CLAIM_H
#define CDCPACK_CLAIM_H

#include "config.h"
#include "source.h"
#include "target.h"

#include <stdbool.h>

char *claim_key(const struct config *cfg);
/* With a [lake] prefix, the lake's <schema> folder is claimed too, at
 * _cdcpack/claims/lake/<lake prefix><schema>.json (the same shape), by the
 * first source that writes it; NULL without a [lake] prefix. */
char *claim_lake_key(const struct config *cfg);
/* The chain that owns cfg's source name at the target into chain ("" when
 * no claim is there); scratch is a private folder for the download.
 * CDC_ERUNTIME when the object there is not a claim. */
int claim_read(const struct target_ops *ops, struct target *tgt, const struct config *cfg,
	       const char *scratch, char chain[CHAIN_ID_LEN + 1]);
/* CDC_ERUNTIME naming the way out when another chain owns cfg's source
 * name, or another source its lake folder (claim_lake_key). With write, claims it for chain when no
 * chain has (written at most once, then read back, so of two chains claiming at once exactly one
 * wins). *ours: the claim there names chain. */
int claim_take(const struct target_ops *ops, struct target *tgt, const struct config *cfg,
	       const char *scratch, const char *chain, bool write, bool *ours);

#endif
