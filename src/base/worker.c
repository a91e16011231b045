#include "worker.h"

#include "err.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct job {
	worker_fn fn;
	void *ctx;
	struct buf data;
};

/* A ring of depth jobs, and spent buffers to hand back. Owns all of it. */
struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a job queued or run, or the end asked for */
	struct job *ring;
	size_t depth, head, count;
	bool stop;
	int rc;	   /* the first failure, 0 while none */
	char *msg; /* its message */
	struct buf spent;
};

static void *run(void *arg)
{
	struct worker *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->count && !w->stop)
			pthread_cond_wait(&w->changed, &w->lock);
		if (!w->count)
			break;
		struct job *j = &w->ring[w->head];
		bool skip = w->rc != 0;
		pthread_mutex_unlock(&w->lock);
		int rc = skip ? 0 : j->fn(j->ctx, &j->data);
		char *msg = rc ? xstrdup(err_msg()) : NULL;
		err_clear(); /* this thread's slot, freed before the thread ends */
		pthread_mutex_lock(&w->lock);
		if (rc && !w->rc) {
			w->rc = rc;
			w->msg = msg;
		} else {
			free(msg);
		}
		/* Keep one spent buffer for the next submit to reuse. */
		buf_free(&w->spent);
		w->spent = j->data;
		memset(&j->data, 0, sizeof(j->data));
		w->head = (w->head + 1) % w->depth;
		w->count--;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int worker_start(struct worker **out, size_t depth)
{
	struct worker *w = xcalloc(1, sizeof(*w));
	w->depth = depth ? depth : 1;
	w->ring = xcalloc(w->depth, sizeof(*w->ring));
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->changed, NULL);
	int e = pthread_create(&w->thread, NULL, run, w);
	if (e) {
		pthread_cond_destroy(&w->changed);
		pthread_mutex_destroy(&w->lock);
		free(w->ring);
		free(w);
		*out = NULL;
		return err_set(CDC_ERUNTIME, "cannot start a worker thread: %s", strerror(e));
	}
	*out = w;
	return 0;
}

/* The first failure, its message set in this thread. Called locked. */
static int failure(struct worker *w)
{
	if (w->rc)
		err_set_message("%s", w->msg ? w->msg : "worker job failed");
	return w->rc;
}

int worker_submit(struct worker *w, worker_fn fn, void *ctx, struct buf *data)
{
	pthread_mutex_lock(&w->lock);
	while (w->count == w->depth && !w->rc)
		pthread_cond_wait(&w->changed, &w->lock);
	int rc = failure(w);
	if (!rc) {
		struct job *j = &w->ring[(w->head + w->count) % w->depth];
		*j = (struct job){fn, ctx, *data};
		*data = w->spent; /* the memory of a spent buffer, emptied */
		data->len = 0;
		if (data->data)
			data->data[0] = '\0';
		memset(&w->spent, 0, sizeof(w->spent));
		w->count++;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

int worker_drain(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->count)
		pthread_cond_wait(&w->changed, &w->lock);
	int rc = failure(w);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

void worker_stop(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->lock);
	for (size_t i = 0; i < w->depth; i++)
		buf_free(&w->ring[i].data);
	buf_free(&w->spent);
	free(w->ring);
	free(w->msg);
	free(w);
}
