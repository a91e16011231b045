#include "capture.h"

#include "buf.h"
#include "codec.h"
#include "coltype.h"
#include "err.h"
#include "fault.h"
#include "hash.h"
#include "progress.h"
#include "stop.h"
#include "version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct capture_ops *capture_ops_for(enum capture_mode mode)
{
	switch (mode) {
	case CAPTURE_SNAPSHOT:
		return &snapshot_capture_ops;
	case CAPTURE_BINLOG:
		return &binlog_capture_ops;
	case CAPTURE_TRIGGER:
		break;
	}
	return &trigger_capture_ops;
}

struct load_ctx {
	struct package *pk;
	const struct table_def *def;
	struct progress bar;
};

static int add_load_row(void *ctx, const struct value *row)
{
	struct load_ctx *lc = ctx;
	progress_add(&lc->bar, 1);
	if (lc->bar.done == 1)
		fault_point("mid-load");
	/* load stops within a table: its work files go with the package. */
	int rc = stop_check();
	return rc ? rc : package_add_load_row(lc->pk, lc->def, row);
}

int capture_scan_table(struct pipeline *p, const char *table, struct package *pk,
		       struct table_def **def)
{
	int rc = p->sops->read->describe(p->src, table, def);
	if (!rc)
		rc = coltype_check_capturable(p->sops->driver, *def);
	if (!rc)
		rc = package_add_table(pk, *def);
	struct load_ctx lc = {pk, *def, {0}};
	char label[96];
	snprintf(label, sizeof(label), "load %s", NAME_SHOWN_SHORT(table));
	progress_start(&lc.bar, label, "rows", -1);
	if (!rc)
		rc = p->sops->read->scan(p->src, *def, NULL, add_load_row, &lc);
	progress_end(&lc.bar);
	return rc ? err_prefix(rc, "load table %s", NAME_SHOWN_SHORT(table)) : 0;
}

int capture_schema_stamp(struct pipeline *p, const char *check, char **out)
{
	*out = NULL;
	char *schema = NULL;
	const struct changelog_ops *cl = p->sops->changelog;
	int rc = cl && cl->schema_stamp ? cl->schema_stamp(p->src, &schema) : 0;
	if (rc || !schema)
		return rc;
	struct hash_stream h;
	hash_stream_init(&h);
	/* The build's commit too: a new build checks the schema again once. */
	const char *parts[] = {cdcpack_version(),   check, p->cfg->source_url, p->cfg->changelog,
			       p->owner.generation, schema};
	for (size_t i = 0; i < sizeof(parts) / sizeof(*parts); i++)
		hash_stream_update(&h, parts[i], strlen(parts[i]) + 1);
	for (size_t i = 0; i < p->tables.n; i++)
		hash_stream_update(&h, p->tables.v[i], strlen(p->tables.v[i]) + 1);
	char hex[HASH_HEX_LEN + 1];
	hash_stream_hex(&h, hex);
	hash_stream_free(&h);
	free(schema);
	*out = xstrdup(hex);
	return 0;
}
