#include "package.h"

#include "archive.h"
#include "buf.h"
#include "changefile.h"
#include "codec.h"
#include "err.h"
#include "fsutil.h"
#include "hash.h"
#include "log.h"
#include "manifest.h"
#include "pubstore.h"
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FLUSH_AT (256 << 10)
/* Buffers of FLUSH_AT bytes the worker may have waiting: enough to ride
 * out a slow write, bounded so that a fast producer waits. */
#define PK_QUEUE 4
/* Files whose zstd frame (and lake gzip copy) is made as they are
 * written: each holds a zstd context (about 1.3 MiB at level 3; igzip's
 * with its blocks about 0.7 MiB, gzstream.c) and a descriptor while open,
 * so a run with many tables open at once compresses the others when it
 * stages (and the lake step gzips their copies from the archive). */
#define PK_STREAMS 4

/* One change file being written. Owns def, entry, local, out and hash. */
struct pk_file {
	const struct table_def *origin; /* the driver's def: identifies the file */
	struct table_def *def;
	unsigned load_index;
	char *entry; /* name in the archive */
	char *local; /* path in the work dir: the plain bytes, when keeps_plain */
	int fd;	     /* -1: no plain copy kept */
	struct buf out;
	struct hash_stream hash;
	int64_t rows, ops[4], first_seq, last_seq, bytes;
	bool closed;
	/* The lake's gzip copy ([lake] compression = gzip), written with the
	 * file: NULL when none or closed; gz and its hash and size then. */
	struct archive_stream *lake;
	char *gz;
	char gz_xxh128[HASH_HEX_LEN + 1];
	int64_t gz_bytes;
	/* The archive's zstd frame of the file, made with it (archive.h,
	 * archive_write_frames): NULL when none or closed; zst then (NULL:
	 * none made, the archive compresses the file itself). */
	struct archive_stream *frame;
	char *zst;
	/* The first file's frame is followed (package_watch_frame): told on
	 * the worker as it grows. NULL: not followed. */
	package_frame_fn watch;
	void *watch_ctx;
};

/* Owns files, ranges and strings. */
struct package {
	const struct config *cfg;
	char *work_dir;
	char *kind;
	char *generation; /* NULL when none */
	bool is_load;
	bool op_column; /* the files have an Op column (CSV) */
	struct csv_style style;
	struct moment created;
	struct pk_file *files;
	size_t nfiles;
	int64_t (*ranges)[2];
	size_t nranges, capranges;
	int64_t rows;	     /* rows in the files */
	int64_t taken;	     /* changes and load rows taken, those cdc_ops leaves out included */
	struct pubstore *ps; /* borrowed; NULL: no published state kept */
	int64_t staged_seq;  /* the seq package_stage gave it; -1 before */
	/* Writes, hashes and compresses the files' bytes (write_job): a file's
	 * fd, hash, bytes and zstd frame are the worker's until close_file.
	 * The lake's gzip copy has a worker of its own (lake_job): zlib's
	 * deflate cost about as much as zstd, and on one thread with it the
	 * worker became the run's longest side whenever a lake was written
	 * (igzip, gzstream.c, now costs a quarter of that). */
	struct worker *worker, *lake_worker;
	struct buf lake_out; /* the copy handed to the lake worker, reused */
	size_t frames_open, lakes_open;
	package_frame_fn watch; /* package_watch_frame; NULL: none */
	void *watch_ctx;
	int64_t frame_at; /* package_frame_at */
};

