/* S3 XML bodies: error replies (also hidden in a 200), list pages, upload ids,
 * the CompleteMultipartUpload request. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "s3xml.h"

#include <stdlib.h>
#include <string.h>

static void error_reply_gives_code_and_message(void **state)
{
	(void)state;
	const char *xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			  "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature "
			  "we calculated does not match &amp; so on</Message>"
			  "<StringToSign>AWS4-HMAC-SHA256...</StringToSign></Error>";
	struct s3xml_error e;
	assert_true(s3xml_parse_error(xml, strlen(xml), &e));
	assert_string_equal(e.code, "SignatureDoesNotMatch");
	assert_string_equal(e.message,
			    "The request signature we calculated does not match & so on");
	s3xml_error_free(&e);
}

/* CompleteMultipartUpload and CopyObject may answer 200, send blanks to keep
 * the connection alive, then an <Error> (docs/design.md §8). */
static void error_after_keepalive_blanks_in_a_200_is_found(void **state)
{
	(void)state;
	const char *xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n      \n"
			  "<Error><Code>InternalError</Code><Message>We encountered an internal "
			  "error. Please try again.</Message><RequestId>656c76696e67</RequestId>"
			  "</Error>";
	struct s3xml_error e;
	assert_true(s3xml_parse_error(xml, strlen(xml), &e));
	assert_string_equal(e.code, "InternalError");
	s3xml_error_free(&e);
}

static void success_bodies_are_not_errors(void **state)
{
	(void)state;
	const char *complete = "<?xml version=\"1.0\"?><CompleteMultipartUploadResult>"
			       "<Location>x</Location><Bucket>b</Bucket><Key>k</Key>"
			       "<ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag>"
			       "</CompleteMultipartUploadResult>";
	const char *copy = "<CopyObjectResult><LastModified>2009-10-12T17:50:30.000Z"
			   "</LastModified><ETag>\"9b2cf535f27731c974343645a3985328\"</ETag>"
			   "</CopyObjectResult>";
	struct s3xml_error e;
	assert_false(s3xml_parse_error(complete, strlen(complete), &e));
	assert_false(s3xml_parse_error(copy, strlen(copy), &e));
	assert_false(s3xml_parse_error("", 0, &e));
	assert_false(s3xml_parse_error(NULL, 0, &e));
	/* <ErrorDocument> is not <Error>, and an Error deeper down is not the root. */
	const char *other = "<Result><Error><Code>x</Code></Error></Result>";
	assert_false(s3xml_parse_error(other, strlen(other), &e));
}

static void upload_id_and_etag_are_read_and_unescaped(void **state)
{
	(void)state;
	const char *xml = "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/"
			  "2006-03-01/\"><Bucket>b</Bucket><Key>a&lt;b&gt;</Key><UploadId>"
			  "VXBsb2FkIElE+/=</UploadId></InitiateMultipartUploadResult>";
	char *id = s3xml_text(xml, strlen(xml), "UploadId");
	char *key = s3xml_text(xml, strlen(xml), "Key");
	assert_string_equal(id, "VXBsb2FkIElE+/=");
	assert_string_equal(key, "a<b>");
	assert_null(s3xml_text(xml, strlen(xml), "ETag"));
	free(id);
	free(key);
	const char *etag = "<CopyPartResult><ETag>&quot;abc&quot;</ETag></CopyPartResult>";
	char *e = s3xml_text(etag, strlen(etag), "ETag");
	assert_string_equal(e, "\"abc\"");
	free(e);
}

static void numeric_entities_decode_to_utf8(void **state)
{
	(void)state;
	const char *xml = "<Key>caf&#233;/&#x20AC; &#128512;</Key>";
	char *k = s3xml_text(xml, strlen(xml), "Key");
	assert_string_equal(k, "caf\xc3\xa9/\xe2\x82\xac \xf0\x9f\x98\x80");
	free(k);
}

struct seen {
	struct buf keys;
	int64_t total;
};

static int collect(void *ctx, const char *key, int64_t size)
{
	struct seen *s = ctx;
	buf_addf(&s->keys, "%s|", key);
	s->total += size;
	return 0;
}

