/* The stored snapshots of snapshot capture (docs/design.md §4): under
 * <state dir>/snapshot/, one file of key records (keyrec.h) per table and
 * snapshot, in key order, read and written sequentially through fixed
 * buffers; and index.db, which says which file is each table's current
 * snapshot and which files wait for their batch to be acknowledged.
 *
 * A capture writes its files as pending for the batch seq it will stage;
 * acknowledging that batch promotes them in one transaction. A run killed
 * before the acknowledgement leaves the current snapshot untouched, so the
 * recovered batch is acknowledged with exactly the files it was made from,
 * and a capture that never got staged is thrown away by the next one. */
#ifndef CDCPACK_SNAPSTORE_H
#define CDCPACK_SNAPSTORE_H

#include "keyrec.h"
#include "value.h"

#include <stdbool.h>
#include <stdint.h>

struct snapstore;

/* One table's snapshot file as the index records it. Owns table, file and def. */
struct snap_entry {
	char *table;
	int64_t seq; /* the batch it belongs to */
	char *file;  /* name within the snapshot dir */
	int64_t rows;
	int64_t bytes;
	uint64_t xxh;	       /* XXH3-64 of the whole file */
	int hashver;	       /* HASH_VERSION its hashes were made with */
	struct table_def *def; /* the columns it was made from */
};

int snapstore_open(struct snapstore **out, const char *state_dir);
void snapstore_close(struct snapstore *ss);
void snap_entry_clear(struct snap_entry *e);

/* The current snapshot of table: 1 with *out filled, 0 when none. */
int snapstore_current(struct snapstore *ss, const char *table, struct snap_entry *out);
/* Drops pending snapshots of batch seq and later (captures never staged)
 * and deletes the files no entry names. */
int snapstore_begin(struct snapstore *ss, int64_t seq);
/* Records e (a closed file) as pending for batch e->seq. */
int snapstore_add_pending(struct snapstore *ss, const struct snap_entry *e);
/* Makes batch seq's pending snapshots current; nothing when there are none
 * (already promoted, or not a snapshot batch). */
int snapstore_promote(struct snapstore *ss, int64_t seq);

/* Writes one snapshot file through a fixed buffer. */
struct snap_writer;
/* A new file for table's snapshot in batch seq (index: the table's place in
 * the batch, keeping names unique). */
int snap_writer_open(struct snap_writer **out, struct snapstore *ss, int64_t seq, size_t index);
int snap_writer_add(struct snap_writer *w, const uint8_t *key, size_t klen, uint64_t hash);
/* Flushes and fsyncs; fills e's file, rows, bytes, xxh (e's other fields are the caller's). */
int snap_writer_close(struct snap_writer *w, struct snap_entry *e);
/* Removes an unfinished file; accepts NULL. */
void snap_writer_abort(struct snap_writer *w);

/* Reads one snapshot file back in order, checking its size, row count and
 * checksum at the end. */
struct snap_reader;
int snap_reader_open(struct snap_reader **out, struct snapstore *ss, const struct snap_entry *e);
struct rec_source snap_reader_source(struct snap_reader *r);
void snap_reader_close(struct snap_reader *r);

#endif
