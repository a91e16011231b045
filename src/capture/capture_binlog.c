/* Binlog capture ([capture] mode = binlog, issue 14): changes read from the
 * MySQL/MariaDB binary log rather than from a changelog. Not built yet
 * beyond the server check: init checks the server (source_ops.log_check),
 * and a run or load is refused with a message saying so, rather than
 * shipping anything half-right. */
#include "capture.h"

#include "err.h"

static int not_yet(void)
{
	return err_set(CDC_EUSAGE,
		       "[capture] mode = binlog: reading the binary log is not "
		       "implemented yet (issue 14); this version only checks the server "
		       "in 'cdcpack init'; use mode = trigger or snapshot to ship changes");
}

static int binlog_check_source(const struct source_ops *ops, struct source *src)
{
	if (!ops->log_check)
		return err_set(CDC_EUSAGE,
			       "[capture] mode = binlog: the %s driver has no binary log",
			       ops->driver);
	return ops->log_check(src);
}

static int binlog_check(struct pipeline *p)
{
	(void)p;
	return not_yet();
}

static int binlog_first_load(struct pipeline *p, bool *load)
{
	(void)p;
	*load = false;
	return not_yet();
}

static int binlog_changes(struct pipeline *p, struct package *pk)
{
	(void)p;
	(void)pk;
	return not_yet();
}

static int binlog_load(struct pipeline *p, const struct strv *tables, struct package *pk)
{
	(void)p;
	(void)tables;
	(void)pk;
	return not_yet();
}

static int binlog_ack(struct pipeline *p, const struct batch *b)
{
	(void)p;
	(void)b;
	return not_yet();
}

const struct capture_ops binlog_capture_ops = {
	.name = "binlog",
	.uses_changelog = false,
	.batches_until_idle = true,
	.check_source = binlog_check_source,
	.check = binlog_check,
	.first_load = binlog_first_load,
	.changes = binlog_changes,
	.load = binlog_load,
	.ack = binlog_ack,
};
