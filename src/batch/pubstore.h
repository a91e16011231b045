/* The published state (docs/design.md §4 step 3, reconcile): per table,
 * key -> row hash of what the acknowledged chain gives consumers, kept in
 * <state dir>/published.db (a SQLite file, so memory stays bounded).
 *
 * A capture notes each row its batch carries (a change's key and new row
 * hash, or its deletion; a load first says its tables start over) as
 * pending for the batch seq it will stage; the notes are committed before
 * the batch is recorded staged, and the batch's acknowledgement applies
 * them in one transaction. A capture that never got staged is dropped by
 * the next one (pubstore_begin), and applying an acknowledged batch twice
 * does nothing, so the store follows the chain exactly, whatever the kill.
 *
 * Keys are stored twice: canonically (each key value's canon_value, so
 * that a key read from a trigger image and the same key read by a scan
 * meet whatever their spelling, in bytes ordered as a scan orders keys)
 * and as the source gave them (keyrec.h), which is what a reconcile's D
 * row names. */
#ifndef CDCPACK_PUBSTORE_H
#define CDCPACK_PUBSTORE_H

#include "buf.h"
#include "rowhash.h"
#include "value.h"

#include <stdbool.h>
#include <stdint.h>

struct pubstore;

int pubstore_open(struct pubstore **out, const char *state_dir);
/* Removes the published state of state_dir, if any: kept no longer, it
 * would go stale and a later reconcile would ship changes already
 * published as repairs. */
int pubstore_drop(const char *state_dir);
/* Accepts NULL; an open capture is rolled back. */
void pubstore_close(struct pubstore *ps);

/* A capture for batch seq of a source of driver begins: pending notes of
 * seq and later (captures never staged) go, and a transaction opens. */
int pubstore_begin(struct pubstore *ps, int64_t seq, const char *driver);
/* The load of def's table: what was published of it is replaced. */
int pubstore_note_reset(struct pubstore *ps, const struct table_def *def);
/* row of def's table now holds row (del: the key row names is deleted). */
int pubstore_note(struct pubstore *ps, const struct table_def *def, const struct value *row,
		  bool del);
/* Makes the capture's notes durable (before its batch is recorded staged). */
int pubstore_commit(struct pubstore *ps);
/* Batch seq is acknowledged: its notes are applied and dropped, in one
 * transaction; nothing when there are none (applied already, or a batch
 * made before the store existed). */
int pubstore_advance(struct pubstore *ps, int64_t seq);

/* How a row of def's table is keyed and hashed (both sides of a
 * reconcile use the same). Owns its arrays. */
struct pub_codec {
	size_t nkeys, ncols;
	size_t *keys, *cols;
	enum canon_class *key_classes, *classes;
	struct buf enc;
};
void pub_codec_init(struct pub_codec *c, const struct table_def *def, const char *driver);
void pub_codec_free(struct pub_codec *c);
/* ckey (canonical) and key (as given) of row replace the buffers' content;
 * returns the row hash. */
uint64_t pub_codec_row(struct pub_codec *c, const struct value *row, struct buf *ckey,
		       struct buf *key);

/* Reading the store, for a reconcile (inside a capture: pubstore_begin). */
/* *baseline: a load of table was acknowledged since the store exists, so
 * the store knows every row consumers hold; *rows: its keys. */
int pubstore_table(struct pubstore *ps, const char *table, bool *baseline, int64_t *rows);
/* 1 with *hash when table holds ckey, 0 when not. */
int pubstore_lookup(struct pubstore *ps, const char *table, const uint8_t *ckey, size_t n,
		    uint64_t *hash);
/* Looks keys up by walking table's keys in byte order: as fast as a scan
 * while the keys asked for come in ascending byte order (a scan of an
 * integer, text or blob key), by lookups from the first that does not. */
struct pub_walk;
int pub_walk_open(struct pubstore *ps, const char *table, struct pub_walk **out);
/* As pubstore_lookup. */
int pub_walk_find(struct pub_walk *w, const uint8_t *ckey, size_t n, uint64_t *hash);
void pub_walk_close(struct pub_walk *w);
/* A set of keys for the capture's time (a reconcile's keys with changes
 * pending, and the keys its scan saw): name "busy" or "seen". */
int pubstore_mark(struct pubstore *ps, const char *set, const char *table, const uint8_t *ckey,
		  size_t n);
int pubstore_clear(struct pubstore *ps, const char *set);
/* 1 when set holds (table, ckey). */
int pubstore_marked(struct pubstore *ps, const char *set, const char *table, const uint8_t *ckey,
		    size_t n);
/* Passes fn each key (as given) table holds that is in neither set. */
int pubstore_unseen(struct pubstore *ps, const char *table,
		    int (*fn)(void *ctx, const uint8_t *key, size_t n), void *ctx);

#endif
