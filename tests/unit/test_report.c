/* The commands' reports (src/cli/report.h): a filled result renders to the
 * exact --json line and text the README documents, and any string (table
 * names are the user's bytes) is escaped in the JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "recrecord.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define KEY1 "cdc/shop/2026/11/24/shop-00000001-20261124T101112Z.tar.zst"
#define KEY2 "cdc/shop/2026/11/24/shop-00000002-20261124T101113Z.tar.zst"

/* Renders report (taking it) as main prints it, with the outcome's fields. */
static char *dump(json_t *report, const char *command, bool ok, int exit_code, const char *error)
{
	report_outcome_json(report, command, ok, exit_code, 12, error);
	char *text = report_json_dump(report);
	json_decref(report);
	return text;
}

static void run_report_renders_fields_in_order(void **state)
{
	(void)state;
	struct run_batch published[] = {
		{"shop-00000001", KEY1, "load", 1, 10, 1000},
		{"shop-00000002", KEY2, "cdc", 2, 20, 2000},
	};
	struct run_result res = {.recovered = 1,
				 .batches = 2,
				 .rows = 30,
				 .bytes = 3000,
				 .published = published,
				 .ok = true};
	json_t *report = json_object();
	report_run_json(report, &res);
	char *text = dump(report, "run", true, 0, NULL);
	assert_string_equal(
		text, "{\"batches\":2,\"recovered\":1,\"rows\":30,\"bytes\":3000,\"published\":["
		      "{\"id\":\"shop-00000001\",\"key\":\"" KEY1 "\",\"kind\":\"load\","
		      "\"seq\":1,\"rows\":10,\"bytes\":1000},"
		      "{\"id\":\"shop-00000002\",\"key\":\"" KEY2 "\",\"kind\":\"cdc\","
		      "\"seq\":2,\"rows\":20,\"bytes\":2000}],"
		      "\"command\":\"run\",\"ok\":true,\"exit_code\":0,\"duration_ms\":12,"
		      "\"error\":null}");
	free(text);

	struct buf out = BUF_INIT;
	report_run_text(&out, &res);
	assert_string_equal(buf_str(&out), "published load  " KEY1 "  rows=10\n"
					   "published cdc  " KEY2 "  rows=20\n");
	/* A reconcile's findings follow the batches, a line a table. */
	struct reconcile_table found[] = {{"orders", NULL, 100, 1, 2, 0, 3},
					  {"old", "no load acknowledged", 0, 0, 0, 0, 0}};
	struct reconcile_result rec = {"2026-11-24T09:00:00.000Z", NULL, found, 2};
	res.reconciled = &rec;
	buf_reset(&out);
	report_run_text(&out, &res);
	assert_string_equal(buf_str(&out),
			    "published load  " KEY1 "  rows=10\n"
			    "published cdc  " KEY2 "  rows=20\n"
			    "reconcile orders: rows=100 inserted=1 updated=2 deleted=0 pending=3\n"
			    "reconcile old: not compared (no load acknowledged)\n");
	report = json_object();
	report_run_json(report, &res);
	text = report_json_dump(report);
	json_decref(report);
	assert_non_null(strstr(text, "\"reconciled\":[{\"table\":\"orders\",\"rows\":100,"));
	free(text);
	/* An idle run says so; a failed one does not claim it. */
	struct run_result idle = {.ok = true};
	buf_reset(&out);
	report_run_text(&out, &idle);
	assert_string_equal(buf_str(&out), "nothing to publish\n");
	idle.ok = false;
	buf_reset(&out);
	report_run_text(&out, &idle);
	assert_string_equal(buf_str(&out), "");
	buf_free(&out);
}

