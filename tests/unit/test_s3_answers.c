/* The S3 client's reading of a reply, per operation: which replies answer a
 * call (2xx without an <Error> body, or a status the operation accepts: 404
 * to a HEAD, 412 to a conditional write), and which failures are worth
 * another attempt. Integration tests reach most of these only when the
 * fault-injecting server happens to send them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "s3.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const enum s3_op all_ops[] = {
	S3_PUT_OBJECT,	    S3_CREATE_MULTIPART, S3_UPLOAD_PART,  S3_COMPLETE_MULTIPART,
	S3_ABORT_MULTIPART, S3_LIST_UPLOADS,	 S3_COPY_OBJECT,  S3_HEAD_OBJECT,
	S3_GET_OBJECT,	    S3_DELETE_OBJECT,	 S3_LIST_OBJECTS,
};

/* A reply with status and body; body borrowed (never freed here). */
static struct http_response reply(long status, const char *body)
{
	struct http_response r;
	memset(&r, 0, sizeof(r));
	r.status = status;
	r.body.data = (char *)body;
	r.body.len = body ? strlen(body) : 0;
	r.body.cap = r.body.len;
	return r;
}

/* The body S3 sends with a failure: <Error><Code>code</Code>... */
static const char *error_body(char *out, size_t size, const char *code)
{
	snprintf(out, size,
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code>"
		 "<Message>something</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>",
		 code);
	return out;
}

static bool retryable_reply(long status, const char *code)
{
	char body[512];
	struct http_response r = reply(status, code ? error_body(body, sizeof(body), code) : NULL);
	return s3_reply_retryable(&r);
}

static const char *const retryable_codes[] = {
	"SlowDown",   "RequestTimeout",	     "InternalError",	     "ServiceUnavailable",
	"Throttling", "ThrottlingException", "RequestTimeTooSkewed",
};

/* Codes of failures that another identical attempt cannot fix. */
static const char *const final_codes[] = {
	NULL, /* a HEAD's error has no body */
	"AccessDenied",
	"SignatureDoesNotMatch",
	"InvalidAccessKeyId",
	"ExpiredToken",
	"NoSuchBucket",
	"NoSuchKey",
	"NoSuchUpload",
	"InvalidArgument",
	"InvalidRequest",
	"InvalidPart",
	"InvalidPartOrder",
	"EntityTooSmall",
	"EntityTooLarge",
	"MalformedXML",
	"BadDigest",
	"XAmzContentSHA256Mismatch",
	"PreconditionFailed",
	"NotImplemented",
	"AuthorizationHeaderMalformed",
	"PermanentRedirect",
	"KeyTooLongError",
};

static const long final_statuses[] = {301, 307, 400, 401, 403, 404, 405,
				      409, 411, 412, 416, 501, 505};
static const long retryable_statuses[] = {429, 500, 502, 503, 504};

static void server_side_statuses_are_retried_whatever_the_code(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(retryable_statuses); i++) {
		long st = retryable_statuses[i];
		for (size_t j = 0; j < NELEM(final_codes); j++) {
			if (!retryable_reply(st, final_codes[j]))
				fail_msg("status %ld with code %s: not retried", st,
					 final_codes[j] ? final_codes[j] : "(none)");
		}
		for (size_t j = 0; j < NELEM(retryable_codes); j++)
			assert_true(retryable_reply(st, retryable_codes[j]));
	}
}

static void retryable_codes_are_retried_whatever_the_status(void **state)
{
	(void)state;
	static const long statuses[] = {200, 400, 403, 409, 503};
	for (size_t i = 0; i < NELEM(retryable_codes); i++)
		for (size_t j = 0; j < NELEM(statuses); j++)
			if (!retryable_reply(statuses[j], retryable_codes[i]))
				fail_msg("status %ld with code %s: not retried", statuses[j],
					 retryable_codes[i]);
}

static void client_side_failures_are_not_retried(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(final_statuses); i++)
		for (size_t j = 0; j < NELEM(final_codes); j++)
			if (retryable_reply(final_statuses[i], final_codes[j]))
				fail_msg("status %ld with code %s: retried", final_statuses[i],
					 final_codes[j] ? final_codes[j] : "(none)");
}

