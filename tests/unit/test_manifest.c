/* manifest.json: what package writes, manifest_parse reads and checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "manifest.h"

#include <stdlib.h>
#include <string.h>

static void build(struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->batch_id = xstrdup("shop-00000007");
	m->seq = 7;
	m->kind = xstrdup("cdc");
	m->mode = xstrdup("trigger");
	m->created = xstrdup("2026-11-24T10:11:12.345Z");
	m->previous = xstrdup("shop-00000006");
	m->source_name = xstrdup("shop");
	m->driver = xstrdup("sqlite");
	struct manifest_file *f = manifest_add_file(m);
	f->def = xcalloc(1, sizeof(*f->def));
	f->def->name = xstrdup("Persons");
	table_def_add_column(f->def, "PersonID", "INTEGER", true);
	table_def_add_column(f->def, "FullName", "TEXT", false);
	f->path = xstrdup("Persons/20261124-101112345.csv");
	f->op_column = true;
	f->rows = 6;
	f->ops[0] = 3;
	f->ops[1] = 2;
	f->ops[2] = 1;
	f->first_seq = 101;
	f->last_seq = 106;
	f->bytes = 160;
	strcpy(f->xxh128, "0123456789abcdef0123456789abcdef");
}

static char *dump(const struct manifest *m)
{
	json_t *j = manifest_to_json(m);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

static void round_trip_keeps_every_field(void **state)
{
	(void)state;
	struct manifest m, back;
	build(&m);
	char *text = dump(&m);
	assert_int_equal(manifest_parse(&back, text, strlen(text), "test"), 0);
	assert_string_equal(back.batch_id, "shop-00000007");
	assert_int_equal(back.seq, 7);
	assert_string_equal(back.previous, "shop-00000006");
	assert_int_equal(back.nfiles, 1);
	assert_string_equal(back.files[0].def->name, "Persons");
	assert_true(back.files[0].def->cols[0].key);
	assert_int_equal(back.files[0].ops[2], 1);
	assert_int_equal(back.files[0].first_seq, 101);
	assert_int_equal(back.files[0].ops[3], 0);
	assert_null(strstr(text, "\"T\"")); /* written only where there are some */
	char *again = dump(&back);
	assert_string_equal(text, again);
	free(text);
	free(again);
	manifest_free(&m);
	manifest_free(&back);
}

/* A file with T rows (binlog TRUNCATE) keeps their count. */
static void t_count_round_trips(void **state)
{
	(void)state;
	struct manifest m, back;
	build(&m);
	m.files[0].rows = 8;
	m.files[0].ops[3] = 2;
	char *text = dump(&m);
	assert_non_null(strstr(text, "\"D\":1,\"T\":2}"));
	assert_int_equal(manifest_parse(&back, text, strlen(text), "test"), 0);
	assert_int_equal(back.files[0].ops[3], 2);
	free(text);
	manifest_free(&m);
	manifest_free(&back);
}

static void expect_refused(const char *from, const char *to, const char *why)
{
	struct manifest m, back;
	build(&m);
	char *text = dump(&m);
	manifest_free(&m);
	char *at = strstr(text, from);
	assert_non_null(at);
	struct buf b = BUF_INIT;
	buf_add(&b, text, (size_t)(at - text));
	buf_adds(&b, to);
	buf_adds(&b, at + strlen(from));
	assert_int_equal(manifest_parse(&back, b.data, b.len, "x.tar.zst"), CDC_ERUNTIME);
	if (!strstr(err_msg(), why))
		fail_msg("message [%s] lacks [%s]", err_msg(), why);
	buf_free(&b);
	free(text);
}

/* A newer build's manifest is the user's to apply with that build: exit 2. */
static void newer_format_is_refused_naming_it(void **state)
{
	(void)state;
	struct manifest m, back;
	build(&m);
	char *text = dump(&m);
	manifest_free(&m);
	char *at = strstr(text, "\"cdcpack/1\"");
	assert_non_null(at);
	memcpy(at, "\"cdcpack/9\"", 11);
	assert_int_equal(manifest_parse(&back, text, strlen(text), "x.tar.zst"), CDC_EUSAGE);
	if (!strstr(err_msg(), "x.tar.zst: manifest format cdcpack/9 is newer than this cdcpack"))
		fail_msg("message [%s]", err_msg());
	free(text);
}

