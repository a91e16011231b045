/* An in-memory object store behind struct target_ops (src/target/target.h),
 * for in-process tests of the run's upload/publish/ack state machine
 * (test_publish_machine.c; docs/architecture.md). Test code only: the
 * engine reaches it through pipeline_open_on, never by URL.
 *
 * Its objects live in one shared anonymous mapping, so what a fork()ed
 * child stored before a fault point killed it is there for the parent's
 * rerun, as a bucket outlives a killed process.
 *
 * It keeps the promises of target.h as the S3 driver keeps them: a put
 * lands whole or not at all (the mid-upload fault point fires before the
 * object is visible) and stores the checksum given; a copy is at most once
 * (CDC_EEXISTS when the key is taken) and copies the source's checksum; a
 * head reports size and stored checksum; a remove of nothing succeeds; a
 * list is in ascending key order. And it can be told to answer one call of
 * one operation the way a store may answer (enum mem_answer). */
#ifndef CDCPACK_MEM_TARGET_H
#define CDCPACK_MEM_TARGET_H

#include "target.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mem_op { MEM_PUT, MEM_COPY, MEM_HEAD, MEM_GET, MEM_REMOVE, MEM_LIST, MEM_NOPS };

/* What a call hands the engine, as the S3 driver would after its retries
 * (test_publish_machine.c derives each from S3 replies with the driver's
 * own reading of them: s3_answered, s3_reply_retryable, s3_op_accept). A
 * failure a retry cured is MEM_OK: nothing of it shows above the driver. */
enum mem_answer {
	MEM_OK,
	/* Nothing done, the call fails: timeouts or 503 SlowDown until
	 * max_retries, a final error (403 AccessDenied), a 200 whose body is
	 * an <Error> on every attempt, a 412 to an unconditional request. */
	MEM_FAILED,
	/* Done, but the reply is lost on every attempt: the call fails. */
	MEM_LOST,
	/* Done, the reply lost, the driver's retry answers: a conditional
	 * copy's retry finds its own object there (412: CDC_EEXISTS). */
	MEM_LOST_RETRIED,
	/* A conditional copy answered 412 "exists" with nothing at the key. */
	MEM_EXISTS,
	/* Another writer's object (other bytes, no checksum; the size of what
	 * is there or, for a copy, of its source) lands at the key just before
	 * the call (a put: just after). */
	MEM_FOREIGN,
	/* The object as stored (put, copy) or served (head, get) is one byte short. */
	MEM_TRUNCATED,
	/* The store drops the checksum metadata (put, copy) or does not report it (head). */
	MEM_NO_METADATA,
	MEM_NANSWERS
};

const char *mem_op_name(enum mem_op op);
const char *mem_answer_name(enum mem_answer a);

struct mem_store;

/* A store of up to capacity bytes of objects, shared with children forked
 * after this call; NULL when the mapping fails. */
struct mem_store *mem_store_new(size_t capacity);
void mem_store_free(struct mem_store *s);
/* Empties the store, its counters and its injected answer. */
void mem_store_reset(struct mem_store *s);
/* A store that keeps no checksum with any object (as some S3-compatible
 * stores drop metadata): the engine then hashes what it reads back. */
void mem_store_drop_metadata(struct mem_store *s, bool drop);
/* From now on, call number call (1-based) of op gets answer; the others
 * are answered normally. Counts calls from zero again. */
void mem_store_inject(struct mem_store *s, enum mem_op op, int call, enum mem_answer answer);
/* Calls of op since the last reset or injection. */
int mem_store_calls(const struct mem_store *s, enum mem_op op);
/* From now on, what the engine must never do is recorded as a breach: a
 * put or a delete below prefix (a published key never changes content), or
 * a copy whose source is not the object it says it publishes (the size and
 * checksum it passes): publishing an upload it did not verify. */
void mem_store_guard(struct mem_store *s, const char *prefix);
/* The first breach since the guard was set, NULL when none. */
const char *mem_store_breach(const struct mem_store *s);

/* Reading and changing the store as a person with the bucket would. */
typedef void (*mem_object_fn)(void *ctx, const char *key, const unsigned char *data,
			      int64_t size, const char *xxh128, bool foreign);
/* Every object whose key starts with prefix, in ascending key order. */
void mem_store_each(const struct mem_store *s, const char *prefix, mem_object_fn fn, void *ctx);
bool mem_store_delete(struct mem_store *s, const char *key);
/* Another writer's object at key, of the size of what is there (else 16 bytes). */
void mem_store_foreign(struct mem_store *s, const char *key);

/* A handle on the store for pipeline_open_on (owned by the pipeline, which
 * closes it with mem_target_ops.close). */
struct target *mem_target_new(struct mem_store *s);
extern const struct target_ops mem_target_ops;

#endif