static void the_code_is_read_from_the_error_body_only(void **state)
{
	(void)state;
	/* A retryable word outside an <Error> root is no error code. */
	struct http_response r =
		reply(400, "<ListBucketResult><Key>SlowDown</Key></ListBucketResult>");
	assert_false(s3_reply_retryable(&r));
	r = reply(403, "<Error><Message>SlowDown</Message></Error>");
	assert_false(s3_reply_retryable(&r));
	r = reply(403, "not xml at all: InternalError");
	assert_false(s3_reply_retryable(&r));
}

static void no_reply_is_retried_when_the_transport_says_so(void **state)
{
	(void)state;
	static const int transient[] = {
		CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT,
		CURLE_OPERATION_TIMEDOUT,   CURLE_SEND_ERROR,
		CURLE_RECV_ERROR,	    CURLE_GOT_NOTHING,
		CURLE_PARTIAL_FILE,	    CURLE_HTTP2,
		CURLE_HTTP2_STREAM,	    CURLE_SSL_CONNECT_ERROR,
		CURLE_WEIRD_SERVER_REPLY,
	};
	static const int final[] = {
		CURLE_UNSUPPORTED_PROTOCOL,  CURLE_URL_MALFORMAT, CURLE_PEER_FAILED_VERIFICATION,
		CURLE_SSL_CACERT_BADFILE,    CURLE_READ_ERROR,	  CURLE_WRITE_ERROR,
		CURLE_ABORTED_BY_CALLBACK,   CURLE_OUT_OF_MEMORY, CURLE_FILESIZE_EXCEEDED,
		CURLE_BAD_FUNCTION_ARGUMENT,
	};
	for (size_t i = 0; i < NELEM(transient); i++) {
		struct http_response r = reply(0, NULL);
		r.curl_code = transient[i];
		if (!s3_reply_retryable(&r))
			fail_msg("curl error %d: not retried", transient[i]);
		/* ...unless the failure was ours, reading or writing a local file */
		r.local_error = true;
		if (s3_reply_retryable(&r))
			fail_msg("curl error %d on a local file: retried", transient[i]);
	}
	for (size_t i = 0; i < NELEM(final); i++) {
		struct http_response r = reply(0, NULL);
		r.curl_code = final[i];
		if (s3_reply_retryable(&r))
			fail_msg("curl error %d: retried", final[i]);
	}
}

/* A successful reply body of each operation, as S3 sends it. */
static const char *ok_body(enum s3_op op)
{
	switch (op) {
	case S3_CREATE_MULTIPART:
		return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult>"
		       "<Bucket>b</Bucket><Key>k</Key><UploadId>u1</UploadId>"
		       "</InitiateMultipartUploadResult>";
	case S3_UPLOAD_PART:
		return "<CopyPartResult><ETag>\"e1\"</ETag></CopyPartResult>";
	case S3_COMPLETE_MULTIPART:
		return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult>"
		       "<Key>Error</Key><ETag>\"e-2\"</ETag></CompleteMultipartUploadResult>";
	case S3_COPY_OBJECT:
		return "<CopyObjectResult><ETag>\"e\"</ETag></CopyObjectResult>";
	case S3_LIST_OBJECTS:
		return "<ListBucketResult><Contents><Key>Error</Key><Size>1</Size></Contents>"
		       "</ListBucketResult>";
	case S3_LIST_UPLOADS:
		return "<ListMultipartUploadsResult></ListMultipartUploadsResult>";
	default:
		return ""; /* PUT, HEAD, DELETE, abort: no body; GET: streamed to a file */
	}
}

static void a_2xx_answers_every_operation(void **state)
{
	(void)state;
	static const long ok[] = {200, 204, 206};
	for (size_t i = 0; i < NELEM(all_ops); i++)
		for (size_t excl = 0; excl < 2; excl++)
			for (size_t j = 0; j < NELEM(ok); j++) {
				struct http_response r = reply(ok[j], ok_body(all_ops[i]));
				if (!s3_answered(s3_op_accept(all_ops[i], excl), &r))
					fail_msg("op %d (exclusive %zu): %ld is no answer",
						 (int)all_ops[i], excl, ok[j]);
			}
}

/* CompleteMultipartUpload and CopyObject may fail after a 200: the <Error>
 * comes in the body. Whatever the operation, such a reply is a failure, and
 * it is retried by its code. */