static void lies_and_unsafe_names_are_refused(void **state)
{
	(void)state;
	expect_refused("\"Persons/20261124-101112345.csv\"", "\"../../etc/passwd\"",
		       "unsafe file name");
	expect_refused("\"Persons/20261124-101112345.csv\"", "\"/abs.csv\"", "unsafe file name");
	expect_refused("\"rows\":6", "\"rows\":7", "ops do not add up");
	expect_refused("\"cdcpack/1\"", "\"cdcpack/9x\"", "format is not cdcpack/1");
	expect_refused("\"cdcpack/1\"", "\"cdcpack/01\"", "format is not cdcpack/1");
	expect_refused("\"0123456789abcdef0123456789abcdef\"", "\"xyz\"", "xxh128");
	expect_refused("\"kind\":\"cdc\"", "\"kind\":\"other\"", "unknown batch kind");
	expect_refused("\"bytes\":160", "\"bytes\":-1", "bytes");
	expect_refused("\"key\":true", "\"key\":false", "no key column");
	expect_refused("{", "[", "not valid JSON");
	expect_refused("\"key\":true", "\"key\":1", "x.tar.zst: manifest: table Persons: column 0");
	expect_refused("\"id\":\"shop-00000007\"", "\"id\":\"shop-00000008\"",
		       "batch id 'shop-00000008' is not 'shop-00000007'");
	expect_refused("\"name\":\"shop\"", "\"name\":\"shop2\"", "is not 'shop2-00000007'");
	/* A 33rd digit was cut off before the check (hostile_manifest_lies_are_refused). */
	expect_refused("\"0123456789abcdef0123456789abcdef\"",
		       "\"0123456789abcdef0123456789abcdef0\"", "xxh128");
	/* T counts with the others (a binlog TRUNCATE row), and only there. */
	expect_refused("\"D\":1}", "\"D\":1,\"T\":1}", "ops do not add up");
	expect_refused("\"D\":1}", "\"D\":0,\"T\":-1}", "\"T\" missing or not a non-negative");
	/* Counts whose sum overflows int64 (and wraps round to rows): UB before. */
	expect_refused("\"ops\":{\"I\":3,\"U\":2,\"D\":1}",
		       "\"ops\":{\"I\":9223372036854775807,\"U\":9223372036854775807,\"D\":8}",
		       "ops do not add up");
}

/* What archives carry: manifest_text seals the manifest with its own
 * checksum, which the parser checks; one byte changed is refused, and a
 * manifest without the checksum (an older archive) still reads. */
static void own_checksum_is_checked(void **state)
{
	(void)state;
	struct manifest m, back;
	build(&m);
	char *text = manifest_text(&m);
	assert_non_null(text);
	assert_int_equal(manifest_parse(&back, text, strlen(text), "t"), 0);
	assert_int_equal(strlen(back.xxh128), HASH_HEX_LEN);
	manifest_free(&back);
	char *created = strstr(text, "2026-11-24T10:11:12.345Z");
	assert_non_null(created);
	created[0] = '3'; /* a field nothing else checks */
	assert_int_equal(manifest_parse(&back, text, strlen(text), "x.tar.zst"), CDC_ERUNTIME);
	assert_non_null(strstr(err_msg(), "x.tar.zst: manifest.json is damaged"));
	created[0] = '2';
	char *digit = strstr(text, "\"manifest_xxh128\": \"") + 20;
	*digit = *digit == 'a' ? 'b' : 'a';
	assert_int_equal(manifest_parse(&back, text, strlen(text), "x"), CDC_ERUNTIME);
	assert_non_null(strstr(err_msg(), "is damaged"));
	free(text);
	char *old = dump(&m);
	assert_int_equal(manifest_parse(&back, old, strlen(old), "old"), 0);
	assert_string_equal(back.xxh128, "");
	manifest_free(&back);
	free(old);
	manifest_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_keeps_every_field),
		cmocka_unit_test(t_count_round_trips),
		cmocka_unit_test(lies_and_unsafe_names_are_refused),
		cmocka_unit_test(newer_format_is_refused_naming_it),
		cmocka_unit_test(own_checksum_is_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
