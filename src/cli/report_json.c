/* The --json reports (report.h). */
#include "report.h"

#include "recrecord.h"
#include "redact.h"

#include <stdlib.h>

/* A URL as a report shows it: redacted (redact.h), or null. */
static json_t *url_json(const char *url)
{
	if (!url)
		return json_null();
	char *shown = url_redact(url);
	json_t *j = json_string(shown);
	free(shown);
	return j;
}

static json_t *strv_json(const struct strv *v)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(arr, json_text(v->v[i]));
	return arr;
}

static json_t *reconciled_json(const struct reconcile_result *r)
{
	return reconcile_tables_json(r);
}

/* The last reconcile as status shows it: {"at", "batch", "tables",
 * "repaired"}, or null. */
static json_t *status_reconcile_json(const struct reconcile_result *r)
{
	if (!r)
		return json_null();
	return json_pack("{s:s, s:s?, s:o, s:I}", "at", r->at, "batch", r->batch, "tables",
			 reconciled_json(r), "repaired", (json_int_t)reconcile_repaired(r));
}

void report_run_json(json_t *report, const struct run_result *res)
{
	json_object_set_new(report, "batches", json_integer(res->batches));
	json_object_set_new(report, "recovered", json_integer(res->recovered));
	json_object_set_new(report, "rows", json_integer(res->rows));
	json_object_set_new(report, "bytes", json_integer(res->bytes));
	json_t *published = json_array();
	for (int i = 0; i < res->batches; i++) {
		const struct run_batch *b = &res->published[i];
		json_array_append_new(published,
				      json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "id", b->id,
						"key", b->key, "kind", b->kind, "seq",
						(json_int_t)b->seq, "rows", (json_int_t)b->rows,
						"bytes", (json_int_t)b->bytes));
	}
	json_object_set_new(report, "published", published);
	if (res->reconciled)
		json_object_set_new(report, "reconciled", reconciled_json(res->reconciled));
}

void report_apply_json(json_t *report, const char *replica_url, const struct apply_result *res)
{
	json_object_set_new(report, "replica", url_json(replica_url));
	json_object_set_new(report, "batches", json_integer(res->batches));
	json_object_set_new(report, "rows", json_integer(res->rows));
	json_object_set_new(report, "last_seq", json_integer(res->last_seq));
	json_object_set_new(report, "applied", strv_json(&res->applied));
	json_object_set_new(report, "warnings", strv_json(&res->warnings));
}

/* A table's entry of diff's report. */
static json_t *diff_table_json(const struct dbdiff_table_result *t)
{
	json_t *o = json_named(
		t->name,
		json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "status", dbdiff_status_name(t->status),
			  "rows_a", (json_int_t)t->rows_a, "rows_b", (json_int_t)t->rows_b,
			  "inserted", (json_int_t)t->inserted, "updated", (json_int_t)t->updated,
			  "deleted", (json_int_t)t->deleted));
	json_object_set_new(o, "columns_only_in_a", strv_json(&t->only_a));
	json_object_set_new(o, "columns_only_in_b", strv_json(&t->only_b));
	json_object_set_new(o, "problem", t->problem ? json_text(t->problem) : json_null());
	return o;
}

/* verify's: diff's fields, then the same counts named for the source (A)
 * and the replica (B). */
static json_t *verify_table_json(const struct dbdiff_table_result *t)
{
	json_t *o = diff_table_json(t);
	json_object_set_new(o, "only_in_source", json_integer(t->deleted));
	json_object_set_new(o, "only_in_replica", json_integer(t->inserted));
	json_object_set_new(o, "different", json_integer(t->updated));
	json_object_set_new(o, "columns_only_in_source", strv_json(&t->only_a));
	json_object_set_new(o, "columns_only_in_replica", strv_json(&t->only_b));
	return o;
}

static json_t *tables_json(const struct dbdiff_result *res,
			   json_t *(*table_json)(const struct dbdiff_table_result *))
{
	json_t *arr = json_array();
	for (size_t i = 0; i < res->ntables; i++)
		json_array_append_new(arr, table_json(&res->tables[i]));
	return arr;
}

void report_verify_json(json_t *report, const char *against_url, bool equal,
			const struct compare_result *res)
{
	json_object_set_new(report, "against", url_json(against_url));
	json_object_set_new(report, "equal", json_boolean(equal));
	json_object_set_new(report, "differences", json_integer(res->diff.differences));
	json_object_set_new(report, "tables", tables_json(&res->diff, verify_table_json));
}

void report_diff_json(json_t *report, const char *url_a, const char *url_b, bool equal,
		      const struct dbdiff_result *res)
{
	json_object_set_new(report, "a", url_json(url_a));
	json_object_set_new(report, "b", url_json(url_b));
	json_object_set_new(report, "equal", json_boolean(equal));
	json_object_set_new(report, "differences", json_integer(res->differences));
	json_object_set_new(report, "tables", tables_json(res, diff_table_json));
}

