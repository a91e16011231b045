#!/usr/bin/env bash
# [target] sse, sse_kms_key_id, bucket_key, storage_class, tags, acl and
# expected_bucket_owner go, signed, on every PutObject, CreateMultipartUpload
# and CopyObject cdcpack sends (archives, the publish copy, claims, manifests,
# lake objects, the conditional-write probe); a copy replaces the tags with
# the same ones (x-amz-tagging-directive: REPLACE). The owner goes on every
# request, and a bucket of another owner is refused (403, exit 3). Bad values
# exit 2 naming the key.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup
KMS=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
s3_sqlite_source "endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION" \
	"part_size = 5M" "sse = aws:kms" "sse_kms_key_id = $KMS" "bucket_key = true" \
	"storage_class = STANDARD_IA" "tags = team=data, cost center=cdc/42, empty=" \
	"acl = bucket-owner-full-control" "expected_bucket_owner = $CDCPACK_TEST_S3_BUCKET_OWNER" \
	'[batch]' 'compression = none' '[lake]' 'prefix = lake/'
assert_status 0 "$CDCPACK" load
# a batch big enough for a multipart upload (3 parts)
sqlite3 "$T/src.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
	INSERT INTO t SELECT i, hex(randomblob(64)) FROM n;"
assert_status 0 "$CDCPACK" run
assert_contains last.out "published"

s3_log >s3.log
writes='select(.op == "PutObject" or .op == "CreateMultipartUpload" or .op == "CopyObject")'
for op in PutObject CreateMultipartUpload CopyObject; do
	[[ $(jq -s "map(select(.op == \"$op\")) | length" s3.log) -gt 0 ]] || fail "no $op in the log"
done
[[ $(jq -s 'map(select(.op == "PutObject" and (.key | test("/lake/")))) | length' s3.log) -gt 0 ]] ||
	fail "no lake object written"
assert_eq 0 "$(jq -s 'map(select(.status >= 400 and .status != 404 and .status != 412)) | length' s3.log)" "refused requests"
want=$(jq -cn --arg kms "$KMS" --arg owner "$CDCPACK_TEST_S3_BUCKET_OWNER" '{
	"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": $kms,
	"x-amz-server-side-encryption-bucket-key-enabled": "true", "x-amz-storage-class": "STANDARD_IA",
	"x-amz-acl": "bucket-owner-full-control", "x-amz-tagging": "team=data&cost%20center=cdc%2F42&empty=",
	"x-amz-expected-bucket-owner": $owner}')
assert_eq 0 "$(jq -s --argjson want "$want" "map($writes | select(.object_settings | with_entries(select(.key != \"x-amz-tagging-directive\" and .key != \"x-amz-source-expected-bucket-owner\")) != \$want)) | length" s3.log)" \
	"writes without the settings: $(jq -c "$writes | select(.object_settings[\"x-amz-storage-class\"] != \"STANDARD_IA\") | [.op, .key]" s3.log | head -3)"
assert_eq 0 "$(jq -s "map(select(.op == \"CopyObject\") | select(.object_settings[\"x-amz-tagging-directive\"] != \"REPLACE\" or .object_settings[\"x-amz-source-expected-bucket-owner\"] != \"$CDCPACK_TEST_S3_BUCKET_OWNER\")) | length" s3.log)" \
	"copies that do not restate the tags and the source owner"
assert_eq '{"team":"data","cost center":"cdc/42","empty":""}' "$(jq -c "$writes | .tags" s3.log | sort -u)" "tags as S3 reads them"
assert_eq 0 "$(jq -s 'map(select((.headers | index("x-amz-expected-bucket-owner")) == null)) | length' s3.log)" \
	"requests without the expected owner"
# every signed: the front checked each signature over the headers sent
assert_eq 0 "$(jq -s 'map(select(.sig_ok != true)) | length' s3.log)" "requests not signed"

# another owner: refused at the first request
sed -i "s/^expected_bucket_owner = .*/expected_bucket_owner = 999999999999/" "$CDCPACK_CONFIG"
sqlite3 "$T/src.db" "INSERT INTO t VALUES(-1, 'x');"
assert_status 3 "$CDCPACK" run
assert_contains last.err "AccessDenied"

# bad values: exit 2 naming the key
for bad in "sse = aws:kmz" "storage_class = GLACIER" "tags = aws:x=1" "tags = a" "tags = a=1, a=2" \
	"acl = public-read" "expected_bucket_owner = 12345" "bucket_key = maybe"; do
	write_config "$T/bad.conf" "sqlite:$T/src.db" "s3://$B/$S3_PREFIX" \
		"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "$bad"
	assert_status 2 "$CDCPACK" -c "$T/bad.conf" ls
	assert_contains last.err "${bad%% =*}"
done
write_config "$T/bad.conf" "sqlite:$T/src.db" "s3://$B/$S3_PREFIX" "sse = AES256" "sse_kms_key_id = $KMS"
assert_status 2 "$CDCPACK" -c "$T/bad.conf" ls
assert_contains last.err "[target] sse_kms_key_id: applies with sse = aws:kms only"
write_config "$T/bad.conf" "sqlite:$T/src.db" "file:$T/bucket" "storage_class = STANDARD_IA"
assert_status 2 "$CDCPACK" -c "$T/bad.conf" load
assert_contains last.err "storage_class"
