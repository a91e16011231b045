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
	const struct diff_plan *plan;  /* NULL: whole rows go over (rec_queue_scan_rows) */
	const enum canon_class *order; /* the scan's key_order (source.h) */

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

/* A row's image in a chunk, value after value: the type byte, then an
 * INT's or REAL's 8 bytes, or a TEXT's or BLOB's length (8 bytes), its
 * bytes and a NUL (a driver's text ends in one). Read back by next_image
 * in this process only. Returns the end of what it wrote at d. */
static uint8_t *put_image(uint8_t *d, const struct value *v)
{
	*d++ = (uint8_t)v->type;
	switch (v->type) {
	case VAL_NULL:
		return d;
	case VAL_INT:
		memcpy(d, &v->i, 8);
		return d + 8;
	case VAL_REAL:
		memcpy(d, &v->r, 8);
		return d + 8;
	default:
		memcpy(d, &v->n, 8);
		if (v->n)
			memcpy(d + 8, v->p, v->n);
		d[8 + v->n] = '\0';
		return d + 8 + v->n + 1;
	}
}

static int produce_image(void *ctx, const struct value *row)
{
	struct rec_queue *q = ctx;
	size_t ncols = q->def->ncols, need = 0;
	for (size_t i = 0; i < ncols; i++)
		need += 10 + (row[i].type >= VAL_TEXT ? row[i].n : 0);
	if (q->fill.len + need + 1 > q->fill.cap)
		buf_grow(&q->fill, need);
	uint8_t *start = (uint8_t *)q->fill.data + q->fill.len, *d = start;
	for (size_t i = 0; i < ncols; i++)
		d = put_image(d, &row[i]);
	q->fill.len += (size_t)(d - start);
	q->fill.data[q->fill.len] = '\0';
	return q->fill.len >= CHUNK_BYTES ? push(q) : 0;
}

static void *produce(void *arg)
{
	struct rec_queue *q = arg;
	int rc = q->ops->read->scan(q->src, q->def, q->order, q->plan ? produce_row : produce_image,
				    q);
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

/* The scan's thread, reading in key_order; plan NULL: whole rows. */
static int queue_start(struct rec_queue **out, const struct source_ops *ops, struct source *src,
		       const struct table_def *def, const struct diff_plan *plan,
		       const enum canon_class *key_order, const char *label)
{
	struct rec_queue *q = xcalloc(1, sizeof(*q));
	q->label = label;
	q->ops = ops;
	q->src = src;
	q->def = def;
	q->plan = plan;
	q->order = key_order;
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

int rec_queue_start(struct rec_queue **out, const struct source_ops *ops, struct source *src,
		    const struct table_def *def, const struct diff_plan *plan, const char *label)
{
	return queue_start(out, ops, src, def, plan, plan->key_classes, label);
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

int rec_queue_end(struct rec_queue *q, int rc)
{
	if (!rc)
		return rec_queue_finish(q);
	char *msg = xstrdup(err_msg());
	rec_queue_finish(q);
	err_set(rc, "%s", msg);
	free(msg);
	return rc;
}

/* The value at q->take's pos into v (see put_image). */
static void next_image(struct rec_queue *q, struct value *v)
{
	const uint8_t *d = (const uint8_t *)q->take.data + q->pos;
	memset(v, 0, sizeof(*v));
	v->type = (enum value_type)d[0];
	if (v->type == VAL_INT)
		memcpy(&v->i, d + 1, 8);
	else if (v->type == VAL_REAL)
		memcpy(&v->r, d + 1, 8);
	else if (v->type != VAL_NULL)
		memcpy(&v->n, d + 1, 8);
	q->pos += v->type == VAL_NULL ? 1 : 9;
	if (v->type >= VAL_TEXT) {
		v->p = (const char *)d + 9;
		q->pos += v->n + 1;
	}
}

/* Every row of the queue's chunks to fn, in the scan's order. */
static int consume_rows(struct rec_queue *q, row_fn fn, void *ctx)
{
	size_t ncols = q->def->ncols;
	struct value *row = xcalloc(ncols ? ncols : 1, sizeof(*row));
	int rc = 0;
	for (;;) {
		while (!rc && q->pos < q->take.len) {
			for (size_t i = 0; i < ncols; i++)
				next_image(q, &row[i]);
			rc = fn(ctx, row);
		}
		if (rc || (rc = take_chunk(q)) <= 0)
			break;
		rc = 0;
	}
	free(row);
	return rc;
}

int rec_queue_scan_rows(const struct source_ops *ops, struct source *src,
			const struct table_def *def, const enum canon_class *key_order, row_fn fn,
			void *ctx)
{
	struct rec_queue *q = NULL;
	int rc = queue_start(&q, ops, src, def, NULL, key_order, NULL);
	if (!rc)
		rc = rec_queue_end(q, consume_rows(q, fn, ctx));
	return rc;
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
