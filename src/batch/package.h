/* A batch under construction: change files written as rows arrive (one per
 * table and column list; load files split every max_rows rows), then the
 * archive staged atomically and recorded (docs/design.md §4 step 4). */
#ifndef CDCPACK_PACKAGE_H
#define CDCPACK_PACKAGE_H

#include "config.h"
#include "hash.h"
#include "manifest.h"
#include "naming.h"
#include "source.h"
#include "state.h"

struct package;

/* kind is "load", "cdc" or "reconcile"; change files go into work_dir (created, emptied). */
int package_new(struct package **out, const struct config *cfg, const char *work_dir,
		const char *kind, struct moment created);
int package_add_change(struct package *pk, const struct change *c);
int package_add_load_row(struct package *pk, const struct table_def *def, const struct value *row);
/* Makes sure def has a file even when it gets no rows (a load of an empty table). */
int package_add_table(struct package *pk, const struct table_def *def);
/* A changelog seq this batch acknowledges, in ascending order. */
void package_add_seq(struct package *pk, int64_t seq);
/* The changelog generation the batch reads (NULL: none, as in snapshot
 * mode): recorded with the batch so its acknowledgement never deletes rows of
 * a later changelog. */
void package_set_generation(struct package *pk, const char *generation);
/* The rows the batch carries are noted in ps (pubstore.h) as it is built,
 * and the notes committed when it is staged; ps must have begun the
 * capture for the seq the batch will get. */
struct pubstore;
void package_track(struct package *pk, struct pubstore *ps);
/* Changes (and load rows) taken, those [batch] cdc_ops leaves out of the
 * files included: a batch that took any is shipped, to acknowledge them. */
int64_t package_rows(const struct package *pk);
size_t package_nfiles(const struct package *pk);
/* The lake's copy of change file i, kept in the work dir until
 * package_free: with [lake] compression = gzip, its gzip stream, made as
 * the file was written (one pass over the bytes), else the file itself;
 * gives its path, size and XXH3-128. -1 (nothing set) unless pk was staged
 * as batch seq and its file i is mf (the staged archive's manifest's file
 * i: same name, size and checksum). */
int package_lake_file(const struct package *pk, int64_t seq, size_t i,
		      const struct manifest_file *mf, const char **path, int64_t *bytes,
		      char xxh128[HASH_HEX_LEN + 1]);
/* Called on the package's worker thread as the zstd frame of the batch's
 * first file grows in its work file at path: bytes is what the file holds
 * now. The file only grows and what it holds is final, and the archive
 * copies it whole right after its head (package_frame_at): an upload may
 * send those bytes before the batch is staged (docs/design.md §4 step 5).
 * fn must not block. Set before the first row is added. */
typedef void (*package_frame_fn)(void *ctx, const char *path, int64_t bytes);
void package_watch_frame(struct package *pk, package_frame_fn fn, void *ctx);
/* Where the frame package_watch_frame followed begins in the staged
 * archive; -1 when the archive does not hold it (or before staging). */
int64_t package_frame_at(const struct package *pk);
/* Writes the archive into <state dir>/staging, fsyncs, renames, and records
 * the batch as staged; out receives the record. */
int package_stage(struct package *pk, struct state *st, const char *driver, struct batch *out);
void package_free(struct package *pk);

#endif
