#include "lake.h"

#include "archive.h"
#include "buf.h"
#include "err.h"
#include "fault.h"
#include "fsutil.h"
#include "gzstream.h"
#include "hash.h"
#include "holds.h"
#include "lakekey.h"
#include "log.h"
#include "manifest.h"
#include "package.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One lake step: the batch's archive read into dir. Owns dir and m. */
struct lake_run {
	struct pipeline *p;
	const struct batch *b;
	struct lake_layout layout;
	struct moment created;
	char *dir;
	struct manifest m;
	size_t written;
	bool fast; /* m is the staged archive's manifest, the files the package's copies */
};

/* The archive to read: the staged one, else (staging lost it after the
 * publish) the published one, fetched and checked against the batch. */
static int archive_path(struct lake_run *r, char **path)
{
	struct pipeline *p = r->p;
	*path = xasprintf("%s/%s", state_dir(p->st), r->b->file);
	if (access(*path, R_OK) == 0 || errno != ENOENT)
		return 0;
	free(*path);
	*path = xasprintf("%s/archive", r->dir);
	char *key = xasprintf("%s%s", p->cfg->final_prefix, r->b->key);
	char sum[HASH_HEX_LEN + 1];
	int64_t size;
	int rc = p->tops->get_file(p->tgt, key, *path);
	if (!rc)
		rc = hash_file(*path, sum, &size);
	if (!rc && (size != r->b->bytes || strcmp(sum, r->b->xxh128) != 0))
		rc = err_set(CDC_ERUNTIME, "%s: not batch %s's archive (xxh128 %s, want %s)", key,
			     r->b->id, sum, r->b->xxh128);
	free(key);
	return rc ? err_prefix(rc, "read batch %s", r->b->id) : 0;
}

/* The lake key of file i: a load file takes the table's next LOAD numbers
 * (recorded per batch, so a rerun finds the same ones); a change file keeps
 * its archive name, unique in the chain (batches are made at distinct
 * milliseconds). */
static int file_key(struct lake_run *r, size_t i, char **key)
{
	const struct manifest_file *f = &r->m.files[i];
	const char *table = f->def->name;
	if (strcmp(r->m.kind, "load") != 0) {
		const char *slash = strrchr(f->path, '/');
		*key = lakekey_cdc(&r->layout, table, slash ? slash + 1 : f->path, r->created);
		return 0;
	}
	unsigned nth = 0, n = 0, first;
	for (size_t j = 0; j < r->m.nfiles; j++)
		if (strcmp(r->m.files[j].def->name, table) == 0) {
			n++;
			if (j <= i)
				nth++;
		}
	int rc = state_lake_first(r->p->st, r->b->seq, table, n, &first);
	*key = rc ? NULL : lakekey_load(&r->layout, table, first + nth - 1);
	return rc;
}

/* The bytes the lake object of file i holds: the package's copy when this
 * run made one (package.h), else the extracted file, gzipped here when the
 * layout says so. */
static int object_source(struct lake_run *r, size_t i, char **path, struct object_info *info)
{
	const struct manifest_file *f = &r->m.files[i];
	const char *copy;
	if (r->p->staged && package_lake_file(r->p->staged, r->b->seq, i, f, &copy, &info->size,
					      info->xxh128) == 0) {
		*path = xstrdup(copy);
		return 0;
	}
	if (r->fast)
		return err_set(CDC_ERUNTIME, "batch %s: the lake copy of %s is gone", r->b->id,
			       f->path);
	if (r->layout.compression != LAKE_GZIP) {
		*path = xstrdup(f->local);
		info->size = f->bytes;
		memcpy(info->xxh128, f->xxh128, sizeof(info->xxh128));
		return 0;
	}
	*path = xasprintf("%s/%zu.gz", r->dir, i);
	return archive_gzip_file(f->local, f->bytes, *path, info->xxh128, &info->size);
}

/* Whether the gzip object at key, of other bytes than this run's copy, is
 * file f all the same: gzip's bytes depend on the build and CPU that made
 * them (§8 ISA-L), so a batch's lake step cut short and finished by
 * another build meets its own objects so. Compared by what they hold; an
 * object that is not whole gzip holds no file, so it counts as other bytes. */
