/* The drivers own their URLs (issue 12): config knows a scheme only from the
 * registries of src/source/source.c and src/target/target.c, and a driver's
 * missing role is refused by name. A driver registered here, as a new one
 * would be, is accepted, named in the messages and asked for its defaults;
 * a target's own [target] keys are parsed by its table (struct config_key). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "err.h"
#include "source.h"
#include "target.h"

#include <stdlib.h>
#include <string.h>

static int parse(struct config *cfg, const char *text)
{
	config_defaults(cfg);
	return config_parse(cfg, "t.conf", text, strlen(text));
}

static void expect_error(const char *text, const char *message)
{
	struct config cfg;
	assert_int_equal(parse(&cfg, text), CDC_EUSAGE);
	if (!strstr(err_msg(), message))
		fail_msg("message [%s] lacks [%s]", err_msg(), message);
	config_free(&cfg);
	err_clear();
}

/* What the registries handed config before main(). */
static void drivers_registered_their_schemes(void **state)
{
	(void)state;
	const struct url_scheme *s = config_url_scheme(URL_SOURCE, "mysql://u@h/sales?ssl=0");
	assert_non_null(s);
	assert_ptr_equal(s, mysql_source_ops.url);
	char *name = s->default_name("mysql://u@h/sales?ssl=0");
	assert_string_equal(name, "sales");
	free(name);
	assert_ptr_equal(config_url_scheme(URL_SOURCE, "sqlite:a.db"), sqlite_source_ops.url);
	assert_null(config_url_scheme(URL_SOURCE, "file:bucket"));
	assert_non_null(config_url_scheme(URL_TARGET, "file:bucket"));
	assert_null(config_url_scheme(URL_TARGET, "s3://"));
	struct buf b = BUF_INIT;
	config_scheme_list(&b, URL_ANY, offsetof(struct url_scheme, example), 0);
	assert_string_equal(buf_str(&b), "sqlite:PATH, mysql://..., file:DIR or s3://BUCKET");
	buf_free(&b);
}

static char *pg_name(const char *url)
{
	return xstrdup(strrchr(url, '/') + 1);
}

static const struct url_scheme pg_url = {
	.prefix = "pg://",
	.example = "pg://HOST/DB",
	.usage = "pg://HOST/DB",
	.default_name = pg_name,
	.schema_name = pg_name,
	.password = true,
	.binlog = true,
};

/* A driver added to the source registry: config.c is not edited for it. */
static void a_new_driver_needs_no_config_edit(void **state)
{
	(void)state;
	static const struct url_scheme *with_pg[2];
	with_pg[0] = sqlite_source_ops.url;
	with_pg[1] = &pg_url;
	config_register_schemes(URL_SOURCE, with_pg, 2);
	struct config cfg;
	assert_int_equal(parse(&cfg, "[source]\nurl = pg://db1/shop\npassword_file = /p\n"
				     "[capture]\nmode = binlog\n[target]\nurl = file:b\n"
				     "[lake]\nprefix = dms\n"),
			 0);
	assert_string_equal(cfg.source_name, "shop");
	assert_string_equal(cfg.lake_schema, "shop");
	const char *why;
	assert_null(config_unused_key(&cfg, &why));
	config_free(&cfg);
	expect_error("[source]\nurl = mysql://u@h/db\n[target]\nurl = file:b\n",
		     "t.conf:2: url: 'mysql://u@h/db' is not a supported URL (want sqlite:PATH, "
		     "pg://HOST/DB, file:DIR or s3://BUCKET)");
	expect_error("[source]\nurl = sqlite:a.db\n[capture]\nmode = binlog\n[target]\n"
		     "url = file:b\n",
		     "t.conf: [capture] mode: binlog applies to pg:// sources only");
	assert_int_equal(parse(&cfg, "[source]\nurl = sqlite:a.db\npassword_file = /p\n"
				     "[target]\nurl = file:b\n"),
			 0);
	assert_string_equal(config_unused_key(&cfg, &why), "[source] password_file");
	assert_string_equal(why, "applies to pg:// sources only");
	config_free(&cfg);
	/* The drivers' own registry again, for the tests after this one. */
	static const struct url_scheme *both[2];
	both[0] = sqlite_source_ops.url;
	both[1] = mysql_source_ops.url;
	config_register_schemes(URL_SOURCE, both, 2);
}