int package_new(struct package **out, const struct config *cfg, const char *work_dir,
		const char *kind, struct moment created)
{
	*out = NULL;
	int rc = fs_remove_tree(work_dir);
	if (!rc)
		rc = fs_private_dir(work_dir, "work dir", false);
	if (rc)
		return rc;
	struct worker *w, *lw = NULL;
	rc = worker_start(&w, PK_QUEUE);
	if (!rc && cfg->lake_prefix && cfg->lake_compression == LAKE_GZIP &&
	    (rc = worker_start(&lw, PK_QUEUE)) != 0)
		worker_stop(w);
	if (rc)
		return rc;
	struct package *pk = xcalloc(1, sizeof(*pk));
	pk->worker = w;
	pk->lake_worker = lw;
	pk->cfg = cfg;
	pk->work_dir = xstrdup(work_dir);
	pk->kind = xstrdup(kind);
	pk->is_load = strcmp(kind, "load") == 0;
	/* DMS's CdcInsertsOnly writes I rows without an Op column, unless the
	 * load files have one (IncludeOpForFullLoad): the same rule here. */
	pk->op_column = cfg->format == FORMAT_JSONL || cfg->load_op_column ||
			(!pk->is_load && cfg->cdc_ops != CDC_OPS_INSERTS);
	csv_style_of(&pk->style, cfg);
	pk->created = created;
	pk->staged_seq = -1;
	pk->frame_at = -1;
	*out = pk;
	return 0;
}

/* On the worker: the file's next bytes written, hashed and compressed,
 * while the main thread formats the rows after them. */