static void apply_report_redacts_the_replica_url(void **state)
{
	(void)state;
	struct apply_result res = {.batches = 2, .rows = 5, .last_seq = 7};
	strv_push(&res.applied, "shop-00000006");
	strv_push(&res.applied, "shop-00000007");
	json_t *report = json_object();
	report_apply_json(report, "mysql://cdc:hunter2@db.example/shop", &res);
	char *text = dump(report, "apply", false, 3, "apply: it \"broke\"");
	assert_string_equal(text,
			    "{\"replica\":\"mysql://cdc:***@db.example/shop\",\"batches\":2,"
			    "\"rows\":5,\"last_seq\":7,"
			    "\"applied\":[\"shop-00000006\",\"shop-00000007\"],\"warnings\":[],"
			    "\"command\":\"apply\",\"ok\":false,\"exit_code\":3,"
			    "\"duration_ms\":12,\"error\":\"apply: it \\\"broke\\\"\"}");
	free(text);
	struct buf out = BUF_INIT;
	report_apply_text(&out, &res);
	assert_string_equal(buf_str(&out),
			    "applied 2 batch(es), 5 row(s); replica is at batch 7\n");
	buf_free(&out);
	apply_result_free(&res);
}

/* One table of each kind verify and diff report. */
static void fill_diff(struct dbdiff_result *res)
{
	res->ntables = 2;
	res->tables = calloc(2, sizeof(*res->tables));
	res->differences = 4;
	res->tables[0] = (struct dbdiff_table_result){.name = strdup("orders"),
						      .status = DBDIFF_COMPARED,
						      .rows_a = 5,
						      .rows_b = 6,
						      .inserted = 2,
						      .updated = 1,
						      .deleted = 1};
	strv_push(&res->tables[0].only_a, "note");
	strv_push(&res->tables[0].only_b, "extra");
	strv_push(&res->tables[0].only_b, "more");
	res->tables[1] =
		(struct dbdiff_table_result){.name = strdup("tags"),
					     .status = DBDIFF_KEYS_DIFFER,
					     .rows_a = 0,
					     .rows_b = 0,
					     .problem = strdup("the keys differ: (a) against (b)")};
}

static void verify_report_names_the_sides(void **state)
{
	(void)state;
	struct compare_result res = {0};
	fill_diff(&res.diff);
	json_t *report = json_object();
	report_verify_json(report, "sqlite:replica.db", false, &res);
	char *text = dump(report, "verify", true, 1, NULL);
	assert_string_equal(
		text,
		"{\"against\":\"sqlite:replica.db\",\"equal\":false,\"differences\":4,\"tables\":["
		"{\"name\":\"orders\",\"status\":\"compared\",\"rows_a\":5,\"rows_b\":6,"
		"\"inserted\":2,\"updated\":1,\"deleted\":1,\"columns_only_in_a\":[\"note\"],"
		"\"columns_only_in_b\":[\"extra\",\"more\"],\"problem\":null,"
		"\"only_in_source\":1,\"only_in_replica\":2,\"different\":1,"
		"\"columns_only_in_source\":[\"note\"],"
		"\"columns_only_in_replica\":[\"extra\",\"more\"]},"
		"{\"name\":\"tags\",\"status\":\"keys_differ\",\"rows_a\":0,\"rows_b\":0,"
		"\"inserted\":0,\"updated\":0,\"deleted\":0,\"columns_only_in_a\":[],"
		"\"columns_only_in_b\":[],\"problem\":\"the keys differ: (a) against (b)\","
		"\"only_in_source\":0,\"only_in_replica\":0,\"different\":0,"
		"\"columns_only_in_source\":[],\"columns_only_in_replica\":[]}],"
		"\"command\":\"verify\",\"ok\":true,\"exit_code\":1,\"duration_ms\":12,"
		"\"error\":null}");
	free(text);
	struct buf out = BUF_INIT;
	report_verify_text(&out, false, &res);
	assert_string_equal(
		buf_str(&out),
		"orders                   only-in-source=1 only-in-replica=2 different=1\n"
		"  table orders: columns only in the source: note\n"
		"  table orders: columns only in the replica: extra, more (allowed: rows compare "
		"on the source's columns)\n"
		"tags                     only-in-source=0 only-in-replica=0 different=0\n"
		"  table tags: the keys differ: (a) against (b); its rows were not compared\n"
		"replica differs from the source (-v lists the keys)\n");
	buf_free(&out);
	compare_result_free(&res);
}