/* A key of its own for the test target below: how fast it writes. */
static int set_gs_speed(struct config *cfg, const char *v, struct buf *why)
{
	if (strcmp(v, "fast") != 0) {
		buf_addf(why, "'%s' is not fast", v);
		return -1;
	}
	cfg->max_retries = 42; /* where a real driver's key would land */
	return 0;
}

static const struct config_key gs_keys[] = {{"speed", set_gs_speed}, {NULL, NULL}};

static const struct url_scheme gs_url = {
	.prefix = "gs://",
	.example = "gs://BUCKET",
	.usage = "gs://BUCKET",
	.keys = gs_keys,
};

/* A target's own [target] keys come from its table (S3's from
 * s3_config_keys): config.c is not edited for them. */
static void a_target_parses_its_own_keys(void **state)
{
	(void)state;
	struct config cfg;
	assert_int_equal(parse(&cfg, "[source]\nurl = sqlite:a.db\n[target]\nurl = s3://b\n"
				     "storage_class = STANDARD_IA\ntags = a=1, b=2\n"
				     "part_size = 8M\n"),
			 0);
	assert_string_equal(cfg.storage_class, "STANDARD_IA");
	assert_int_equal(cfg.tags.n, 4);
	assert_int_equal(cfg.part_size, 8 << 20);
	config_free(&cfg);
	expect_error("[target]\nspeed = fast\n", "t.conf:2: speed: unknown key in [target]");

	static const struct url_scheme *with_gs[3];
	with_gs[0] = file_target_ops.url;
	with_gs[1] = s3_target_ops.url;
	with_gs[2] = &gs_url;
	config_register_schemes(URL_TARGET, with_gs, 3);
	assert_int_equal(parse(&cfg, "[source]\nurl = sqlite:a.db\n[target]\nurl = gs://b\n"
				     "speed = fast\n"),
			 0);
	assert_int_equal(cfg.max_retries, 42);
	config_free(&cfg);
	expect_error("[target]\nspeed = slow\n", "t.conf:2: speed: 'slow' is not fast");
	expect_error("[target]\npart_size = 1M\n",
		     "t.conf:2: part_size: '1M' is outside S3's part size limits (5M to 5G)");

	/* Without S3 registered, its keys are unknown ones. */
	config_register_schemes(URL_TARGET, with_gs, 1);
	expect_error("[target]\nacl = private\n", "t.conf:2: acl: unknown key in [target]");
	config_register_schemes(URL_TARGET, with_gs, 2);
}

/* A driver that leaves a role NULL cannot play it: asked for, it is refused
 * naming where it was asked and the driver. */
static void a_missing_role_is_refused_by_name(void **state)
{
	(void)state;
	struct source_ops reader = sqlite_source_ops;
	reader.driver = "reader";
	reader.changelog = NULL;
	reader.log = NULL;
	reader.replica = NULL;
	assert_int_equal(source_need_role(&reader, ROLE_READ, "diff"), 0);
	assert_int_equal(source_need_role(&reader, ROLE_CHANGELOG, "t.conf"), CDC_EUSAGE);
	assert_string_equal(err_msg(), "t.conf: the reader driver keeps no changelog (use "
				       "[capture] mode = snapshot)");
	assert_int_equal(source_need_role(&reader, ROLE_REPLICA, "apply --to"), CDC_EUSAGE);
	assert_string_equal(err_msg(), "apply --to: the reader driver cannot be a replica");
	assert_int_equal(source_need_role(&reader, ROLE_LOG, "[capture] mode = binlog"),
			 CDC_EUSAGE);
	assert_string_equal(err_msg(),
			    "[capture] mode = binlog: the reader driver has no binary log");
	assert_int_equal(source_need_role(&mysql_source_ops, ROLE_LOG, "x"), 0);
	assert_int_equal(source_need_role(&sqlite_source_ops, ROLE_LOG, "x"), CDC_EUSAGE);
	err_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(drivers_registered_their_schemes),
		cmocka_unit_test(a_new_driver_needs_no_config_edit),
		cmocka_unit_test(a_target_parses_its_own_keys),
		cmocka_unit_test(a_missing_role_is_refused_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
