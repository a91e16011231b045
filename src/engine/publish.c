#include "publish.h"

#include "buf.h"
#include "capture.h"
#include "err.h"
#include "fault.h"
#include "holds.h"
#include "lake.h"
#include "log.h"
#include "package.h"
#include "pubstore.h"
#include "stop.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *publish_temp_key(const struct config *cfg, const struct batch *b)
{
	return xasprintf("%s%s", cfg->temp_prefix, b->key);
}

char *publish_final_key(const struct config *cfg, const struct batch *b)
{
	return xasprintf("%s%s", cfg->final_prefix, b->key);
}

/* Does the object at key hold exactly b's archive? (holds_object) */
static int holds_batch(struct pipeline *p, const char *key, const struct batch *b, bool strict)
{
	char *what = xasprintf("batch %s", b->id);
	int rc = holds_object(p, key, b->bytes, b->xxh128, strict, what);
	free(what);
	return rc;
}

/* An object put without its checksum (a multipart upload begun while the
 * archive was compressed, target.h stream_put): each part's body was held
 * to the SHA-256 of the staged archive's bytes, so the size is what is left
 * to check; the copy to the final key stores the checksum. */
static int holds_sized(struct pipeline *p, const char *key, const struct batch *b)
{
	struct object_info info = {0};
	int rc = p->tops->head(p->tgt, key, &info);
	if (rc == CDC_ENOTFOUND)
		return 0;
	if (rc == 0 && info.size != b->bytes)
		rc = err_set(CDC_ERUNTIME, "%s holds %lld bytes, not the %lld of batch %s", key,
			     (long long)info.size, (long long)b->bytes, b->id);
	return rc ? rc : 1;
}

/* Puts the staged archive at the temp key unless it is already there, then
 * checks what the target holds. */
static int ensure_temp(struct pipeline *p, struct batch *b, const char *temp)
{
	bool stored = true;
	int rc = holds_batch(p, temp, b, false);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	char *path = xasprintf("%s/%s", state_dir(p->st), b->file);
	struct object_info info = {.size = b->bytes};
	memcpy(info.xxh128, b->xxh128, sizeof(info.xxh128));
	if (access(path, R_OK) != 0)
		rc = err_set(CDC_ERUNTIME,
			     "batch %s: staged archive %s is missing; it cannot be rebuilt "
			     "identically: restore it, or run again to capture its changes "
			     "again (README: Recovery)",
			     b->id, path);
	else if (p->stream && p->staged) /* this run's package, streamed as it was made */
		rc = p->tops->stream_put(p->stream, temp, path, package_frame_at(p->staged), &info,
					 &stored);
	else
		rc = p->tops->put_file(p->tgt, temp, path, &info);
	free(path);
	if (rc)
		return rc;
	rc = stored ? holds_batch(p, temp, b, true) : holds_sized(p, temp, b);
	if (rc == 0)
		rc = err_set(CDC_ERUNTIME, "upload %s: object not there after upload", temp);
	if (rc < 0)
		return err_prefix(rc, "verify upload of %s", b->id);
	log_info("batch uploaded id=%s key=%s bytes=%lld", b->id, temp, (long long)b->bytes);
	return 0;
}

static int upload(struct pipeline *p, struct batch *b, const char *temp)
{
	int rc = ensure_temp(p, b, temp);
	if (!rc)
		rc = state_set(p->st, b->seq, BATCH_UPLOADED);
	if (!rc)
		fault_point("after-upload");
	return rc;
}

static int copy_to_final(struct pipeline *p, struct batch *b, const char *temp, const char *final)
{
	struct object_info info = {.size = b->bytes};
	memcpy(info.xxh128, b->xxh128, sizeof(info.xxh128));
	fault_point("before-final-copy");
	int rc = p->tops->copy(p->tgt, temp, final, &info);
	if (rc == CDC_EEXISTS) {
		/* Someone (an earlier, killed run) published it: it must be ours.
		 * "Exists" with nothing there is a store we cannot trust: fail, so
		 * that the temp object stays and the next run retries. */
		rc = holds_batch(p, final, b, true);
		if (rc == 0)
			return err_set(
				CDC_ERUNTIME,
				"publish %s: the store said the key exists, but it holds nothing",
				final);
		if (rc == 1)
			log_info("batch already published id=%s key=%s", b->id, final);
		return rc < 0 ? rc : 0;
	}
	if (rc)
		return rc;
	rc = holds_batch(p, final, b, true);
	if (rc == 0)
		rc = err_set(CDC_ERUNTIME, "publish %s: object not there after copy", final);
	return rc < 0 ? rc : 0;
}

/* temp_fresh: this process uploaded and verified the temp object just now. */
static int publish(struct pipeline *p, struct batch *b, const char *temp, const char *final,
		   bool temp_fresh)
{
	int rc = holds_batch(p, final, b, true);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		/* A recovered batch's temp object may be gone (a run died between
		 * deleting it and recording the publish would have left the final
		 * key, which is absent here) or damaged: check before copying. */
		if (!temp_fresh)
			rc = ensure_temp(p, b, temp);
		if (!rc)
			rc = copy_to_final(p, b, temp, final);
		if (rc)
			return rc;
		log_info("batch published id=%s key=%s rows=%lld", b->id, final,
			 (long long)b->rows);
	}
	rc = p->tops->remove(p->tgt, temp);
	if (!rc)
		fault_point("after-temp-delete");
	if (!rc)
		rc = state_set(p->st, b->seq, BATCH_PUBLISHED);
	if (!rc)
		fault_point("after-publish");
	return rc;
}

static void report_batch(struct run_result *res, const struct batch *b, const char *final)
{
	res->published = xrealloc(res->published, (res->batches + 1) * sizeof(*res->published));
	res->published[res->batches] = (struct run_batch){
		xstrdup(b->id), xstrdup(final), xstrdup(b->kind), b->seq, b->rows, b->bytes,
	};
	res->batches++;
	res->rows += b->rows;
	res->bytes += b->bytes;
}

int batch_finish(struct pipeline *p, struct batch *b, struct run_result *res)
{
	char *temp = publish_temp_key(p->cfg, b);
	char *final = publish_final_key(p->cfg, b);
	int rc = 0;
	bool fresh = b->state < BATCH_UPLOADED;
	if (fresh)
		rc = upload(p, b, temp);
	if (!rc && b->state < BATCH_PUBLISHED && !stop_requested)
		rc = publish(p, b, temp, final, fresh);
	else if (!rc && stop_requested)
		rc = CDC_EINTR;
	/* Acknowledged only once the archive and its lake objects are out. */
	if (!rc && !stop_requested)
		rc = lake_publish(p, b);
	if (!rc && !stop_requested) {
		/* The published state first: advancing it twice does nothing. */
		if (p->pub)
			rc = pubstore_advance(p->pub, b->seq);
		if (!rc)
			rc = p->cops->ack(p, b);
		if (!rc) /* acknowledged at the source, not yet in the state */
			fault_point("mid-ack");
		if (!rc)
			rc = state_set(p->st, b->seq, BATCH_ACKED);
		if (!rc) {
			log_info("batch acknowledged id=%s ranges=%zu", b->id, b->nranges);
			report_batch(res, b, final);
			fault_point("after-ack");
		}
	} else if (!rc) {
		rc = CDC_EINTR;
	}
	free(temp);
	free(final);
	return rc;
}