static void diff_report_and_text(void **state)
{
	(void)state;
	struct dbdiff_result res = {0};
	fill_diff(&res);
	res.tables[1].status = DBDIFF_ONLY_B;
	json_t *report = json_object();
	report_diff_json(report, "sqlite:a.db", NULL, false, &res);
	char *text = dump(report, "diff", true, 1, NULL);
	assert_non_null(strstr(text, "{\"a\":\"sqlite:a.db\",\"b\":null,\"equal\":false,"
				     "\"differences\":4,\"tables\":[{\"name\":\"orders\","));
	assert_non_null(strstr(text, "\"problem\":null},{\"name\":\"tags\",\"status\":"
				     "\"only_in_b\","));
	assert_null(strstr(text, "only_in_source"));
	free(text);
	struct buf out = BUF_INIT;
	report_diff_text(&out, false, &res);
	assert_string_equal(buf_str(&out),
			    "orders                   compared    inserted=2 updated=1 deleted=1\n"
			    "tags                     only_in_b   inserted=0 updated=0 deleted=0\n"
			    "A and B differ\n");
	buf_free(&out);
	dbdiff_result_free(&res);
}

/* A table's name is whatever bytes its database allows: quotes, a
 * backslash, control bytes and UTF-8 reach the JSON escaped, in ASCII. */
