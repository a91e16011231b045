/* The AWS credential chain: environment first, then a profile of the shared
 * credentials file; what is missing is named. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "awscred.h"
#include "awsjson.h"
#include "awsmeta.h"
#include "awssts.h"
#include "s3_creds.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char file_text[] = "# comment\n"
				"[default]\n"
				"aws_access_key_id = AKIDDEFAULT\n"
				"aws_secret_access_key=secret/default+key\n"
				"\n"
				"; another comment\n"
				"[ci]\r\n"
				"  aws_access_key_id\t=  AKIDCI  \r\n"
				"aws_secret_access_key = ci=secret\r\n"
				"aws_session_token = tok==\r\n"
				"region = eu-west-1\r\n"
				"[half]\n"
				"aws_access_key_id = AKIDHALF\n";

static void parse(const char *profile, struct awscred *c, int want)
{
	assert_int_equal(awscred_parse(c, "creds", file_text, strlen(file_text), profile), want);
}

static void default_profile_is_read(void **state)
{
	(void)state;
	struct awscred c;
	parse("default", &c, 0);
	assert_string_equal(c.access_key, "AKIDDEFAULT");
	assert_string_equal(c.secret_key, "secret/default+key");
	assert_null(c.session_token);
	assert_string_equal(c.origin, "profile default in creds");
	awscred_free(&c);
}

static void named_profile_with_crlf_blanks_and_token_is_read(void **state)
{
	(void)state;
	struct awscred c;
	parse("ci", &c, 0);
	assert_string_equal(c.access_key, "AKIDCI");
	assert_string_equal(c.secret_key, "ci=secret"); /* only the first '=' splits */
	assert_string_equal(c.session_token, "tok==");
	awscred_free(&c);
}

static void missing_profile_is_not_found(void **state)
{
	(void)state;
	struct awscred c;
	parse("nope", &c, CDC_ENOTFOUND);
	err_clear();
}

static void half_a_profile_names_the_missing_key(void **state)
{
	(void)state;
	struct awscred c;
	parse("half", &c, CDC_EUSAGE);
	assert_non_null(strstr(err_msg(), "aws_secret_access_key"));
	assert_null(strstr(err_msg(), "AKIDHALF"));
	err_clear();
}

static void clear_env(void)
{
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	unsetenv("AWS_ROLE_ARN");
	unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1); /* no IMDS probe from a unit test */
}

