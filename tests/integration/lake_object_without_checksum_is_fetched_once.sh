#!/usr/bin/env bash
# A lake object of the right size but without a checksum stored with it
# (written by another tool, or by a store that drops metadata) and of other
# bytes than this run's gzip is fetched once: hashed, then gunzipped from
# the same copy to see whether it holds the batch's file (another build's
# gzip: published already). Before, it was fetched a second time for the
# gunzip. The object stands in for another build's: igzip's own bytes with
# another gzip MTIME (same size, same content), put back by the AWS CLI,
# which stores no xxh128.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
source "$ROOT/tests/lib/core.sh"
s3_client_setup
s3_sqlite_source "endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION" \
	'[lake]' 'prefix = dms/' 'compression = gzip'
assert_status 0 "$CDCPACK" load

sqlite3 "$T/src.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
	INSERT INTO t SELECT i, printf('row %d', i) FROM n;"
crashed mid-lake -v run
assert_status 0 aws_s3 ls --recursive "s3://$B/$S3_PREFIX/dms/"
key=$(grep -o "$S3_PREFIX/dms/.*/2[0-9-]*\.csv\.gz" "$T/last.out") ||
	fail "no change object in the lake after the kill mid-lake: $(cat "$T/last.out")"
assert_status 0 aws_s3 cp "s3://$B/$key" "$T/obj.gz"
size=$(stat -c %s "$T/obj.gz")
printf '\x01\x02\x03\x04' | dd of="$T/obj.gz" bs=1 seek=4 conv=notrunc status=none
assert_eq "$size" "$(stat -c %s "$T/obj.gz")" "size of the object with another MTIME"
gzip -t "$T/obj.gz" || fail "the object with another MTIME is not gzip"
assert_status 0 aws_s3 cp "$T/obj.gz" "s3://$B/$key"

since=$(s3_log | jq -s 'map(.seq) | max')
assert_status 0 "$CDCPACK" -v run
assert_contains "$T/last.err" "lake object key=${key#"$S3_PREFIX/"} holds"
assert_contains "$T/last.err" "gzipped by another build: published already"
gets=$(s3_log "$since" | jq -s --arg k "$key" 'map(select(.method == "GET" and .key == $k)) | length')
assert_eq 1 "$gets" "GETs of the lake object without a checksum"