static void strings_are_escaped(void **state)
{
	(void)state;
	struct dbdiff_result res = {.ntables = 1, .tables = calloc(1, sizeof(*res.tables))};
	res.tables[0].name = strdup("W\xc3\xa9\"q\\b\x01\x1f\n\t/\xf0\x9f\x98\x80");
	json_t *report = json_object();
	report_diff_json(report, "sqlite:a.db", "sqlite:b.db", true, &res);
	char *text = dump(report, "diff", true, 0, NULL);
	assert_non_null(strstr(text,
			       "\"tables\":[{\"name\":\"W\\u00E9\\\"q\\\\b\\u0001\\u001F\\n\\t/"
			       "\\uD83D\\uDE00\",\"status\":\"compared\","));
	for (const char *p = text; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
	free(text);
	dbdiff_result_free(&res);
}

/* A name that is not UTF-8 (SQLite allows any bytes) is still named: JSON
 * gives it with U+FFFD and its bytes in name_hex, text as \xHH; a
 * reconcile record keeps its bytes. */
static void names_not_utf8_are_named(void **state)
{
	(void)state;
	struct dbdiff_result res = {.ntables = 2, .tables = calloc(2, sizeof(*res.tables))};
	res.tables[0].name = strdup("bad\xff\xfename");
	res.tables[1].name = strdup("a\\b\tc");
	strv_push(&res.tables[0].only_a, "c\xff");
	json_t *report = json_object();
	report_diff_json(report, "sqlite:a.db", "sqlite:b.db", false, &res);
	char *text = dump(report, "diff", true, 1, NULL);
	assert_non_null(strstr(text, "\"tables\":[{\"name\":\"bad\\uFFFD\\uFFFDname\","
				     "\"name_hex\":\"626164FFFE6E616D65\",\"status\":"));
	assert_non_null(strstr(text, "\"columns_only_in_a\":[\"c\\uFFFD\"]"));
	assert_non_null(strstr(text, "{\"name\":\"a\\\\b\\tc\",\"status\":"));
	assert_null(strstr(text, "\"name\":\"a\\\\b\\tc\",\"name_hex\""));
	free(text);
	struct compare_result cres = {.diff = res};
	report = json_object();
	report_verify_json(report, "sqlite:b.db", false, &cres);
	text = dump(report, "verify", true, 1, NULL);
	assert_non_null(strstr(text, "\"name_hex\":\"626164FFFE6E616D65\""));
	free(text);
	struct buf out = BUF_INIT;
	report_diff_text(&out, false, &res);
	assert_string_equal(
		buf_str(&out),
		"bad\\xFF\\xFEname          compared    inserted=0 updated=0 deleted=0\n"
		"a\\\\b\\x09c                compared    inserted=0 updated=0 deleted=0\n"
		"A and B differ\n");
	buf_free(&out);
	dbdiff_result_free(&res);

	struct status_table tables[] = {{"bad\xffname", true, 3, true, false, NULL}};
	struct config cfg = {.source_name = "s", .mode = CAPTURE_TRIGGER};
	struct status_result st = {
		.have = STATUS_PENDING, .tables = tables, .ntables = 1, .pending = 3};
	report = json_object();
	report_status_json(report, &cfg, &st);
	text = dump(report, "status", true, 0, NULL);
	assert_non_null(strstr(text, "\"tables\":[{\"name\":\"bad\\uFFFDname\",\"name_hex\":"
				     "\"626164FF6E616D65\",\"pending\":3,"));
	free(text);

	struct reconcile_table found[] = {{"r\xffx", NULL, 1, 0, 0, 0, 0}};
	struct reconcile_result rec = {"2026-11-24T09:00:00.000Z", NULL, found, 1};
	struct reconcile_result *back = calloc(1, sizeof(*back));
	char *record = reconcile_record_text(&rec);
	assert_non_null(record);
	assert_non_null(back);
	assert_non_null(strstr(record, "\"table_hex\":\"72FF78\""));
	reconcile_record_parse(record, back);
	assert_int_equal(back->ntables, 1);
	assert_string_equal(back->tables[0].table, "r\xffx");
	reconcile_result_destroy(back);
	free(record);
}

/* status of a trigger-mode source: counted, stray and the last batch. */
static void status_report_and_text(void **state)
{
	(void)state;
	struct config cfg = {.source_name = "shop",
			     .source_url = "sqlite:shop.db",
			     .target_url = "file:bucket",
			     .mode = CAPTURE_TRIGGER};
	struct status_last last = {"shop-00000002", KEY2, "2026-11-24T10:11:13.000Z", NULL, 20};
	struct status_table tables[] = {
		{"orders", true, 3, true, true, NULL},
		{"old", true, 1, true, false, "old is not captured"},
	};
	struct reconcile_table found[] = {
		{"orders", NULL, 100, 1, 2, 0, 3},
		{"old", "no load acknowledged", 0, 0, 0, 0, 0},
	};
	struct reconcile_result rec = {"2026-11-24T09:00:00.000Z", "shop-00000001", found, 2};
	struct status_result res = {.have = STATUS_TARGET,
				    .chain = "c0ffee",
				    .written_by = "0.1.0 (commit 0123456789ab)",
				    .batches = {0, 1, 0, 2},
				    .last = &last,
				    .last_reconcile = &rec,
				    .tables = tables,
				    .ntables = 2,
				    .pending = 4,
				    .oldest = "2026-11-24T10:00:00.000Z",
				    .lagging = true,
				    .lag_seconds = 2.5,
				    .target_error = "no route"};
	json_t *report = json_object();
	report_status_json(report, &cfg, &res);
	char *text = dump(report, "status", true, 0, NULL);
	assert_string_equal(
		text,
		"{\"mode\":\"trigger\",\"chain\":\"c0ffee\",\"state_written_by\":"
		"\"0.1.0 (commit 0123456789ab)\",\"batches\":{\"staged\":0,"
		"\"uploaded\":1,\"published\":0,\"acked\":2},\"last_published\":{\"id\":"
		"\"shop-00000002\",\"key\":\"" KEY2 "\",\"rows\":20,\"published_at\":null,"
		"\"created\":\"2026-11-24T10:11:13.000Z\"},\"reconcile\":{\"at\":"
		"\"2026-11-24T09:00:00.000Z\",\"batch\":\"shop-00000001\",\"tables\":[{\"table\":"
		"\"orders\",\"rows\":100,\"inserted\":1,\"updated\":2,\"deleted\":0,\"pending\":3,"
		"\"skipped\":null},{\"table\":\"old\",\"rows\":0,\"inserted\":0,\"updated\":0,"
		"\"deleted\":0,\"pending\":0,\"skipped\":\"no load acknowledged\"}],"
		"\"repaired\":3},\"tables\":[{\"name\":\"orders\","
		"\"pending\":3,\"installed\":true,\"drift\":true},{\"name\":\"old\",\"pending\":1,"
		"\"installed\":true,\"drift\":false,\"captured\":false,\"warnings\":"
		"[\"old is not captured\"]}],\"pending\":4,\"pending_unknown\":null,"
		"\"lag_seconds\":2.5,\"oldest_pending\":\"2026-11-24T10:00:00.000Z\","
		"\"target_reachable\":false,\"target_error\":\"no route\",\"command\":\"status\","
		"\"ok\":true,\"exit_code\":0,\"duration_ms\":12,\"error\":null}");
	free(text);
	struct buf out = BUF_INIT;
	report_status_text(&out, &cfg, &res);
	assert_string_equal(buf_str(&out),
			    "source shop (sqlite:shop.db, trigger mode)  target file:bucket\n"
			    "chain: c0ffee\n"
			    "state written by: cdcpack 0.1.0 (commit 0123456789ab)\n"
			    "batches: staged=0 uploaded=1 published=0 acked=2\n"
			    "last published: shop-00000002  " KEY2 "  rows=20  at ?\n"
			    "last reconcile: 2026-11-24T09:00:00.000Z  repaired=3  batch "
			    "shop-00000001\n"
			    "pending changes:\n"
			    "  orders                   pending=3 (drift)\n"
			    "  old                      pending=1 (not captured)\n"
			    "  warning: old is not captured\n"
			    "lag: 2.5 s (oldest pending change at 2026-11-24T10:00:00.000Z)\n"
			    "target: NOT reachable: no route\n");
	/* A mode that cannot count says so; a failed read stops after the state. */
	tables[0].counted = false;
	res.ntables = 1;
	res.pending_unknown = "cannot know";
	res.have = STATUS_PENDING;
	res.written_by = NULL; /* a state dir no build recorded itself in */
	report = json_object();
	report_status_json(report, &cfg, &res);
	text = report_json_dump(report);
	json_decref(report);
	assert_non_null(strstr(text, "\"chain\":\"c0ffee\",\"state_written_by\":null,"));
	assert_non_null(strstr(text, "\"tables\":[{\"name\":\"orders\",\"pending\":null,"
				     "\"installed\":null,\"drift\":null}],\"pending\":null,"
				     "\"pending_unknown\":\"cannot know\",\"lag_seconds\":null,"
				     "\"oldest_pending\":null}"));
	free(text);
	buf_reset(&out);
	report_status_text(&out, &cfg, &res);
	assert_non_null(strstr(buf_str(&out), "state written by: not recorded"));
	assert_non_null(strstr(buf_str(&out), "pending changes:\n"
					      "  orders                   pending=unknown\n"
					      "  (cannot know)\nlag: unknown\n"));
	assert_null(strstr(buf_str(&out), "target:"));
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_report_renders_fields_in_order),
		cmocka_unit_test(apply_report_redacts_the_replica_url),
		cmocka_unit_test(verify_report_names_the_sides),
		cmocka_unit_test(diff_report_and_text),
		cmocka_unit_test(strings_are_escaped),
		cmocka_unit_test(names_not_utf8_are_named),
		cmocka_unit_test(status_report_and_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
