/* The seam between the pipeline and each object store (file:, s3:). Keys are
 * full object keys ("cdc/shop/2026/11/24/shop-00000007-....tar.zst"); the
 * driver adds its own bucket, directory or URL prefix. */
#ifndef CDCPACK_TARGET_H
#define CDCPACK_TARGET_H

#include "config.h"

#include <stdbool.h>
#include <stdint.h>

struct target;	      /* defined by each driver */
struct target_stream; /* defined by a driver that streams uploads */

struct object_info {
	int64_t size;
	/* The archive's XXH3-128 (32 hex digits) as stored with the object (S3
	 * metadata x-amz-meta-xxh128) or computed from its bytes (file:); "" when
	 * the target does not know it. */
	char xxh128[33];
	/* put_file of an object that is not an archive (the chain claim): the
	 * mid-upload fault point, which names an archive's upload, stays quiet. */
	bool not_archive;
};

typedef int (*key_fn)(void *ctx, const char *key, int64_t size);

/* Every function returns 0 or a CDC_E* code with err_set() called. */
struct target_ops {
	/* The driver's URLs: their prefix ("file:", "s3://") and what config
	 * checks of them. */
	const struct url_scheme *url;

	/* Reads cfg->target_url and the [target] keys it needs. */
	int (*open)(struct target **out, const struct config *cfg);
	void (*close)(struct target *t); /* accepts NULL */

	/* Uploads the local file at path to key, storing info->xxh128 with it.
	 * Overwrites: used only for temp keys. */
	int (*put_file)(struct target *t, const char *key, const char *path,
			const struct object_info *info);
	/* Copies src to dst at most once: CDC_EEXISTS when dst is already there
	 * (the caller then checks it is the same object). dst gets src's
	 * checksum, or, where src may have been stored without it (a target
	 * whose stream_put is on: [target] upload_while_compressing),
	 * info->xxh128. */
	int (*copy)(struct target *t, const char *src, const char *dst,
		    const struct object_info *info);
	/* Size and checksum of key; CDC_ENOTFOUND when absent. */
	int (*head)(struct target *t, const char *key, struct object_info *out);
	/* Downloads key into a new local file at path (streamed); CDC_ENOTFOUND
	 * when absent (then no file is left at path). */
	int (*get_file)(struct target *t, const char *key, const char *path);
	/* Deletes key; absent is success. */
	int (*remove)(struct target *t, const char *key);
	/* Every key under prefix, in ascending key order. */
	int (*list)(struct target *t, const char *prefix, key_fn fn, void *ctx);

	/* Optional (NULL: the target uploads whole staged files only, as
	 * file: does): an upload that overlaps the compression of the archive
	 * (docs/design.md §4 step 5, issue 16). stream_begin readies an upload
	 * to key, the temp key the batch will be staged under; nothing is sent
	 * and no object exists until stream_put. */
	int (*stream_begin)(struct target *t, const char *key, struct target_stream **out);
	/* The archive's first data frame, the work file at path, holds bytes
	 * bytes now (it only grows; what it holds is final): whole parts of it
	 * may go, on the stream's own threads. Called from one thread at a
	 * time, never after stream_put or stream_end; never blocks or fails (a
	 * failed part is noted under -v and sent again by stream_put). */
	void (*stream_grew)(struct target_stream *s, const char *path, int64_t bytes);
	/* put_file of the staged archive at path, which holds the frame at
	 * offset frame_at (-1: it does not): the parts sent early whose bytes
	 * are the archive's are kept, the others sent, then the upload is
	 * completed; anything amiss with the stream (another key, a part
	 * limit) falls back to put_file. *checksum_stored false: the object
	 * went up without info->xxh128 (a multipart upload begun before it was
	 * known): the caller checks its size, and copy stores the checksum. */
	int (*stream_put)(struct target_stream *s, const char *key, const char *path,
			  int64_t frame_at, const struct object_info *info, bool *checksum_stored);
	/* Stops the stream's threads, aborts its upload unless stream_put
	 * completed it, and frees s (NULL: nothing). */
	void (*stream_end)(struct target_stream *s);
};

const struct target_ops *target_ops_for_url(const char *url);
/* Looks up the driver for cfg->target_url and opens it in one step. */
int target_open(const struct target_ops **ops, struct target **out, const struct config *cfg);

/* Opens cfg's target and asks it for an object that is not there: 0 when it
 * answered (reachable, credentials accepted), else the error. */
int target_probe(const struct config *cfg);

extern const struct target_ops file_target_ops;
extern const struct target_ops s3_target_ops;

#endif
