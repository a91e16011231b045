/* The --json reports (report.h). */
#include "report.h"

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
}

void report_outcome_json(json_t *report, const char *command, bool ok, int exit_code,
			 int64_t duration_ms, const char *error)
{
	json_object_set_new(report, "command", json_string(command ? command : ""));
	json_object_set_new(report, "ok", json_boolean(ok));
	json_object_set_new(report, "exit_code", json_integer(exit_code));
	json_object_set_new(report, "duration_ms", json_integer(duration_ms));
	json_object_set_new(report, "error", error ? json_string(error) : json_null());
}

char *report_json_dump(const json_t *report)
{
	return json_dumps(report, JSON_COMPACT | JSON_ENSURE_ASCII);
}