static void a_2xx_with_an_error_body_answers_no_operation(void **state)
{
	(void)state;
	char body[512];
	for (size_t i = 0; i < NELEM(all_ops); i++)
		for (size_t excl = 0; excl < 2; excl++) {
			const long *accept = s3_op_accept(all_ops[i], excl);
			struct http_response r =
				reply(200, error_body(body, sizeof(body), "InternalError"));
			if (s3_answered(accept, &r))
				fail_msg("op %d (exclusive %zu): 200 <Error> is an answer",
					 (int)all_ops[i], excl);
			assert_true(s3_reply_retryable(&r));
			r = reply(200, error_body(body, sizeof(body), "AccessDenied"));
			assert_false(s3_answered(accept, &r));
			assert_false(s3_reply_retryable(&r));
			r = reply(200, "<Error></Error>"); /* no code at all */
			assert_false(s3_answered(accept, &r));
			assert_false(s3_reply_retryable(&r));
		}
}

static bool answers(enum s3_op op, bool exclusive, long status)
{
	char body[512];
	struct http_response r = reply(status, error_body(body, sizeof(body), "Whatever"));
	return s3_answered(s3_op_accept(op, exclusive), &r);
}

/* 412 is "the key exists" only to a write that asked If-None-Match: * */
static void precondition_failed_answers_only_exclusive_writes(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(all_ops); i++) {
		enum s3_op op = all_ops[i];
		bool conditional_write =
			op == S3_PUT_OBJECT || op == S3_COPY_OBJECT || op == S3_COMPLETE_MULTIPART;
		if (answers(op, true, 412) != conditional_write)
			fail_msg("op %d with If-None-Match: 412 %s", (int)op,
				 conditional_write ? "is no answer" : "is an answer");
		if (answers(op, false, 412))
			fail_msg("op %d without If-None-Match: 412 is an answer", (int)op);
		assert_false(retryable_reply(412, "PreconditionFailed"));
	}
}

/* 501 to a conditional PUT or CopyObject: the server lacks If-None-Match
 * (the publish falls back to HEAD). To anything else it is a failure. */
static void not_implemented_answers_only_exclusive_put_and_copy(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(all_ops); i++) {
		enum s3_op op = all_ops[i];
		bool want = op == S3_PUT_OBJECT || op == S3_COPY_OBJECT;
		if (answers(op, true, 501) != want)
			fail_msg("op %d with If-None-Match: 501 %s", (int)op,
				 want ? "is no answer" : "is an answer");
		if (answers(op, false, 501))
			fail_msg("op %d without If-None-Match: 501 is an answer", (int)op);
	}
}

/* 404 tells "no such object" to a HEAD, GET or DELETE, and "already gone"
 * to an abort; to a write or a listing it is a failure. */
static void not_found_answers_reads_and_deletes(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(all_ops); i++) {
		enum s3_op op = all_ops[i];
		bool want = op == S3_HEAD_OBJECT || op == S3_GET_OBJECT || op == S3_DELETE_OBJECT ||
			    op == S3_ABORT_MULTIPART;
		for (int excl = 0; excl < 2; excl++)
			if (answers(op, excl, 404) != want)
				fail_msg("op %d: 404 %s", (int)op,
					 want ? "is no answer" : "is an answer");
	}
}

/* No other failure is ever an answer, whatever the operation. */
static void other_failures_answer_no_operation(void **state)
{
	(void)state;
	static const long statuses[] = {0, 301, 400, 403, 409, 429, 500, 503};
	for (size_t i = 0; i < NELEM(all_ops); i++)
		for (int excl = 0; excl < 2; excl++)
			for (size_t j = 0; j < NELEM(statuses); j++)
				if (answers(all_ops[i], excl, statuses[j]))
					fail_msg("op %d: %ld is an answer", (int)all_ops[i],
						 statuses[j]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(server_side_statuses_are_retried_whatever_the_code),
		cmocka_unit_test(retryable_codes_are_retried_whatever_the_status),
		cmocka_unit_test(client_side_failures_are_not_retried),
		cmocka_unit_test(the_code_is_read_from_the_error_body_only),
		cmocka_unit_test(no_reply_is_retried_when_the_transport_says_so),
		cmocka_unit_test(a_2xx_answers_every_operation),
		cmocka_unit_test(a_2xx_with_an_error_body_answers_no_operation),
		cmocka_unit_test(precondition_failed_answers_only_exclusive_writes),
		cmocka_unit_test(not_implemented_answers_only_exclusive_put_and_copy),
		cmocka_unit_test(not_found_answers_reads_and_deletes),
		cmocka_unit_test(other_failures_answer_no_operation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
