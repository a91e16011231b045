/* The drivers own their type rules (issue 12): the format layer knows a
 * driver's column types only from the struct type_rules the source registry
 * (src/source/source.c) hands it. A driver registered here, as a new one
 * would be, has its archives checked by its grammar, its FLOAT hashed by its
 * precision and its values read by its affinity: src/format is not edited. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "coltype.h"
#include "err.h"
#include "manifest.h"
#include "rowhash.h"
#include "source.h"

#include <stdlib.h>
#include <string.h>

/* What the registry handed the format layer before main(). */
static void drivers_registered_their_type_rules(void **state)
{
	(void)state;
	const struct source_ops *const ops[] = {&sqlite_source_ops, &mysql_source_ops};
	for (size_t i = 0; i < 2; i++) {
		assert_non_null(ops[i]->types);
		assert_ptr_equal(coltype_rules_for(ops[i]->driver), ops[i]->types);
		assert_string_equal(ops[i]->types->driver, ops[i]->driver);
	}
	assert_true(mysql_source_ops.types->float32);
	assert_false(mysql_source_ops.types->affinity);
	assert_false(sqlite_source_ops.types->float32);
	assert_true(sqlite_source_ops.types->affinity);
	assert_null(coltype_rules_for("pg"));
	assert_null(coltype_rules_for(NULL));
}

/* A grammar of its own: lower-case words only. */
static bool pg_type_valid(const char *type)
{
	return *type && strspn(type, "abcdefghijklmnopqrstuvwxyz0123456789") == strlen(type);
}

static const struct type_rules pg_rules = {
	.driver = "pg",
	.type_valid = pg_type_valid,
	.float32 = true,
	.affinity = true,
};

/* An archive's manifest, naming driver, with one column of type. */
static int parse(struct manifest *back, const char *driver, const char *type)
{
	struct manifest m = {0};
	m.batch_id = xstrdup("shop-00000001");
	m.seq = 1;
	m.kind = xstrdup("cdc");
	m.mode = xstrdup("trigger");
	m.created = xstrdup("2026-11-24T10:11:12.345Z");
	m.source_name = xstrdup("shop");
	m.driver = xstrdup(driver);
	struct manifest_file *f = manifest_add_file(&m);
	f->def = xcalloc(1, sizeof(*f->def));
	f->def->name = xstrdup("t");
	table_def_add_column(f->def, "id", type, true);
	f->path = xstrdup("t/20261124-101112345.csv");
	strcpy(f->xxh128, "0123456789abcdef0123456789abcdef");
	json_t *j = manifest_to_json(&m);
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	manifest_free(&m);
	int rc = manifest_parse(back, text, strlen(text), "x.tar.zst");
	free(text);
	return rc;
}

static void expect_refused(const char *driver, const char *type, const char *why)
{
	struct manifest back;
	assert_int_equal(parse(&back, driver, type), CDC_ERUNTIME);
	if (!strstr(err_msg(), why))
		fail_msg("message [%s] lacks [%s]", err_msg(), why);
	err_clear();
}

/* A driver added to the source registry: src/format is not edited for it. */
static void a_new_driver_needs_no_format_edit(void **state)
{
	(void)state;
	static const struct type_rules *with_pg[2];
	with_pg[0] = sqlite_source_ops.types;
	with_pg[1] = &pg_rules;
	coltype_register_rules(with_pg, 2);

	struct manifest back;
	assert_int_equal(parse(&back, "pg", "float"), 0);
	assert_true(back.files[0].def->type_affinity);
	manifest_free(&back);
	assert_int_equal(canon_class_for("float", "pg"), CANON_FLOAT32);
	assert_int_equal(canon_class_for("FLOAT", "sqlite"), CANON_PLAIN);
	/* Its grammar, not another driver's, decides. */
	expect_refused("pg", "FLOAT",
		       "column id: type 'FLOAT' is not a column type cdcpack "
		       "knows for this driver");
	expect_refused("pg", "int(11)", "type 'int(11)' is not a column type");
	/* A driver no longer registered is unknown, as any other name is. */
	expect_refused("mysql", "int(11)", "x.tar.zst: manifest: unknown source driver");
	assert_int_equal(canon_class_for("float", "mysql"), CANON_PLAIN);

	static const struct type_rules *both[2];
	both[0] = sqlite_source_ops.types;
	both[1] = mysql_source_ops.types;
	coltype_register_rules(both, 2);
	assert_int_equal(parse(&back, "mysql", "int(11)"), 0);
	assert_false(back.files[0].def->type_affinity);
	manifest_free(&back);
	expect_refused("pg", "float", "x.tar.zst: manifest: unknown source driver");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(drivers_registered_their_type_rules),
		cmocka_unit_test(a_new_driver_needs_no_format_edit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