static const char list_page[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	"<Name>bucket</Name><Prefix>cdc/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>"
	"<IsTruncated>true</IsTruncated>"
	"<Contents><Key>cdc/a b+c=d.tar.zst</Key><LastModified>2026-01-01T00:00:00.000Z"
	"</LastModified><ETag>&quot;x&quot;</ETag><Size>10</Size><StorageClass>STANDARD"
	"</StorageClass></Contents>"
	"<Contents><Key>cdc/&#xE9;t&#233;.tar.zst</Key><Size>5</Size></Contents>"
	"<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</"
	"NextContinuationToken>"
	"</ListBucketResult>";

static void list_page_gives_keys_sizes_and_continuation(void **state)
{
	(void)state;
	struct seen s = {BUF_INIT, 0};
	char *next = NULL;
	assert_int_equal(s3xml_list_page(list_page, strlen(list_page), collect, &s, &next), 0);
	assert_string_equal(buf_str(&s.keys), "cdc/a b+c=d.tar.zst|cdc/\xc3\xa9t\xc3\xa9.tar.zst|");
	assert_int_equal(s.total, 15);
	assert_string_equal(next, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
	free(next);
	buf_free(&s.keys);
}

static void last_list_page_has_no_continuation(void **state)
{
	(void)state;
	const char *xml = "<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount>"
			  "</ListBucketResult>";
	struct seen s = {BUF_INIT, 0};
	char *next = (char *)"unset";
	assert_int_equal(s3xml_list_page(xml, strlen(xml), collect, &s, &next), 0);
	assert_null(next);
	assert_string_equal(buf_str(&s.keys), "");
}

static void truncated_list_without_token_is_an_error(void **state)
{
	(void)state;
	const char *xml = "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>";
	struct seen s = {BUF_INIT, 0};
	char *next;
	assert_int_equal(s3xml_list_page(xml, strlen(xml), collect, &s, &next), CDC_ERUNTIME);
	assert_null(next);
	err_clear();
}

static void list_entry_without_size_is_an_error(void **state)
{
	(void)state;
	const char *xml = "<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>";
	struct seen s = {BUF_INIT, 0};
	char *next;
	assert_int_equal(s3xml_list_page(xml, strlen(xml), collect, &s, &next), CDC_ERUNTIME);
	const char *err = "<Error><Code>AccessDenied</Code></Error>";
	assert_int_equal(s3xml_list_page(err, strlen(err), collect, &s, &next), CDC_ERUNTIME);
	buf_free(&s.keys);
	err_clear();
}

static void tag_prefix_does_not_match_longer_tag(void **state)
{
	(void)state;
	const char *xml = "<R><KeyCount>3</KeyCount><Key>real</Key></R>";
	char *k = s3xml_text(xml, strlen(xml), "Key");
	assert_string_equal(k, "real");
	free(k);
	const char *empty = "<R><Key/></R>";
	k = s3xml_text(empty, strlen(empty), "Key");
	assert_string_equal(k, "");
	free(k);
	const char *unclosed = "<R><Key>abc";
	assert_null(s3xml_text(unclosed, strlen(unclosed), "Key"));
}

static int collect_upload(void *ctx, const char *key, const char *id)
{
	buf_addf(ctx, "%s=%s|", key, id);
	return 0;
}

static void multipart_upload_listing_gives_keys_and_ids(void **state)
{
	(void)state;
	const char *xml = "<?xml version=\"1.0\"?><ListMultipartUploadsResult><Bucket>b</Bucket>"
			  "<KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>"
			  "<Upload><Key>_tmp/a b.tar</Key><UploadId>id1</UploadId>"
			  "<Initiated>2026-01-01T00:00:00Z</Initiated></Upload>"
			  "<Upload><Key>_tmp/a b.tar.x</Key><UploadId>id&amp;2</UploadId></Upload>"
			  "</ListMultipartUploadsResult>";
	struct buf seen = BUF_INIT;
	assert_int_equal(s3xml_uploads(xml, strlen(xml), collect_upload, &seen), 0);
	assert_string_equal(buf_str(&seen), "_tmp/a b.tar=id1|_tmp/a b.tar.x=id&2|");
	buf_free(&seen);
	const char *other = "<Error><Code>AccessDenied</Code></Error>";
	assert_int_equal(s3xml_uploads(other, strlen(other), collect_upload, &seen), CDC_ERUNTIME);
	err_clear();
}

static void complete_body_lists_parts_in_order(void **state)
{
	(void)state;
	char *etags[] = {(char *)"\"a1\"", (char *)"\"b&2\""};
	struct buf b = BUF_INIT;
	s3xml_complete_body(&b, etags, 2);
	assert_string_equal(
		buf_str(&b),
		"<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
		"<Part><PartNumber>1</PartNumber><ETag>&quot;a1&quot;</ETag></Part>"
		"<Part><PartNumber>2</PartNumber><ETag>&quot;b&amp;2&quot;</ETag></Part>"
		"</CompleteMultipartUpload>");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(error_reply_gives_code_and_message),
		cmocka_unit_test(error_after_keepalive_blanks_in_a_200_is_found),
		cmocka_unit_test(success_bodies_are_not_errors),
		cmocka_unit_test(upload_id_and_etag_are_read_and_unescaped),
		cmocka_unit_test(numeric_entities_decode_to_utf8),
		cmocka_unit_test(list_page_gives_keys_sizes_and_continuation),
		cmocka_unit_test(last_list_page_has_no_continuation),
		cmocka_unit_test(truncated_list_without_token_is_an_error),
		cmocka_unit_test(list_entry_without_size_is_an_error),
		cmocka_unit_test(tag_prefix_does_not_match_longer_tag),
		cmocka_unit_test(multipart_upload_listing_gives_keys_and_ids),
		cmocka_unit_test(complete_body_lists_parts_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
