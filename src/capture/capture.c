#include "capture.h"

#include "err.h"
#include "fault.h"
#include "progress.h"
#include "stop.h"

#include <stdio.h>

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
		rc = package_add_table(pk, *def);
	struct load_ctx lc = {pk, *def, {0}};
	char label[96];
	snprintf(label, sizeof(label), "load %s", table);
	progress_start(&lc.bar, label, "rows", -1);
	if (!rc)
		rc = p->sops->read->scan(p->src, *def, add_load_row, &lc);
	progress_end(&lc.bar);
	return rc ? err_prefix(rc, "load table %s", table) : 0;
}
