/* The state dir: a lock file, the state database (SQLite) recording every
 * batch and its progress, and the staging area for archives. */
#ifndef CDCPACK_STATE_H
#define CDCPACK_STATE_H

#include "hash.h"
#include "strv.h"

#include <stdbool.h>
#include <stdint.h>

enum batch_state { BATCH_STAGED, BATCH_UPLOADED, BATCH_PUBLISHED, BATCH_ACKED };

/* One batch as recorded. Owns its strings and ranges; batch_clear frees them. */
struct batch {
	int64_t seq;
	char *id;   /* <source>-<SEQ:08> */
	char *kind; /* load | cdc */
	enum batch_state state;
	char *created; /* ISO 8601 UTC, ms */
	char *key;     /* object key below the temp/final prefix */
	char *file;    /* staged archive, relative to the state dir */
	int64_t bytes;
	char xxh128[HASH_HEX_LEN + 1];
	int64_t rows;
	int64_t first_seq, last_seq; /* -1 when none */
	int64_t (*ranges)[2];	     /* changelog seqs this batch acknowledges */
	size_t nranges;
	char *published_at; /* NULL until published */
	char *generation;   /* of the changelog the batch read; NULL: none or unknown */
	/* Pairs: a table, then its columns as the batch ships them (the
	 * manifest's JSON array), recorded with the batch (state_shipped_columns). */
	struct strv shipped;
};

struct state;

/* Creates dir (0700) when missing, and opens its state database. Refuses a
 * state dir that belongs to another source name. */
int state_open(struct state **out, const char *dir, const char *source_name);
/* Opens dir's state database read-only, writing nothing (status): *out
 * NULL when there is no state.db yet. Exit 3 with the reason when SQLite
 * cannot read it without creating its -shm (docs/design.md §9). */
int state_open_read(struct state **out, const char *dir, const char *source_name);
void state_close(struct state *st);
/* Takes the exclusive run lock of dir: CDC_ELOCKED when another process holds it.
 * The lock goes with the process, so a killed run leaves none behind. */
int state_lock(const char *dir, int *fd);
void state_unlock(int fd);
/* Whether dir does not exist yet: a command that then makes it and fails
 * before its first batch removes it again (state_remove_new). */
bool state_dir_is_new(const char *dir);
/* Removes a state dir this command made, while it holds the dir's lock:
 * the files state_lock and state_open put there, then the folder if nothing
 * else is in it. Best effort: the command reports its own failure. */
void state_remove_new(const char *dir);

const char *state_dir(const struct state *st);
/* The id of the chain this state dir writes (random, made with the state). */
const char *state_chain(const struct state *st);
/* The build that last wrote the state dir, as `--version` names it without
 * "cdcpack " (meta 'cdcpack', read at open, before this command writes it);
 * NULL when none is recorded: a state dir the builds before 2026-12-07
 * 18:34 UTC (d487eff) wrote last, or one made by this open. */
const char *state_built_by(const struct state *st);
/* Drops the record of batch seq, which never left the machine, so its
 * changes are captured again (a staged archive lost before upload). */
int state_forget(struct state *st, int64_t seq);
/* Seq for the next batch and the id of the last one (NULL when none). */
int state_next_seq(struct state *st, int64_t *seq, char **previous_id);
/* Records b as staged, with its ranges, in one transaction. */
int state_add_batch(struct state *st, const struct batch *b);
int state_set(struct state *st, int64_t seq, enum batch_state to);
/* The columns (JSON) the last staged batch carrying table shipped it with,
 * or NULL (*out) when none did; state_note_columns records them for a
 * table no batch has carried yet. */
int state_shipped_columns(struct state *st, const char *table, char **out);
int state_note_columns(struct state *st, const char *table, const char *columns);
/* The tables whose columns the state records (sorted), and forgetting one
 * (a table the chain no longer captures). */
int state_shipped_tables(struct state *st, struct strv *out);
int state_forget_columns(struct state *st, const char *table);
/* The table's name now stands for another table than the one the chain
 * shipped (binlog: a DROP, RENAME or CREATE TABLE read in the log): its
 * recorded columns are replaced by a list no table has, so the next column
 * comparison finds it redefined and it ships as a load. */
int state_mark_replaced(struct state *st, const char *table);
/* A hash (hex, owned) of every table's shipped columns: it changes with
 * any column list recorded or forgotten. */
int state_shipped_digest(struct state *st, char **out);
/* Changelog seqs lo..hi an acknowledged batch (number batch) carried. */
struct acked_range {
	int64_t lo, hi, batch;
};
/* The highest changelog seq an acknowledged batch read from changelog
 * generation (NULL: none recorded) carried, 0 when none did. */
int state_acked_top(struct state *st, const char *generation, int64_t *top);
/* The ranges acknowledged batches of generation carried that end at from
 * or above, by ascending lo (*out owned, NULL when none). */
int state_acked_ranges(struct state *st, const char *generation, int64_t from,
		       struct acked_range **out, size_t *n);
/* Batches not yet acknowledged, oldest first. */
int state_unfinished(struct state *st, struct batch **out, size_t *n);
/* Every batch, oldest first (status, prune). */
int state_all(struct state *st, struct batch **out, size_t *n);
/* [lake]: the number of batch seq's first LOAD file of table, which has n:
 * the one the batch took before, else the one after every earlier load
 * batch's files of table (from 1), recorded. */
int state_lake_first(struct state *st, int64_t seq, const char *table, unsigned n, unsigned *first);
/* The created time of the newest batch (NULL when none), so that a new one
 * is made later (unique DMS file names, even within one millisecond). */
int state_last_created(struct state *st, char **created);
void batch_clear(struct batch *b);
void batches_free(struct batch *v, size_t n);
const char *batch_state_name(enum batch_state s);
/* The value of meta key k in *out (owned; NULL when unset), and setting
 * it: small facts a run keeps for the next one (capture.c's verified
 * schema stamp). */
int state_meta_get(struct state *st, const char *k, char **out);
int state_meta_set(struct state *st, const char *k, const char *v);

#endif
