#!/usr/bin/env bash
# Retries stop after max_retries: a server that keeps answering 503 gets
# exactly max_retries + 1 attempts (1 with max_retries = 0), each retry logged
# as a warning with its reason, and the run exits 3 naming the S3 error. A
# client error (400) is not retried at all, and a multipart upload it breaks
# is aborted. Nothing is lost: the next run publishes it all.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup
conf() { # conf MAX_RETRIES
	write_config "$T/cdcpack.conf" "sqlite:$T/shop.db" "s3://$B/$S3_PREFIX" \
		"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION" \
		"part_size = 5M" "max_retries = $1" '[batch]' 'compression = none'
}
export CDCPACK_CONFIG=$T/cdcpack.conf
conf 2
sqlite3 shop.db "CREATE TABLE Persons(id INTEGER PRIMARY KEY, name TEXT);
	INSERT INTO Persons VALUES (1, 'a'), (2, 'b');"
assert_status 0 "$CDCPACK" triggers install

# 503 for ever on the temp object: 3 attempts with max_retries = 2
s3_faults '[{"method": "HEAD", "path": "/_tmp/", "action": "503"}]'
assert_status 3 "$CDCPACK" -v load
assert_contains last.err "HTTP 503 Service Unavailable"
assert_contains last.err "retry 1 of 2"
assert_contains last.err "retry 2 of 2"
assert_not_contains last.err "retry 3 of"
assert_contains last.err "gave up after retries"
assert_eq 3 "$(s3_log | jq -s 'map(select(.method == "HEAD" and (.key | contains("/_tmp/")))) | length')" "HEAD attempts with max_retries = 2"

# max_retries = 0: one attempt only
conf 0
s3_reset
s3_faults '[{"method": "HEAD", "path": "/_tmp/", "action": "500"}]'
assert_status 3 "$CDCPACK" run
assert_contains last.err "HTTP 500 Internal Server Error"
assert_eq 1 "$(s3_log | jq -s 'map(select(.method == "HEAD" and (.key | contains("/_tmp/")))) | length')" "HEAD attempts with max_retries = 0"

# a 400 on the second part of a multipart upload: no retry, the upload is aborted
conf 8
s3_reset
sqlite3 shop.db "WITH RECURSIVE n(i) AS (SELECT 1000 UNION ALL SELECT i + 1 FROM n WHERE i < 90000)
	INSERT INTO Persons SELECT i, hex(randomblob(64)) FROM n;"
s3_faults '[{"method": "PUT", "query": "partNumber=2&", "action": "500", "status": 400,
	"code": "InvalidArgument", "message": "injected client error"}]'
assert_status 3 "$CDCPACK" run
assert_contains last.err "HTTP 400 InvalidArgument: injected client error"
s3_log >mp.log
assert_eq 1 "$(jq -s 'map(select(.op == "UploadPart" and (.url | contains("partNumber=2&")))) | length' mp.log)" \
	"attempts at the refused part"
assert_eq 1 "$(jq -s 'map(select(.op == "AbortMultipartUpload" and .status == 204)) | length' mp.log)" \
	"multipart uploads aborted"
assert_eq '[]' "$(curl -sS "$CDCPACK_TEST_S3_CONTROL/uploads" | jq -c --arg p "$S3_PREFIX/" 'map(select(.key | startswith($p)))')" "unfinished multipart uploads"

# the faults gone, the next run publishes everything that was staged
s3_reset
assert_status 0 "$CDCPACK" run
assert_status 0 aws_s3 ls --recursive "s3://$B/$S3_PREFIX/"
cp last.out listing.txt
assert_not_contains listing.txt "_tmp/"
assert_eq "$(sqlite3 state/state.db 'SELECT count(*) FROM batches')" "$(grep -c "$S3_PREFIX/cdc/" listing.txt)" \
	"published objects and batches"
assert_eq 1 "$(grep -vc "$S3_PREFIX/cdc/" listing.txt)" "objects besides the archives (the claim)"
assert_contains listing.txt "$S3_PREFIX/_cdcpack/claims/cdc/"
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_eq "$(sqlite_dump_tables shop.db)" "$(sqlite_dump_tables replica.db)" "replica tables"
