#include "idle.h"

#include "buf.h"
#include "hash.h"
#include "log.h"
#include "source.h"
#include "version.h"

#include <stdlib.h>
#include <string.h>

/* The state's record of the last clean run's stamp. */
#define IDLE_KEY "idle_stamp"

static void add_str(struct buf *b, const char *s)
{
	/* Length first: no two lists of strings give the same text. */
	buf_addf(b, "%zu:%s;", s ? strlen(s) : 0, s ? s : "");
}

static void add_strv(struct buf *b, const struct strv *v)
{
	buf_addf(b, "%zu[", v->n);
	for (size_t i = 0; i < v->n; i++)
		add_str(b, v->v[i]);
	buf_adds(b, "]");
}

/* Every setting that shapes what a run captures or ships, and the config
 * file's bytes besides, so that a setting added later is never left out:
 * any edit of the file takes one full run. */
static int config_digest(const struct config *cfg, char out[HASH_HEX_LEN + 1])
{
	struct buf b = BUF_INIT;
	add_str(&b, cfg->path);
	add_str(&b, cfg->source_url);
	add_str(&b, cfg->source_name);
	add_str(&b, cfg->changelog);
	add_strv(&b, &cfg->tables);
	add_strv(&b, &cfg->exclude);
	buf_addf(&b, "%d %lld %d %d %d %lld %d %d %d %d %d %d %d %d %lld;", (int)cfg->mode,
		 (long long)cfg->reconcile_s, cfg->reconcile_kept, (int)cfg->format,
		 (int)cfg->compression, (long long)cfg->max_rows, cfg->csv_header,
		 cfg->load_op_column, (int)cfg->cdc_ops, cfg->csv_delimiter,
		 (int)cfg->binary_encoding, (int)cfg->lake_compression, (int)cfg->lake_partition,
		 (int)cfg->lake_delimiter, (long long)cfg->keep_local_s);
	add_str(&b, cfg->timestamp_column);
	add_str(&b, cfg->csv_null_value);
	add_str(&b, cfg->state_dir);
	add_str(&b, cfg->target_url);
	add_str(&b, cfg->temp_prefix);
	add_str(&b, cfg->final_prefix);
	add_str(&b, cfg->lake_prefix);
	add_str(&b, cfg->lake_schema);
	char file[HASH_HEX_LEN + 1];
	int64_t size;
	int rc = cfg->path ? hash_file(cfg->path, file, &size) : -1;
	add_str(&b, rc ? NULL : file);
	struct hash_stream h;
	hash_stream_init(&h);
	hash_stream_update(&h, b.data, b.len);
	hash_stream_hex(&h, out);
	hash_stream_free(&h);
	buf_free(&b);
	return rc;
}

int idle_stamp(const struct config *cfg, char **out)
{
	char *fp = NULL;
	char conf[HASH_HEX_LEN + 1];
	*out = NULL;
	int rc = source_fingerprint(cfg->source_url, &fp);
	if (rc || !fp) {
		log_debug("source %s: no fingerprint; the run opens it", cfg->source_url_shown);
		free(fp);
		return rc;
	}
	/* A config file that cannot be read again is a doubt, not an error:
	 * the run goes on as it would have. */
	if (config_digest(cfg, conf) == 0)
		*out = xasprintf("cdcpack %s config %s source %s", cdcpack_version(), conf, fp);
	free(fp);
	return 0;
}

int idle_same(struct state *st, const char *stamp, bool *yes)
{
	char *last = NULL;
	int rc = stamp ? state_meta_get(st, IDLE_KEY, &last) : 0;
	*yes = !rc && stamp && last && strcmp(stamp, last) == 0;
	free(last);
	return rc;
}

int idle_note(struct state *st, const char *stamp)
{
	if (stamp)
		return state_meta_set(st, IDLE_KEY, stamp);
	/* Forgetting writes (an fsync) only when there is a stamp to forget:
	 * a source without fingerprints (MySQL) never has one. */
	char *last = NULL;
	int rc = state_meta_get(st, IDLE_KEY, &last);
	if (!rc && last && *last)
		rc = state_meta_set(st, IDLE_KEY, "");
	free(last);
	return rc;
}