static void environment_comes_before_the_file(void **state)
{
	(void)state;
	clear_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	setenv("AWS_SESSION_TOKEN", "envtoken", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
	struct awscred c;
	assert_int_equal(awscred_load(&c), 0);
	assert_string_equal(c.access_key, "AKIDENV");
	assert_string_equal(c.secret_key, "envsecret");
	assert_string_equal(c.session_token, "envtoken");
	assert_string_equal(c.origin, "environment");
	awscred_free(&c);
	clear_env();
}

static void key_id_without_secret_is_a_usage_error(void **state)
{
	(void)state;
	clear_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	struct awscred c;
	assert_int_equal(awscred_load(&c), CDC_EUSAGE);
	assert_non_null(strstr(err_msg(), "AWS_SECRET_ACCESS_KEY"));
	clear_env();
	err_clear();
}

static char *write_file(const char *text, mode_t mode)
{
	char *path = strdup("/tmp/cdcpack-cred-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static void profile_from_shared_credentials_file(void **state)
{
	(void)state;
	clear_env();
	char *path = write_file(file_text, 0600);
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
	setenv("AWS_PROFILE", "ci", 1);
	struct awscred c;
	assert_int_equal(awscred_load(&c), 0);
	assert_string_equal(c.access_key, "AKIDCI");
	awscred_free(&c);
	unlink(path);
	free(path);
	clear_env();
}

static void nothing_found_names_every_place_looked(void **state)
{
	(void)state;
	clear_env();
	char *path =
		write_file("[other]\naws_access_key_id = x\naws_secret_access_key = y\n", 0600);
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
	struct awscred c;
	assert_int_equal(awscred_load(&c), CDC_EUSAGE);
	const char *msg = err_msg();
	assert_non_null(strstr(msg, "AWS_ACCESS_KEY_ID"));
	assert_non_null(strstr(msg, "[default]"));
	assert_non_null(strstr(msg, path));
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
	assert_int_equal(awscred_load(&c), CDC_EUSAGE);
	assert_non_null(strstr(err_msg(), "/nonexistent/credentials"));
	unlink(path);
	free(path);
	clear_env();
	err_clear();
}

static void group_readable_file_still_loads(void **state)
{
	(void)state;
	clear_env();
	char *path = write_file(file_text, 0644); /* warns on stderr */
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
	struct awscred c;
	assert_int_equal(awscred_load(&c), 0);
	assert_string_equal(c.access_key, "AKIDDEFAULT");
	awscred_free(&c);
	unlink(path);
	free(path);
	clear_env();
}

static void flat_json_is_read_strictly(void **state)
{
	(void)state;
	struct strv kv = {0};
	const char *why = NULL;
	const char *ok = " {\"Code\" : \"Success\", \"AccessKeyId\":\"AS\\u0041\\/x\", "
			 "\"Version\": 1, \"Token\": null, \"E\": \"\\ud83d\\ude00\"}\n";
	assert_int_equal(awsjson_flat(ok, strlen(ok), &kv, &why), 0);
	assert_string_equal(awscred_kv(&kv, "AccessKeyId"), "ASA/x");
	assert_string_equal(awscred_kv(&kv, "Version"), "1");
	assert_string_equal(awscred_kv(&kv, "Token"), "null");
	assert_string_equal(awscred_kv(&kv, "E"), "\xf0\x9f\x98\x80");
	awscred_kv_free(&kv);
	const char *bad[] = {"",
			     "[]",
			     "{\"a\":{}}",
			     "{\"a\":\"b\"} x",
			     "{\"a\":\"b\",}",
			     "{\"a\" \"b\"}",
			     "{\"a\":\"\\q\"}",
			     "{\"a\":\"\\ud800\"}",
			     "{\"a\":\"b"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why = NULL;
		assert_int_equal(awsjson_flat(bad[i], strlen(bad[i]), &kv, &why), -1);
		assert_non_null(why);
		assert_int_equal(kv.n, 0);
	}
}

static void credentials_json_needs_keys_and_a_real_time(void **state)
{
	(void)state;
	struct awscred c;
	const char *ok = "{\"AccessKeyId\":\"ASIA1\",\"SecretAccessKey\":\"s\",\"Token\":\"t\","
			 "\"Expiration\":\"2026-12-07T05:00:00Z\"}";
	assert_int_equal(awsmeta_creds_json("ecs", ok, strlen(ok), "Token", &c), 0);
	assert_string_equal(c.session_token, "t");
	assert_int_equal(c.expires, 1796619600);
	awscred_free(&c);
	const char *no_secret = "{\"AccessKeyId\":\"ASIA1\"}";
	assert_int_equal(awsmeta_creds_json("ecs", no_secret, strlen(no_secret), "Token", &c),
			 CDC_ERUNTIME);
	assert_non_null(strstr(err_msg(), "SecretAccessKey"));
	const char *bad_time =
		"{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Expiration\":\"soon\"}";
	assert_int_equal(awsmeta_creds_json("ecs", bad_time, strlen(bad_time), "Token", &c),
			 CDC_ERUNTIME);
	assert_non_null(strstr(err_msg(), "Expiration"));
	assert_null(strstr(err_msg(), "\"s\""));
	err_clear();
	assert_int_equal(awsmeta_parse_time("2026-12-07T05:00:00.123Z"), 1796619600);
	assert_int_equal(awsmeta_parse_time("2026-12-07T05:00:00+00:00"), 1796619600);
	assert_int_equal(awsmeta_parse_time("2026-12-07T05:00:00+01:00"), -1);
	assert_int_equal(awsmeta_parse_time("2026-12-07 05:00:00Z"), -1);
}

static void sts_reply_and_error_are_read(void **state)
{
	(void)state;
	const char *ok =
		"<AssumeRoleResponse><AssumeRoleResult><Credentials>"
		"<AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>sec&amp;ret</SecretAccessKey>"
		"<SessionToken>tok</SessionToken><Expiration>2026-12-07T05:00:00Z</Expiration>"
		"</Credentials></AssumeRoleResult></AssumeRoleResponse>";
	struct awscred c;
	assert_int_equal(awssts_parse_reply("r", ok, strlen(ok), &c), 0);
	assert_string_equal(c.secret_key, "sec&ret");
	assert_int_equal(c.expires, 1796619600);
	awscred_free(&c);
	const char *refused = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
			      "<Message>Not authorized</Message></Error></ErrorResponse>";
	assert_int_equal(awssts_parse_reply("r", refused, strlen(refused), &c), CDC_ERUNTIME);
	assert_non_null(strstr(err_msg(), "AccessDenied: Not authorized"));
	const char *no_token = "<AssumeRoleResponse><AccessKeyId>A</AccessKeyId>"
			       "<SecretAccessKey>s</SecretAccessKey></AssumeRoleResponse>";
	assert_int_equal(awssts_parse_reply("r", no_token, strlen(no_token), &c), CDC_ERUNTIME);
	assert_non_null(strstr(err_msg(), "SessionToken"));
	err_clear();
}

static void refresh_is_due_five_minutes_or_a_quarter_life_before_expiry(void **state)
{
	(void)state;
	assert_int_equal(s3_creds_refresh_at(1000, 1000 + 3600), 1000 + 3600 - 300);
	assert_int_equal(s3_creds_refresh_at(1000, 1000 + 20), 1000 + 15);
	assert_int_equal(s3_creds_refresh_at(1000, 999), 999);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_profile_is_read),
		cmocka_unit_test(named_profile_with_crlf_blanks_and_token_is_read),
		cmocka_unit_test(missing_profile_is_not_found),
		cmocka_unit_test(half_a_profile_names_the_missing_key),
		cmocka_unit_test(environment_comes_before_the_file),
		cmocka_unit_test(key_id_without_secret_is_a_usage_error),
		cmocka_unit_test(profile_from_shared_credentials_file),
		cmocka_unit_test(nothing_found_names_every_place_looked),
		cmocka_unit_test(group_readable_file_still_loads),
		cmocka_unit_test(flat_json_is_read_strictly),
		cmocka_unit_test(credentials_json_needs_keys_and_a_real_time),
		cmocka_unit_test(sts_reply_and_error_are_read),
		cmocka_unit_test(refresh_is_due_five_minutes_or_a_quarter_life_before_expiry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