static int same_file_gzipped(const void *ctx, const char *key, const char *copy)
{
	const struct manifest_file *f = ctx;
	char sum[HASH_HEX_LEN + 1];
	int64_t size;
	if (gzstream_content(copy, sum, &size) != 0) {
		log_info("lake object of other bytes, not whole gzip: %s", err_msg());
		err_clear();
		return 0;
	}
	if (size != f->bytes || strcmp(sum, f->xxh128) != 0)
		return 0;
	log_info("lake object key=%s holds %s (%lld bytes, xxh128 %s) gzipped by another build: "
		 "published already",
		 key, f->path, (long long)f->bytes, f->xxh128);
	return 1;
}

/* Publishes file i at key unless the key already holds its bytes. */
static int put_file(struct lake_run *r, size_t i, const char *key)
{
	const struct manifest_file *f = &r->m.files[i];
	struct object_info info = {0};
	char *path = NULL;
	int rc = object_source(r, i, &path, &info);
	char *what = xasprintf("%s of batch %s", f->path, r->b->id);
	bool gz = r->layout.compression == LAKE_GZIP;
	if (!rc)
		rc = holds_object_alike(r->p, key, info.size, info.xxh128, what,
					gz ? same_file_gzipped : NULL, f);
	if (rc == 0) {
		rc = r->p->tops->put_file(r->p->tgt, key, path, &info);
		if (!rc)
			rc = holds_object(r->p, key, info.size, info.xxh128, true, what);
		if (rc == 0)
			rc = err_set(CDC_ERUNTIME, "%s not there after upload", key);
		if (rc == 1 && r->written++ == 0)
			fault_point("mid-lake"); /* some of the batch's objects are out */
	}
	if (rc == 1)
		log_debug("lake object key=%s bytes=%lld", key, (long long)info.size);
	free(what);
	free(path);
	return rc < 0 ? rc : 0;
}

/* The fast way in: this run just staged the batch, and the package still
 * holds a copy of each file the staged archive's manifest lists. Only the
 * manifest is read then; the files are not unpacked. (When only some have
 * one, the archive is unpacked and the copies still used for those.) */
static bool read_staged(struct lake_run *r)
{
	if (!r->p->staged)
		return false;
	char *archive = xasprintf("%s/%s", state_dir(r->p->st), r->b->file);
	int rc = archive_read_manifest(archive, &r->m);
	free(archive);
	const char *copy;
	struct object_info info;
	for (size_t i = 0; i < r->m.nfiles && !rc; i++)
		rc = package_lake_file(r->p->staged, r->b->seq, i, &r->m.files[i], &copy,
				       &info.size, info.xxh128);
	if (rc) {
		err_clear();
		manifest_free(&r->m);
		memset(&r->m, 0, sizeof(r->m));
		return false;
	}
	return true;
}

static int publish_files(struct lake_run *r)
{
	char *archive = NULL;
	int rc = fs_remove_tree(r->dir);
	if (!rc)
		rc = fs_mkdirs(r->dir, 0700);
	r->fast = !rc && read_staged(r);
	if (!rc && !r->fast)
		rc = archive_path(r, &archive);
	if (!rc && !r->fast)
		rc = archive_read_batch(archive, r->dir, &r->m);
	free(archive);
	if (!rc && moment_parse(r->m.created, &r->created) != 0)
		rc = err_set(CDC_ERUNTIME, "batch %s: created '%s' is not a time", r->b->id,
			     r->m.created);
	for (size_t i = 0; i < r->m.nfiles && !rc; i++) {
		char *key = NULL;
		rc = file_key(r, i, &key);
		if (!rc)
			rc = put_file(r, i, key);
		free(key);
	}
	return rc;
}

int lake_publish(struct pipeline *p, const struct batch *b)
{
	if (!p->cfg->lake_prefix)
		return 0;
	struct lake_run r = {.p = p,
			     .b = b,
			     .layout = lakekey_layout(p->cfg),
			     .dir = xasprintf("%s/work/lake", state_dir(p->st))};
	int rc = publish_files(&r);
	if (!rc) {
		log_info("batch lake published id=%s files=%zu new=%zu prefix=%s from=%s", b->id,
			 r.m.nfiles, r.written, p->cfg->lake_prefix, r.fast ? "copy" : "archive");
		fault_point("after-lake");
	}
	manifest_free(&r.m);
	fs_remove_tree(r.dir);
	free(r.dir);
	return rc ? err_prefix(rc, "lake") : 0;
}