static json_t *status_batches_json(const struct status_result *res)
{
	json_t *o = json_object();
	for (int s = BATCH_STAGED; s <= BATCH_ACKED; s++)
		json_object_set_new(o, batch_state_name((enum batch_state)s),
				    json_integer(res->batches[s]));
	return o;
}

static json_t *status_last_json(const struct status_last *last)
{
	if (!last)
		return json_null();
	return json_pack("{s:s, s:s, s:I, s:s?, s:s}", "id", last->id, "key", last->key, "rows",
			 (json_int_t)last->rows, "published_at", last->published_at, "created",
			 last->created);
}

/* A table's pending changes: null where the mode cannot count them. */
static json_t *status_table_json(const struct status_table *t)
{
	if (!t->counted)
		return json_named(t->name,
				  json_pack("{s:n, s:n, s:n}", "pending", "installed", "drift"));
	if (t->stray)
		return json_named(t->name, json_pack("{s:I, s:b, s:b, s:b, s:[o]}", "pending",
						     (json_int_t)t->pending, "installed",
						     t->installed, "drift", t->drift, "captured", 0,
						     "warnings", json_text(t->stray)));
	return json_named(t->name, json_pack("{s:I, s:b, s:b}", "pending", (json_int_t)t->pending,
					     "installed", t->installed, "drift", t->drift));
}

static void status_pending_json(json_t *report, const struct status_result *res)
{
	json_t *tables = json_array();
	for (size_t i = 0; i < res->ntables; i++)
		json_array_append_new(tables, status_table_json(&res->tables[i]));
	json_object_set_new(report, "tables", tables);
	bool known = !res->pending_unknown;
	json_object_set_new(report, "pending", known ? json_integer(res->pending) : json_null());
	json_object_set_new(report, "pending_unknown",
			    known ? json_null() : json_string(res->pending_unknown));
	json_object_set_new(report, "lag_seconds",
			    !known	   ? json_null()
			    : res->lagging ? json_real(res->lag_seconds)
					   : json_integer(0));
	json_object_set_new(report, "oldest_pending",
			    known && res->lagging ? json_string(res->oldest) : json_null());
}

/* A mode that reads a log: its acknowledged position and how far the log
 * runs past it. */
static void status_log_json(json_t *report, const struct status_result *res)
{
	const char *pos = res->log_at.pos;
	bool known = pos && !res->log_lag.gone;
	if (known)
		json_object_set_new(report, "lag_seconds", json_integer(res->log_lag.seconds));
	json_object_set_new(report, "log_position", pos ? json_string(pos) : json_null());
	json_object_set_new(report, "log_gtid",
			    res->log_at.gtid ? json_string(res->log_at.gtid) : json_null());
	json_object_set_new(report, "lag_bytes",
			    known ? json_integer(res->log_lag.bytes) : json_null());
	json_t *warnings = json_array();
	if (res->log_lag.warning)
		json_array_append_new(warnings, json_string(res->log_lag.warning));
	json_object_set_new(report, "warnings", warnings);
}

void report_status_json(json_t *report, const struct config *cfg, const struct status_result *res)
{
	json_object_set_new(report, "mode", json_string(config_mode_name(cfg->mode)));
	if (res->have < STATUS_STATE)
		return;
	json_object_set_new(report, "chain", res->chain ? json_string(res->chain) : json_null());
	json_object_set_new(report, "state_written_by",
			    res->written_by ? json_text(res->written_by) : json_null());
	json_object_set_new(report, "batches", status_batches_json(res));
	json_object_set_new(report, "last_published", status_last_json(res->last));
	json_object_set_new(report, "reconcile", status_reconcile_json(res->last_reconcile));
	if (res->have < STATUS_PENDING)
		return;
	status_pending_json(report, res);
	if (res->reads_log)
		status_log_json(report, res);
	if (res->have < STATUS_TARGET)
		return;
	json_object_set_new(report, "target_reachable", json_boolean(res->target_reachable));
	json_object_set_new(report, "target_error",
			    res->target_error ? json_text(res->target_error) : json_null());
}

void report_outcome_json(json_t *report, const char *command, bool ok, int exit_code,
			 int64_t duration_ms, const char *error)
{
	json_object_set_new(report, "command", json_string(command ? command : ""));
	json_object_set_new(report, "ok", json_boolean(ok));
	json_object_set_new(report, "exit_code", json_integer(exit_code));
	json_object_set_new(report, "duration_ms", json_integer(duration_ms));
	json_object_set_new(report, "error", error ? json_text(error) : json_null());
}

char *report_json_dump(const json_t *report)
{
	return json_dumps(report, JSON_COMPACT | JSON_ENSURE_ASCII);
}
