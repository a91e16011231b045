#include "recqueue.h"

#include "err.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES (128 << 10)
#define DEPTH 4

/* Chunks move between three owners: the producer fills `fill`, DEPTH
 * filled ones wait in the ring, the consumer reads `take`; spare ones are
 * kept for reuse. Everything under mu except fill (producer's) and take
 * and pos (consumer's). Owns every chunk and msg. */
struct rec_queue {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;

	const struct source_ops *ops;
	struct source *src;
	const struct table_def *def;
	const struct diff_plan *plan;

	struct buf ring[DEPTH];
	size_t head, count;
	struct buf spare[DEPTH + 2];
	size_t nspare;
	bool done, cancel;
	int rc;
	char *msg; /* the producer's error message */

	const char *label;		 /* side A, for messages */
	struct buf fill, key, prev, enc; /* producer's */
	int64_t rows;
	struct buf take; /* consumer's */
	size_t pos;
};

/* Producer: hands the filled chunk over, waiting while the ring is full. */
static int push(struct rec_queue *q)
{
	pthread_mutex_lock(&q->mu);
	while (q->count == DEPTH && !q->cancel)
		pthread_cond_wait(&q->cv, &q->mu);
	bool stop = q->cancel;
	if (!stop) {
		q->ring[(q->head + q->count) % DEPTH] = q->fill;
		q->count++;
		q->fill = q->nspare ? q->spare[--q->nspare] : (struct buf)BUF_INIT;
		buf_reset(&q->fill);
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return stop ? CDC_EINTR : 0;
}

static int produce_row(void *ctx, const struct value *row)
{
	struct rec_queue *q = ctx;
	buf_reset(&q->key);
	uint64_t hash = diff_record_a(q->plan, row, &q->key, &q->enc);
	/* The order check runs here, in parallel with the merge. */
	int rc = q->rows ? diff_check_order(q->plan, q->def->name, q->label, &q->prev,
					    (const uint8_t *)q->key.data, q->key.len)
			 : 0;
	if (rc)
		return rc;
	q->rows++;
	keyrec_put(&q->fill, (const uint8_t *)q->key.data, q->key.len, hash);
	struct buf swap = q->prev;
	q->prev = q->key;
	q->key = swap;
	return q->fill.len >= CHUNK_BYTES ? push(q) : 0;
}

static void *produce(void *arg)
{
	struct rec_queue *q = arg;
	int rc = q->ops->read->scan(q->src, q->def, produce_row, q);
	if (!rc && q->fill.len)
		rc = push(q);
	pthread_mutex_lock(&q->mu);
	q->done = true;
	q->rc = rc;
	if (rc && rc != CDC_EINTR)
		q->msg = xstrdup(err_msg());
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	err_clear(); /* the error slot is per thread: free this one's */
	return NULL;
}

int rec_queue_start(struct rec_queue **out, const struct source_ops *ops, struct source *src,
		    const struct table_def *def, const struct diff_plan *plan, const char *label)
{
	struct rec_queue *q = xcalloc(1, sizeof(*q));
	q->label = label;
	q->ops = ops;
	q->src = src;
	q->def = def;
	q->plan = plan;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	int e = pthread_create(&q->thread, NULL, produce, q);
	if (e) {
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->cv);
		free(q);
		*out = NULL;
		return err_set(CDC_ERUNTIME, "cannot start a scan thread: %s", strerror(e));
	}
	*out = q;
	return 0;
}

/* Consumer: the next filled chunk into take; 1, 0 at the end, or the
 * producer's error. */
static int take_chunk(struct rec_queue *q)
{
	pthread_mutex_lock(&q->mu);
	if (q->take.data && q->nspare < DEPTH + 2)
		q->spare[q->nspare++] = q->take;
	else
		buf_free(&q->take);
	q->take = (struct buf)BUF_INIT;
	q->pos = 0;
	while (q->count == 0 && !q->done)
		pthread_cond_wait(&q->cv, &q->mu);
	int got = 0;
	if (q->count) {
		q->take = q->ring[q->head];
		q->head = (q->head + 1) % DEPTH;
		q->count--;
		got = 1;
		pthread_cond_broadcast(&q->cv);
	} else if (q->rc) {
		got = err_set(q->rc, "%s", q->msg ? q->msg : "scan stopped");
	}
	pthread_mutex_unlock(&q->mu);
	return got;
}

static int next_rec(void *ctx, struct keyrec *out)
{
	struct rec_queue *q = ctx;
	for (;;) {
		if (q->pos < q->take.len) {
			size_t used;
			/* Written by the producer a moment ago: framing is enough. */
			int got = keyrec_frame((const uint8_t *)q->take.data + q->pos,
					       q->take.len - q->pos, out, &used);
			if (got == 0)
				got = err_set(CDC_ERUNTIME, "scan thread: record cut in two");
			if (got < 0)
				return got;
			q->pos += used;
			return 1;
		}
		int got = take_chunk(q);
		if (got <= 0)
			return got;
	}
}

struct rec_source rec_queue_source(struct rec_queue *q)
{
	return (struct rec_source){next_rec, q};
}

int rec_queue_finish(struct rec_queue *q)
{
	if (!q)
		return 0;
	pthread_mutex_lock(&q->mu);
	q->cancel = true;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	int rc = q->rc && q->rc != CDC_EINTR ? err_set(q->rc, "%s", q->msg) : 0;
	for (size_t i = 0; i < q->count; i++)
		buf_free(&q->ring[(q->head + i) % DEPTH]);
	for (size_t i = 0; i < q->nspare; i++)
		buf_free(&q->spare[i]);
	buf_free(&q->fill);
	buf_free(&q->key);
	buf_free(&q->prev);
	buf_free(&q->enc);
	buf_free(&q->take);
	free(q->msg);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q);
	return rc;
}