static int write_job(void *ctx, const struct buf *data)
{
	struct pk_file *f = ctx;
	const char *p = data->data;
	size_t n = f->fd >= 0 ? data->len : 0; /* no plain copy kept (keeps_plain) */
	while (n) {
		ssize_t w = write(f->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return err_set(CDC_ERUNTIME, "%s: write: %s", f->local, strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	hash_stream_update(&f->hash, data->data, data->len);
	f->bytes += (int64_t)data->len;
	int rc = f->frame ? archive_stream_write(f->frame, data->data, data->len) : 0;
	if (!rc && f->watch)
		f->watch(f->watch_ctx, f->zst, archive_stream_size(f->frame));
	return rc;
}

/* On the lake worker: the same bytes gzipped for the lake's copy. */
static int lake_job(void *ctx, const struct buf *data)
{
	struct pk_file *f = ctx;
	return archive_stream_write(f->lake, data->data, data->len);
}

/* Hands f's buffered rows to the workers; f->out starts over empty. The
 * lake worker gets a copy: each worker owns the buffer it is handed. */
static int flush_file(struct package *pk, struct pk_file *f)
{
	if (!f->out.len)
		return 0;
	int rc = 0;
	if (f->lake) {
		buf_reset(&pk->lake_out);
		buf_add(&pk->lake_out, f->out.data, f->out.len);
		rc = worker_submit(pk->lake_worker, lake_job, f, &pk->lake_out);
	}
	int wrc = worker_submit(pk->worker, write_job, f, &f->out);
	return rc ? rc : wrc;
}

/* Both workers' jobs done; the first failure's code. */
static int drain_workers(struct package *pk)
{
	int rc = worker_drain(pk->worker);
	int lrc = pk->lake_worker ? worker_drain(pk->lake_worker) : 0;
	return rc ? rc : lrc;
}

/* The worker's jobs for f done, its files closed: only then does the main
 * thread read what the jobs wrote (bytes, hash, the lake's copy). */
static int close_file(struct package *pk, struct pk_file *f)
{
	if (f->closed)
		return 0;
	int rc = flush_file(pk, f);
	int done = drain_workers(pk);
	rc = rc ? rc : done;
	if (f->fd >= 0 && close(f->fd) != 0 && !rc)
		rc = err_set(CDC_ERUNTIME, "%s: close: %s", f->local, strerror(errno));
	int gz = archive_stream_close(f->lake, f->gz_xxh128, &f->gz_bytes);
	int zst = archive_stream_close(f->frame, NULL, NULL);
	pk->frames_open -= f->frame != NULL;
	pk->lakes_open -= f->lake != NULL;
	f->lake = f->frame = NULL;
	f->fd = -1;
	f->closed = true;
	return rc ? rc : gz ? gz : zst;
}

static unsigned files_for_table(const struct package *pk, const char *table)
{
	unsigned n = 0;
	for (size_t i = 0; i < pk->nfiles; i++)
		n += strcmp(pk->files[i].def->name, table) == 0;
	return n;
}

static char *entry_name(const struct package *pk, const struct table_def *def, unsigned index)
{
	char *dir = table_dir_name(def->name);
	char *base = pk->is_load ? load_file_name(index, pk->cfg->format)
				 : cdc_file_name(pk->created, index, pk->cfg->format);
	char *entry = xasprintf("%s/%s", dir, base);
	free(dir);
	free(base);
	return entry;
}

/* Whether f's plain bytes must be kept in its work file: the archive
 * compresses them from there when no frame was made as it was written,
 * and an uncompressed lake publishes that file itself. Otherwise nothing
 * reads them (a 100k-BLOB run wrote 300 MB there for nothing). */
static bool keeps_plain(const struct package *pk, const struct pk_file *f)
{
	return !f->frame || (pk->cfg->lake_prefix && pk->cfg->lake_compression == LAKE_NONE);
}

/* f's streams: the lake's gzip copy and the archive's zstd frame, each
 * while fewer than PK_STREAMS files have one. */
static int open_streams(struct package *pk, struct pk_file *f)
{
	int rc = 0;
	/* One pass over the bytes: the lake step publishes this copy instead
	 * of unpacking the archive and gzipping each file once more. */
	if (pk->cfg->lake_prefix && pk->cfg->lake_compression == LAKE_GZIP &&
	    pk->lakes_open < PK_STREAMS) {
		f->gz = xasprintf("%s/%zu.gz", pk->work_dir, pk->nfiles - 1);
		rc = archive_stream_open(&f->lake, f->gz, COMPRESS_GZIP);
		pk->lakes_open += f->lake != NULL;
	}
	/* The archive's compression, on the worker while rows are read. */
	if (!rc && pk->cfg->compression == COMPRESS_ZSTD && pk->frames_open < PK_STREAMS) {
		f->zst = xasprintf("%s/%zu.zst", pk->work_dir, pk->nfiles - 1);
		rc = archive_stream_open(&f->frame, f->zst, COMPRESS_ZSTD);
		pk->frames_open += f->frame != NULL;
	}
	return rc;
}

static int open_file(struct package *pk, const struct table_def *def, struct pk_file **out)
{
	unsigned index = files_for_table(pk, def->name) + 1;
	/* The workers' jobs point into pk->files, which may move. */
	int rc = drain_workers(pk);
	if (rc)
		return rc;
	pk->files = xrealloc(pk->files, (pk->nfiles + 1) * sizeof(*pk->files));
	struct pk_file *f = &pk->files[pk->nfiles];
	memset(f, 0, sizeof(*f));
	f->origin = def;
	f->def = table_def_copy(def);
	f->load_index = index;
	f->entry = entry_name(pk, def, index);
	f->local = xasprintf("%s/%zu.part", pk->work_dir, pk->nfiles);
	f->first_seq = f->last_seq = -1;
	f->fd = -1;
	hash_stream_init(&f->hash);
	pk->nfiles++;
	rc = open_streams(pk, f);
	if (!rc && pk->nfiles == 1 && f->frame) { /* the archive's first data frame */
		f->watch = pk->watch;
		f->watch_ctx = pk->watch_ctx;
	}
	if (!rc && keeps_plain(pk, f) && (f->fd = fs_create(f->local, 0600)) < 0)
		rc = err_set(CDC_ERUNTIME, "%s: cannot create: %s", f->local, strerror(errno));
	if (rc) {
		if (f->fd >= 0)
			close(f->fd);
		f->closed = true;
		return rc;
	}
	if (pk->cfg->csv_header && pk->cfg->format == FORMAT_CSV)
		changefile_csv_header(&f->out, &pk->style, def, pk->op_column,
				      pk->cfg->timestamp_column);
	*out = f;
	/* A load replaces what consumers held of the table. */
	return pk->ps && pk->is_load && index == 1 ? pubstore_note_reset(pk->ps, def) : 0;
}

/* The open file for def, a new one when none is open or the open one holds
 * max_rows rows. A trigger-mode run splits into batches of max_rows, but a
 * load or a snapshot diff is one consistent read shipped as one batch: its
 * files split instead, so no file grows without bound. */
static int file_for(struct package *pk, const struct table_def *def, struct pk_file **out)
{
	for (size_t i = pk->nfiles; i-- > 0;) {
		struct pk_file *f = &pk->files[i];
		if (f->origin != def || f->closed)
			continue;
		if (f->rows >= pk->cfg->max_rows) {
			int rc = close_file(pk, f);
			if (rc)
				return rc;
			break;
		}
		*out = f;
		return 0;
	}
	/* A load reads its tables one after another (capture_scan_table): the
	 * files of those before are done, and close now, their streams'
	 * memory and descriptors with them. */
	for (size_t i = 0; pk->is_load && i < pk->nfiles; i++) {
		int rc = close_file(pk, &pk->files[i]);
		if (rc)
			return rc;
	}
	return open_file(pk, def, out);
}

static int op_index(char op)
{
	return op == 'I' ? 0 : op == 'U' ? 1 : op == 'D' ? 2 : 3;
}

static int count_row(struct package *pk, struct pk_file *f, char op)
{
	f->rows++;
	f->ops[op_index(op)]++;
	pk->rows++;
	pk->taken++;
	return f->out.len >= FLUSH_AT ? flush_file(pk, f) : 0;
}

/* SQLite lets a non-INTEGER PRIMARY KEY column not declared NOT NULL hold
 * NULL. No replica can pair such a row (NULL equals nothing, and several
 * rows may hold it), so it would diverge without a word: stop instead, in
 * both capture modes alike. */
static int check_key(const struct package *pk, const struct table_def *def, const struct value *row,
		     int64_t seq)
{
	for (size_t i = 0; row && i < def->ncols; i++) {
		if (!def->cols[i].key || row[i].type != VAL_NULL)
			continue;
		if (seq < 0)
			return err_set(CDC_ERUNTIME,
				       "table %s: a row holds NULL in key column %s, which no "
				       "replica can pair; give it a key or delete it (and declare "
				       "%s NOT NULL)",
				       NAME_SHOWN_SHORT(def->name),
				       NAME_SHOWN_SHORT(def->cols[i].name),
				       NAME_SHOWN_SHORT(def->cols[i].name));
		return err_set(CDC_ERUNTIME,
			       "table %s: changelog seq %lld has NULL in key column %s, which no "
			       "replica can pair; fix the row at the source (give it a key or "
			       "delete it, and declare %s NOT NULL), then delete the change: "
			       "DELETE FROM %s WHERE seq = %lld",
			       NAME_SHOWN_SHORT(def->name), (long long)seq,
			       NAME_SHOWN_SHORT(def->cols[i].name),
			       NAME_SHOWN_SHORT(def->cols[i].name), pk->cfg->changelog,
			       (long long)seq);
	}
	return 0;
}

/* Whether [batch] cdc_ops writes changes of this op (DMS's CdcInsertsOnly,
 * CdcInsertsAndUpdates). */
static bool op_kept(const struct package *pk, char op)
{
	switch (pk->cfg->cdc_ops) {
	case CDC_OPS_INSERTS:
		return op == 'I';
	case CDC_OPS_INSERTS_AND_UPDATES:
		return op != 'D';
	default:
		return true;
	}
}

/* The timestamp column's value for a change at ts (ISO 8601 UTC). */
static int change_time(const struct change *c, char out[MOMENT_ISO_LEN])
{
	struct moment m;
	if (!c->ts || moment_parse(c->ts, &m) != 0)
		return err_set(CDC_ERUNTIME, "table %s: change seq %lld: time '%s' is not ISO 8601",
			       NAME_SHOWN_SHORT(c->def->name), (long long)c->seq,
			       NAME_SHOWN_SHORT(c->ts ? c->ts : ""));
	moment_dms(m, out);
	return 0;
}

int package_add_change(struct package *pk, const struct change *c)
{
	struct pk_file *f;
	char ts[MOMENT_ISO_LEN] = "";
	int rc = check_key(pk, c->def, c->before, c->seq);
	if (!rc)
		rc = check_key(pk, c->def, c->after, c->seq);
	if (!rc && !op_kept(pk, c->op)) {
		/* Taken, so acknowledged, but not written. */
		if (c->seq >= 0)
			package_add_seq(pk, c->seq);
		pk->taken++;
		return 0;
	}
	if (!rc && pk->cfg->timestamp_column)
		rc = change_time(c, ts);
	if (!rc)
		rc = file_for(pk, c->def, &f);
	if (rc)
		return rc;
	if (pk->cfg->format == FORMAT_CSV)
		/* DMS rows: I and U carry the new image, D the deleted row's last one. */
		changefile_csv_record(&f->out, &pk->style, c->def, pk->op_column ? c->op : 0,
				      c->op == 'D' ? c->before : c->after, ts);
	else
		changefile_jsonl_record(&f->out, c->def, c->op, c->seq, c->ts, c->before, c->after);
	if (f->first_seq < 0)
		f->first_seq = c->seq;
	f->last_seq = c->seq;
	if (c->seq >= 0) /* snapshot changes have none */
		package_add_seq(pk, c->seq);
	/* A TRUNCATE (binlog's T, no images) empties the table at its place. */
	if (pk->ps && c->op == 'T')
		rc = pubstore_note_reset(pk->ps, c->def);
	else if (pk->ps)
		rc = pubstore_note(pk->ps, c->def, c->op == 'D' ? c->before : c->after,
				   c->op == 'D');
	return rc ? rc : count_row(pk, f, c->op);
}

int package_add_load_row(struct package *pk, const struct table_def *def, const struct value *row)
{
	struct pk_file *f;
	int rc = check_key(pk, def, row, -1);
	if (!rc)
		rc = file_for(pk, def, &f);
	if (rc)
		return rc;
	char ts[MOMENT_ISO_LEN] = "";
	if (pk->cfg->timestamp_column)
		moment_dms(pk->created, ts); /* the load's time */
	if (pk->cfg->format == FORMAT_CSV)
		changefile_csv_record(&f->out, &pk->style, def, pk->op_column ? 'I' : 0, row, ts);
	else
		changefile_jsonl_record(&f->out, def, 'I', -1, NULL, NULL, row);
	if (pk->ps)
		rc = pubstore_note(pk->ps, def, row, false);
	return rc ? rc : count_row(pk, f, 'I');
}

int package_add_table(struct package *pk, const struct table_def *def)
{
	struct pk_file *f;
	return file_for(pk, def, &f);
}

void package_add_seq(struct package *pk, int64_t seq)
{
	if (pk->nranges && seq == pk->ranges[pk->nranges - 1][1] + 1) {
		pk->ranges[pk->nranges - 1][1] = seq;
		return;
	}
	if (pk->nranges == pk->capranges) {
		pk->capranges = pk->capranges ? pk->capranges * 2 : 16;
		pk->ranges = xrealloc(pk->ranges, pk->capranges * sizeof(*pk->ranges));
	}
	pk->ranges[pk->nranges][0] = pk->ranges[pk->nranges][1] = seq;
	pk->nranges++;
}

int64_t package_rows(const struct package *pk)
{
	return pk->taken;
}

size_t package_nfiles(const struct package *pk)
{
	return pk->nfiles;
}

int package_lake_file(const struct package *pk, int64_t seq, size_t i,
		      const struct manifest_file *mf, const char **path, int64_t *bytes,
		      char xxh128[HASH_HEX_LEN + 1])
{
	if (pk->staged_seq != seq || i >= pk->nfiles)
		return -1;
	const struct pk_file *f = &pk->files[i];
	char plain[HASH_HEX_LEN + 1];
	hash_stream_hex(&f->hash, plain);
	/* The archive's file i, as written: same name, size and checksum. */
	if (!f->closed || strcmp(f->entry, mf->path) != 0 || f->bytes != mf->bytes ||
	    strcmp(plain, mf->xxh128) != 0)
		return -1;
	if (pk->cfg->lake_compression == LAKE_NONE) { /* the lake's copy is the file itself */
		*path = f->local;
		*bytes = f->bytes;
		memcpy(xxh128, plain, sizeof(plain));
		return 0;
	}
	if (!f->gz || f->gz_bytes <= 0)
		return -1;
	*path = f->gz;
	*bytes = f->gz_bytes;
	memcpy(xxh128, f->gz_xxh128, sizeof(f->gz_xxh128));
	return 0;
}

static void fill_manifest(struct package *pk, struct manifest *m)
{
	for (size_t i = 0; i < pk->nfiles; i++) {
		struct pk_file *f = &pk->files[i];
		struct manifest_file *mf = manifest_add_file(m);
		mf->def = table_def_copy(f->def);
		mf->path = xstrdup(f->entry);
		mf->local = xstrdup(f->local);
		mf->format = pk->cfg->format;
		mf->op_column = pk->op_column;
		mf->header = pk->cfg->csv_header && pk->cfg->format == FORMAT_CSV;
		mf->csv = pk->style;
		mf->timestamp_column =
			pk->cfg->timestamp_column ? xstrdup(pk->cfg->timestamp_column) : NULL;
		mf->cdc_ops = pk->cfg->cdc_ops;
		mf->rows = f->rows;
		memcpy(mf->ops, f->ops, sizeof(f->ops));
		mf->first_seq = f->first_seq;
		mf->last_seq = f->last_seq;
		mf->bytes = f->bytes;
		hash_stream_hex(&f->hash, mf->xxh128);
	}
}

static void fill_batch(struct package *pk, struct batch *b, const struct manifest *m)
{
	b->kind = xstrdup(pk->kind);
	b->created = xstrdup(m->created);
	b->rows = pk->rows;
	b->first_seq = b->last_seq = -1;
	if (!pk->is_load && pk->nranges) {
		b->first_seq = pk->ranges[0][0];
		b->last_seq = pk->ranges[pk->nranges - 1][1];
	}
	b->ranges = xmalloc((pk->nranges ? pk->nranges : 1) * sizeof(*b->ranges));
	if (pk->nranges) /* snapshot batches have none, and pk->ranges is NULL then */
		memcpy(b->ranges, pk->ranges, pk->nranges * sizeof(*b->ranges));
	b->nranges = pk->nranges;
	b->generation = pk->generation ? xstrdup(pk->generation) : NULL;
	/* Files are in arrival order: a table's last file has its latest columns. */
	for (size_t i = 0; i < m->nfiles; i++) {
		strv_push(&b->shipped, m->files[i].def->name);
		strv_push_owned(&b->shipped, table_def_columns_text(m->files[i].def));
	}
}

/* A zstd archive from the frames made as the files were written. */
static int write_frames(struct package *pk, const char *path, time_t mtime,
			const struct manifest *m, struct batch *b)
{
	const char **frames = xcalloc(pk->nfiles ? pk->nfiles : 1, sizeof(*frames));
	for (size_t i = 0; i < pk->nfiles; i++)
		frames[i] = pk->files[i].zst;
	int64_t first_at;
	int rc = archive_write_frames(path, mtime, m, frames, b->xxh128, &b->bytes, &first_at);
	if (!rc && pk->nfiles && pk->files[0].watch)
		pk->frame_at = first_at;
	free(frames);
	return rc;
}

static int write_archive(struct package *pk, struct state *st, struct manifest *m, struct batch *b)
{
	const char *base = strrchr(b->key, '/') + 1;
	b->file = xasprintf("staging/%s", base);
	char *dir = xasprintf("%s/staging", state_dir(st));
	char *path = xasprintf("%s/%s", state_dir(st), b->file);
	char *tmp = xasprintf("%s.tmp", path);
	time_t mtime = pk->created.sec;
	int rc = fs_private_dir(dir, "staging dir", false);
	if (!rc)
		rc = pk->cfg->compression == COMPRESS_ZSTD
			     ? write_frames(pk, tmp, mtime, m, b)
			     : archive_write_batch(tmp, pk->cfg->compression, mtime, m, b->xxh128,
						   &b->bytes);
	/* Staged archives hold the data: 0600, and in place only once complete. */
	if (!rc && rename(tmp, path) != 0)
		rc = err_set(CDC_ERUNTIME, "%s: rename: %s", path, strerror(errno));
	if (!rc)
		rc = fs_fsync_dir(dir);
	if (rc)
		unlink(tmp);
	free(dir);
	free(path);
	free(tmp);
	return rc;
}

int package_stage(struct package *pk, struct state *st, const char *driver, struct batch *out)
{
	memset(out, 0, sizeof(*out));
	int rc = 0;
	for (size_t i = 0; i < pk->nfiles && !rc; i++)
		rc = close_file(pk, &pk->files[i]);
	char *previous = NULL;
	if (!rc)
		rc = state_next_seq(st, &out->seq, &previous);
	if (rc) {
		free(previous);
		return rc;
	}
	char created[MOMENT_ISO_LEN];
	moment_iso(pk->created, created);
	struct manifest m = {
		.batch_id = batch_id(pk->cfg->source_name, out->seq),
		.seq = out->seq,
		.kind = xstrdup(pk->kind),
		.mode = xstrdup(config_mode_name(pk->cfg->mode)),
		.created = xstrdup(created),
		.previous = previous,
		.chain = xstrdup(state_chain(st)),
		.source_name = xstrdup(pk->cfg->source_name),
		.driver = xstrdup(driver),
	};
	fill_manifest(pk, &m);
	out->id = xstrdup(m.batch_id);
	out->key = batch_key(pk->cfg->source_name, out->seq, pk->created, pk->cfg->compression);
	fill_batch(pk, out, &m);
	/* -v: where compressing ends and writing the staged archive begins
	 * (tests/bench/s3_blob_phases.sh times the run's steps by these lines). */
	log_debug("staging id=%s: change files closed, writing the archive", out->id);
	rc = write_archive(pk, st, &m, out);
	/* The published state's notes are durable before the batch exists. */
	if (!rc && pk->ps)
		rc = pubstore_commit(pk->ps);
	if (!rc)
		rc = state_add_batch(st, out);
	if (!rc)
		pk->staged_seq = out->seq;
	if (!rc)
		log_info("batch staged id=%s kind=%s rows=%lld files=%zu bytes=%lld", out->id,
			 out->kind, (long long)out->rows, m.nfiles, (long long)out->bytes);
	manifest_free(&m);
	return rc;
}

void package_free(struct package *pk)
{
	if (!pk)
		return;
	worker_stop(pk->worker); /* before the files their jobs point at go */
	worker_stop(pk->lake_worker);
	buf_free(&pk->lake_out);
	for (size_t i = 0; i < pk->nfiles; i++) {
		struct pk_file *f = &pk->files[i];
		if (!f->closed && f->fd >= 0)
			close(f->fd);
		archive_stream_close(f->lake, NULL, NULL);
		archive_stream_close(f->frame, NULL, NULL);
		free(f->gz);
		free(f->zst);
		table_def_free(f->def);
		free(f->entry);
		free(f->local);
		buf_free(&f->out);
		hash_stream_free(&f->hash);
	}
	fs_remove_tree(pk->work_dir);
	free(pk->files);
	free(pk->ranges);
	free(pk->work_dir);
	free(pk->kind);
	free(pk->generation);
	free(pk);
}

void package_watch_frame(struct package *pk, package_frame_fn fn, void *ctx)
{
	pk->watch = fn;
	pk->watch_ctx = ctx;
}

int64_t package_frame_at(const struct package *pk)
{
	return pk->staged_seq >= 0 ? pk->frame_at : -1;
}

void package_track(struct package *pk, struct pubstore *ps)
{
	pk->ps = ps;
}

void package_set_generation(struct package *pk, const char *generation)
{
	free(pk->generation);
	pk->generation = generation ? xstrdup(generation) : NULL;
}
