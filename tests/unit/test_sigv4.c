/* SigV4 against AWS's published vectors: the aws-sig-v4-test-suite (service
 * "service", 2015-08-30) and the S3 examples of "Signature Calculations for
 * the Authorization Header" (2013-05-24), plus the S3 rules the suite does not
 * cover: no path normalisation, keys encoded once, valueless parameters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sigv4.h"

#include <string.h>

#define SUITE_DATE "20150830T123600Z"
#define HOST "example.amazonaws.com"

static const struct sigv4_key suite_key = {
	.access_key = "AKIDEXAMPLE",
	.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	.region = "us-east-1",
	.service = "service",
	.amz_date = SUITE_DATE,
};

static const struct sigv4_key s3_doc_key = {
	.access_key = "AKIAIOSFODNN7EXAMPLE",
	.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	.region = "us-east-1",
	.service = "s3",
	.amz_date = "20130524T000000Z",
};

struct vector {
	const char *name;
	const char *method;
	const char *path; /* raw, as in the .req file; encoded by the test */
	const char *query;
	struct sigv4_header headers[4];
	const char *body;
	const char *creq; /* NULL when only the signature is checked */
	const char *signature;
};

static const struct vector suite[] = {
	{"get-vanilla",
	 "GET",
	 "/",
	 NULL,
	 {{"Host", HOST}, {"X-Amz-Date", SUITE_DATE}},
	 "",
	 "GET\n/"
	 "\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-"
	 "date\n" SIGV4_EMPTY_SHA256,
	 "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
	{"get-vanilla-query-order-key-case",
	 "GET",
	 "/",
	 "Param2=value2&Param1=value1",
	 {{"Host", HOST}, {"X-Amz-Date", SUITE_DATE}},
	 "",
	 "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n"
	 "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" SIGV4_EMPTY_SHA256,
	 "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
	{"get-vanilla-query-order-key",
	 "GET",
	 "/",
	 "Param1=value2&Param1=Value1",
	 {{"Host", HOST}, {"X-Amz-Date", SUITE_DATE}},
	 "",
	 NULL,
	 "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"},
	{"get-vanilla-query-order-value",
	 "GET",
	 "/",
	 "Param1=value2&Param1=value1",
	 {{"Host", HOST}, {"X-Amz-Date", SUITE_DATE}},
	 "",
	 NULL,
	 "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"},
	{"get-vanilla-query-unreserved",
	 "GET",
	 "/",
	 "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
	 "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
	 {{"Host", HOST}, {"X-Amz-Date", SUITE_DATE}},
	 "",
	 NULL,
	 "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
	{"get-vanilla-utf8-query",
	 "GET",
	 "/",
	 "\xe1\x88\xb4=bar",
	 {{"Host", HOST}, {"X-Amz-Date", SUITE_DATE}},
	 "",
	 "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
	 "host;x-amz-date\n" SIGV4_EMPTY_SHA256,
	 "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
	{"get-vanilla-empty-query-key",
	 "GET",
	 "/",
	 "Param1=value1",
	 {{"Host", HOST}, {"X-Amz-Date", SUITE_DATE}},
	 "",
	 NULL,
	 "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
	{"get-unreserved",
	 "GET",
	 "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
	 NULL,
	 {{"Host", HOST}, {"X-Amz-Date", SUITE_DATE}},
	 "",
	 NULL,
	 "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
	{"get-utf8",
	 "GET",
	 "/\xe1\x88\xb4",
	 NULL,
	 {{"Host", HOST}, {"X-Amz-Date", SUITE_DATE}},
	 "",
	 "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
	 "host;x-amz-date\n" SIGV4_EMPTY_SHA256,
	 "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
	{"get-space",
	 "GET",
	 "/example space/",
	 NULL,
	 {{"Host", HOST}, {"X-Amz-Date", SUITE_DATE}},
	 "",
	 "GET\n/example%20space/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
	 "host;x-amz-date\n" SIGV4_EMPTY_SHA256,
	 "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
	{"get-header-value-trim",
	 "GET",
	 "/",
	 NULL,
	 {{"Host", HOST},
	  {"My-Header1", " value1"},
	  {"My-Header2", " \"a   b   c\""},
	  {"X-Amz-Date", SUITE_DATE}},
	 "",
	 "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
	 "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-"
	 "date\n" SIGV4_EMPTY_SHA256,
	 "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
	{"post-vanilla",
	 "POST",
	 "/",
	 NULL,
	 {{"Host", HOST}, {"X-Amz-Date", SUITE_DATE}},
	 "",
	 NULL,
	 "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
	{"post-vanilla-query",
	 "POST",
	 "/",
	 "Param1=value1",
	 {{"Host", HOST}, {"X-Amz-Date", SUITE_DATE}},
	 "",
	 NULL,
	 "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
	{"post-header-key-case",
	 "POST",
	 "/",
	 NULL,
	 {{"host", HOST}, {"x-amz-date", SUITE_DATE}},
	 "",
	 NULL,
	 "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
	{"post-header-key-sort",
	 "POST",
	 "/",
	 NULL,
	 {{"X-Amz-Date", SUITE_DATE}, {"My-Header1", "value1"}, {"Host", HOST}},
	 "",
	 NULL,
	 "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
	{"post-header-value-case",
	 "POST",
	 "/",
	 NULL,
	 {{"Host", HOST}, {"My-Header1", "VALUE1"}, {"X-Amz-Date", SUITE_DATE}},
	 "",
	 NULL,
	 "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
	{"post-x-www-form-urlencoded",
	 "POST",
	 "/",
	 NULL,
	 {{"Content-Type", "application/x-www-form-urlencoded"},
	  {"Host", HOST},
	  {"X-Amz-Date", SUITE_DATE}},
	 "Param1=value1",
	 "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
	 "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
	 "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
	 "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
	{"post-x-www-form-urlencoded-parameters",
	 "POST",
	 "/",
	 NULL,
	 {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"},
	  {"Host", HOST},
	  {"X-Amz-Date", SUITE_DATE}},
	 "Param1=value1",
	 NULL,
	 "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"},
	{"post-sts-header-before",
	 "POST",
	 "/",
	 NULL,
	 {{"Host", HOST},
	  {"X-Amz-Date", SUITE_DATE},
	  {"X-Amz-Security-Token",
	   "AQoDYXdzEPT//////////"
	   "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmx"
	   "fpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0"
	   "KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64l"
	   "IZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="}},
	 "",
	 NULL,
	 "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
};

static size_t header_count(const struct vector *v)
{
	size_t n = 0;
	while (n < 4 && v->headers[n].name)
		n++;
	return n;
}

/* Builds the request as cdcpack would send it: the raw path encoded once. */
static void sign_vector(const struct vector *v, const struct sigv4_key *key, struct buf *creq,
			char signature[SIGV4_HEX_LEN + 1])
{
	struct buf path = BUF_INIT, signed_headers = BUF_INIT, sts = BUF_INIT;
	char payload[SIGV4_HEX_LEN + 1];
	sigv4_uri_encode(&path, v->path, strlen(v->path), true);
	sigv4_sha256_hex(payload, v->body, strlen(v->body));
	struct sigv4_request req = {v->method,	path.data,	 v->query,
				    v->headers, header_count(v), payload};
	sigv4_canonical_request(creq, &signed_headers, &req);
	sigv4_string_to_sign(&sts, key, buf_str(creq));
	sigv4_signature(signature, key, buf_str(&sts));
	buf_free(&path);
	buf_free(&signed_headers);
	buf_free(&sts);
}

static void suite_vectors_give_published_signatures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(suite) / sizeof(suite[0]); i++) {
		const struct vector *v = &suite[i];
		if (!v->signature)
			continue;
		struct buf creq = BUF_INIT;
		char signature[SIGV4_HEX_LEN + 1];
		sign_vector(v, &suite_key, &creq, signature);
		print_message("%s\n", v->name);
		if (v->creq)
			assert_string_equal(buf_str(&creq), v->creq);
		assert_string_equal(signature, v->signature);
		buf_free(&creq);
	}
}

static void string_to_sign_matches_suite(void **state)
{
	(void)state;
	struct buf sts = BUF_INIT;
	sigv4_string_to_sign(&sts, &suite_key, suite[0].creq);
	assert_string_equal(buf_str(&sts),
			    "AWS4-HMAC-SHA256\n20150830T123600Z\n"
			    "20150830/us-east-1/service/aws4_request\n"
			    "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
	buf_free(&sts);
}

static void authorization_header_has_credential_scope_and_signed_headers(void **state)
{
	(void)state;
	struct buf path = BUF_INIT, auth = BUF_INIT;
	sigv4_uri_encode(&path, "/", 1, true);
	struct sigv4_request req = {"GET", path.data,	      NULL, suite[0].headers,
				    2,	   SIGV4_EMPTY_SHA256};
	sigv4_authorization(&auth, &suite_key, &req);
	assert_string_equal(
		buf_str(&auth),
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
		"aws4_request, SignedHeaders=host;x-amz-date, "
		"Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
	buf_free(&path);
	buf_free(&auth);
}

/* get-header-key-duplicate: repeated headers join with ',' in the order sent. */
static void header_duplicates_join_in_order(void **state)
{
	(void)state;
	const struct sigv4_header h[] = {{"Host", HOST},
					 {"My-Header1", "value2"},
					 {"My-Header1", "value2"},
					 {"My-Header1", "value1"},
					 {"X-Amz-Date", SUITE_DATE}};
	struct sigv4_request req = {"GET", "/", NULL, h, 5, SIGV4_EMPTY_SHA256};
	struct buf creq = BUF_INIT, sh = BUF_INIT, sts = BUF_INIT;
	char signature[SIGV4_HEX_LEN + 1];
	sigv4_canonical_request(&creq, &sh, &req);
	assert_string_equal(
		buf_str(&creq),
		"GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\n"
		"x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n" SIGV4_EMPTY_SHA256);
	sigv4_string_to_sign(&sts, &suite_key, buf_str(&creq));
	sigv4_signature(signature, &suite_key, buf_str(&sts));
	assert_string_equal(signature,
			    "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea");
	buf_free(&creq);
	buf_free(&sh);
	buf_free(&sts);
}

/* The suite's normalizePath group (get-relative, get-relative-relative,
 * get-slash, get-slash-dot-slash, get-slash-pointless-dot, get-slashes) is for
 * services that normalise paths. S3 does not: "a/../b" and "a/b" are two keys.
 * So the S3 signer keeps the path as sent, and the published signature comes
 * out when it is handed the path a normalising service would sign. */
static void normalising_vectors_sign_their_canonical_path(void **state)
{
	(void)state;
	static const struct {
		const char *wire, *canonical, *signature;
	} v[] = {
		{"/example/..", "/",
		 "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{"/example1/example2/../..", "/",
		 "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{"//", "/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{"/./", "/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{"/./example", "/example",
		 "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"},
		{"//example//", "/example/",
		 "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct vector wire = {
			"", "GET", v[i].wire, NULL, {{"Host", HOST}, {"X-Amz-Date", SUITE_DATE}},
			"", NULL,  NULL};
		struct vector canon = wire;
		canon.path = v[i].canonical;
		struct buf creq = BUF_INIT, expect = BUF_INIT;
		char signature[SIGV4_HEX_LEN + 1];
		sign_vector(&wire, &suite_key, &creq, signature);
		buf_addf(&expect, "GET\n%s\n\n", v[i].wire);
		assert_memory_equal(buf_str(&creq), expect.data, expect.len); /* S3: as sent */
		buf_reset(&creq);
		sign_vector(&canon, &suite_key, &creq, signature);
		assert_string_equal(signature, v[i].signature);
		buf_free(&creq);
		buf_free(&expect);
	}
}

static void s3_doc_get_object_with_range(void **state)
{
	(void)state;
	struct vector v = {"",
			   "GET",
			   "/test.txt",
			   NULL,
			   {{"Host", "examplebucket.s3.amazonaws.com"},
			    {"Range", "bytes=0-9"},
			    {"x-amz-content-sha256", SIGV4_EMPTY_SHA256},
			    {"x-amz-date", "20130524T000000Z"}},
			   "",
			   NULL,
			   NULL};
	struct buf creq = BUF_INIT;
	char signature[SIGV4_HEX_LEN + 1];
	sign_vector(&v, &s3_doc_key, &creq, signature);
	assert_string_equal(
		buf_str(&creq),
		"GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
		"x-amz-content-sha256:" SIGV4_EMPTY_SHA256 "\n"
		"x-amz-date:20130524T000000Z\n\n"
		"host;range;x-amz-content-sha256;x-amz-date\n" SIGV4_EMPTY_SHA256);
	assert_string_equal(signature,
			    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
	buf_free(&creq);
}

/* PUT /test$file.text: '$' in a key is encoded once, the body hash is signed. */
static void s3_doc_put_object_encodes_dollar(void **state)
{
	(void)state;
	const char *body_hash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
	char check[SIGV4_HEX_LEN + 1];
	sigv4_sha256_hex(check, "Welcome to Amazon S3.", 21);
	assert_string_equal(check, body_hash);
	const struct sigv4_header h[] = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
					 {"Host", "examplebucket.s3.amazonaws.com"},
					 {"x-amz-content-sha256", body_hash},
					 {"x-amz-date", "20130524T000000Z"},
					 {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
	struct buf path = BUF_INIT, auth = BUF_INIT;
	sigv4_uri_encode(&path, "/test$file.text", 15, true);
	assert_string_equal(buf_str(&path), "/test%24file.text");
	struct sigv4_request req = {"PUT", path.data, NULL, h, 5, body_hash};
	sigv4_authorization(&auth, &s3_doc_key, &req);
	assert_non_null(strstr(buf_str(&auth),
			       "SignedHeaders=date;host;x-amz-content-sha256;"
			       "x-amz-date;x-amz-storage-class, Signature=98ad721746da40c6"
			       "4f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"));
	buf_free(&path);
	buf_free(&auth);
}

static void s3_doc_query_signature(const char *query, const char *expect)
{
	const struct sigv4_header h[] = {{"Host", "examplebucket.s3.amazonaws.com"},
					 {"x-amz-content-sha256", SIGV4_EMPTY_SHA256},
					 {"x-amz-date", "20130524T000000Z"}};
	struct sigv4_request req = {"GET", "/", query, h, 3, SIGV4_EMPTY_SHA256};
	struct buf creq = BUF_INIT, sh = BUF_INIT, sts = BUF_INIT;
	char signature[SIGV4_HEX_LEN + 1];
	sigv4_canonical_request(&creq, &sh, &req);
	sigv4_string_to_sign(&sts, &s3_doc_key, buf_str(&creq));
	sigv4_signature(signature, &s3_doc_key, buf_str(&sts));
	assert_string_equal(signature, expect);
	buf_free(&creq);
	buf_free(&sh);
	buf_free(&sts);
}

/* GET ?lifecycle: a valueless parameter is signed as "lifecycle=". */
static void s3_doc_valueless_parameter_signs_as_empty_value(void **state)
{
	(void)state;
	s3_doc_query_signature("lifecycle",
			       "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

static void s3_doc_list_objects_query_is_sorted(void **state)
{
	(void)state;
	s3_doc_query_signature("prefix=J&max-keys=2",
			       "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

static void awkward_keys_are_encoded_once_with_slashes_kept(void **state)
{
	(void)state;
	static const struct {
		const char *key, *want;
	} v[] = {
		{"cdc/my shop/a+b=c.tar", "cdc/my%20shop/a%2Bb%3Dc.tar"},
		{"caf\xc3\xa9/\xe2\x82\xac", "caf%C3%A9/%E2%82%AC"},
		{"a/./b/../c//d", "a/./b/../c//d"},
		{"100%&?#~", "100%25%26%3F%23~"},
		{"tab\there:colon,comma;semi'quote\"",
		 "tab%09here%3Acolon%2Ccomma%3Bsemi%27quote%22"},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct buf b = BUF_INIT;
		sigv4_uri_encode(&b, v[i].key, strlen(v[i].key), true);
		assert_string_equal(buf_str(&b), v[i].want);
		buf_free(&b);
	}
}

static void query_encoding_escapes_slash_in_values(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	sigv4_uri_encode(&b, "cdc/shop/", 9, false);
	assert_string_equal(buf_str(&b), "cdc%2Fshop%2F");
	buf_free(&b);
}

static void canonical_query_sorts_encodes_and_fills_empty_values(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} v[] = {
		{"uploads", "uploads="},
		{"uploadId=abc&partNumber=10", "partNumber=10&uploadId=abc"},
		{"prefix=a b&list-type=2", "list-type=2&prefix=a%20b"},
		{"continuation-token=1%2fx%2B%3d", "continuation-token=1%2Fx%2B%3D"},
		{"b=2&a=&c", "a=&b=2&c="},
		{"x=%zz", "x=%25zz"},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct buf b = BUF_INIT;
		sigv4_canonical_query(&b, v[i].in);
		assert_string_equal(buf_str(&b), v[i].want);
		buf_free(&b);
	}
}

static void s3_path_is_signed_exactly_as_sent(void **state)
{
	(void)state;
	const struct sigv4_header h[] = {{"host", "127.0.0.1:9000"}};
	struct sigv4_request req = {"PUT", "/bkt/a/./b/../c%20d", "uploads", h,
				    1,	   "UNSIGNED-PAYLOAD"};
	struct buf creq = BUF_INIT, sh = BUF_INIT;
	sigv4_canonical_request(&creq, &sh, &req);
	assert_string_equal(buf_str(&creq), "PUT\n/bkt/a/./b/../c%20d\nuploads=\n"
					    "host:127.0.0.1:9000\n\nhost\nUNSIGNED-PAYLOAD");
	buf_free(&creq);
	buf_free(&sh);
}

static void amz_date_is_utc_basic_format(void **state)
{
	(void)state;
	char d[SIGV4_DATE_LEN + 1];
	sigv4_amz_date(d, 1440938160); /* 2015-08-30T12:36:00Z */
	assert_string_equal(d, SUITE_DATE);
}

static void sha256_streamed_equals_one_shot(void **state)
{
	(void)state;
	char a[SIGV4_HEX_LEN + 1], b[SIGV4_HEX_LEN + 1];
	struct sigv4_sha256 h;
	sigv4_sha256_init(&h);
	sigv4_sha256_update(&h, "Welcome to ", 11);
	sigv4_sha256_update(&h, "Amazon S3.", 10);
	sigv4_sha256_final(&h, a);
	sigv4_sha256_hex(b, "Welcome to Amazon S3.", 21);
	assert_string_equal(a, b);
	sigv4_sha256_hex(a, "", 0);
	assert_string_equal(a, SIGV4_EMPTY_SHA256);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(suite_vectors_give_published_signatures),
		cmocka_unit_test(string_to_sign_matches_suite),
		cmocka_unit_test(authorization_header_has_credential_scope_and_signed_headers),
		cmocka_unit_test(header_duplicates_join_in_order),
		cmocka_unit_test(normalising_vectors_sign_their_canonical_path),
		cmocka_unit_test(s3_doc_get_object_with_range),
		cmocka_unit_test(s3_doc_put_object_encodes_dollar),
		cmocka_unit_test(s3_doc_valueless_parameter_signs_as_empty_value),
		cmocka_unit_test(s3_doc_list_objects_query_is_sorted),
		cmocka_unit_test(awkward_keys_are_encoded_once_with_slashes_kept),
		cmocka_unit_test(query_encoding_escapes_slash_in_values),
		cmocka_unit_test(canonical_query_sorts_encodes_and_fills_empty_values),
		cmocka_unit_test(s3_path_is_signed_exactly_as_sent),
		cmocka_unit_test(amz_date_is_utc_basic_format),
		cmocka_unit_test(sha256_streamed_equals_one_shot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
