/* cdcpack show ARCHIVE|KEY */
#include "archive.h"
#include "buf.h"
#include "cmd.h"
#include "codec.h"
#include "err.h"
#include "fsutil.h"
#include "manifest.h"
#include "target.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* s as name_shown spells it, padded to width: everything shown is read from
 * the archive, which anyone who writes the bucket may have made. */
static void add_shown(struct buf *b, const char *s, int width)
{
	size_t from = b->len;
	text_shown_add(b, s, strlen(s), true);
	buf_addf(b, "%*s", width > (int)(b->len - from) ? width - (int)(b->len - from) : 0, "");
}

static void print_manifest(struct cmd_ctx *ctx, const struct manifest *m, const char *what)
{
	struct buf b = BUF_INIT;
	const char *fields[][2] = {{"\n  batch    ", m->batch_id},
				   {" (seq ", NULL},
				   {", ", m->kind},
				   {", ", m->mode},
				   {" mode)\n  created  ", m->created},
				   {"\n  previous ", m->previous ? m->previous : "-"},
				   {"\n  source   ", m->source_name},
				   {" (", m->driver}};
	add_shown(&b, what, 0);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		buf_adds(&b, fields[i][0]);
		if (fields[i][1])
			add_shown(&b, fields[i][1], 0);
		else
			buf_addf(&b, "%lld", (long long)m->seq);
	}
	buf_adds(&b, ")\n");
	if (m->xxh128[0])
		buf_addf(&b, "  manifest xxh128=%s ok\n", m->xxh128);
	else
		buf_adds(&b, "  manifest has no checksum of its own (written before cdcpack "
			     "recorded one)\n");
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct manifest_file *f = &m->files[i];
		buf_adds(&b, "  ");
		add_shown(&b, f->path, 40);
		buf_adds(&b, " ");
		add_shown(&b, f->def->name, 0);
		buf_addf(&b, " rows=%lld I=%lld U=%lld D=%lld", (long long)f->rows,
			 (long long)f->ops[0], (long long)f->ops[1], (long long)f->ops[2]);
		if (f->ops[3])
			buf_addf(&b, " T=%lld", (long long)f->ops[3]);
		buf_addf(&b, " bytes=%lld xxh128=%s ok\n", (long long)f->bytes, f->xxh128);
	}
	cmd_print_text(ctx, &b);
	buf_free(&b);
}

/* A local file is read as is; anything else is a key at the configured target. */
static int fetch(struct cmd_ctx *ctx, const char *what, const char *tmp, char **path)
{
	if (access(what, F_OK) == 0) {
		*path = xstrdup(what);
		return 0;
	}
	struct config cfg;
	const struct target_ops *ops = NULL;
	struct target *tgt = NULL;
	int rc = cmd_load_config(ctx, &cfg);
	if (!rc)
		rc = target_open(&ops, &tgt, &cfg);
	*path = xasprintf("%s/archive", tmp);
	if (!rc)
		rc = ops->get_file(tgt, what, *path);
	if (rc == CDC_ENOTFOUND)
		rc = err_set(CDC_ERUNTIME, "show: %s is neither a local file nor a key at %s", what,
			     cfg.target_url);
	if (ops)
		ops->close(tgt);
	config_free(&cfg);
	return rc;
}

/* Fetches what (a file or a key) into a temp dir, checks it, prints it. */
static int show(struct cmd_ctx *ctx, const char *what)
{
	const char *base = getenv("TMPDIR");
	char *tmp = xasprintf("%s/cdcpack-show.XXXXXX", base && *base ? base : "/tmp");
	char *path = NULL;
	struct manifest m = {0};
	int rc = mkdtemp(tmp) ? 0 : err_set(CDC_ERUNTIME, "%s: cannot create temp dir", tmp);
	if (!rc)
		rc = fetch(ctx, what, tmp, &path);
	if (!rc)
		rc = archive_read_batch(path, tmp, &m);
	if (!rc) {
		print_manifest(ctx, &m, what);
		json_object_set_new(ctx->report, "manifest", manifest_to_json(&m));
		json_object_set_new(ctx->report, "checksums_ok", json_true());
	}
	manifest_free(&m);
	fs_remove_tree(tmp);
	free(tmp);
	free(path);
	return rc;
}

static int cmd_show(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct strv args = {0};
	int rc = cmd_parse(&cmd_show_entry, argc, argv, NULL, &args);
	if (!rc && args.n != 1)
		rc = err_set(CDC_EUSAGE, "show: give exactly one ARCHIVE file or object KEY");
	if (!rc)
		rc = show(ctx, args.v[0]);
	strv_free(&args);
	return rc;
}

const struct cmd_entry cmd_show_entry = {
	.name = "show",
	.args = "ARCHIVE|KEY",
	.summary = "print an archive's manifest and check its checksums",
	.help = "ARCHIVE is a local .tar.zst (.tar.gz, .tar.xz, .tar) file; anything else is\n"
		"read as an object key at the configured target. The manifest is checked\n"
		"against its own checksum, and every file against the manifest (names, sizes,\n"
		"XXH3-128); a damaged archive is exit 3.\n"
		"\nExamples:\n"
		"  cdcpack show .cdcpack/staging/shop-00000007-20261124T101112Z.tar.zst\n"
		"  cdcpack show cdc/shop/2026/11/24/shop-00000007-20261124T101112Z.tar.zst\n",
	.exec = cmd_show,
};
