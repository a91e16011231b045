#!/usr/bin/env bash
# Injected 503, 500, connection resets (before and in the middle of a body),
# slow replies and 200-with-<Error> on every kind of request the S3 target
# makes (PutObject, CreateMultipartUpload, UploadPart,
# CompleteMultipartUpload, CopyObject, HeadObject, DeleteObject, GetObject,
# ListObjectsV2) are retried: the runs succeed, each retry is logged as a
# warning with its reason, every change is published exactly once, and a
# CopyObject that succeeded although its reply was lost comes back 412 on
# retry and is recognised as ours.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup
write_config "$T/cdcpack.conf" "sqlite:$T/shop.db" "s3://$B/$S3_PREFIX" \
	"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION" \
	"part_size = 5M" "max_retries = 8" '[batch]' 'compression = none'
export CDCPACK_CONFIG=$T/cdcpack.conf

# every rule of the current set fired as often as it has nth entries
all_fired() {
	curl -sS "$CDCPACK_TEST_S3_CONTROL/faults" >faults.json
	jq -e 'all(.[]; .fired == (.nth | length))' faults.json >/dev/null ||
		fail "$1: not every fault fired: $(jq -c 'map({comment, seen, fired})' faults.json)"
}

sqlite3 shop.db "CREATE TABLE Persons(PersonID INTEGER PRIMARY KEY, FullName TEXT, City TEXT);
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 101)
	INSERT INTO Persons SELECT i, 'Person ' || i, 'City ' || (i % 7) FROM n;"
assert_status 0 "$CDCPACK" triggers install

# --- a load: single PUT, HEADs, CopyObject, DELETE
s3_faults '[
 {"comment": "head 503 + Retry-After", "method": "HEAD", "nth": [1, 3], "action": "503", "retry_after": 1},
 {"comment": "put reset", "method": "PUT", "path": "/_tmp/.*[.]tar$", "copy_source": false, "nth": [1], "action": "reset"},
 {"comment": "put reset mid-body", "method": "PUT", "path": "/_tmp/.*[.]tar$", "copy_source": false, "nth": [2], "action": "reset", "request_bytes": 100},
 {"comment": "put 500", "method": "PUT", "path": "/_tmp/.*[.]tar$", "copy_source": false, "nth": [3], "action": "500"},
 {"comment": "copy 503", "method": "PUT", "path": "[.]tar$", "copy_source": true, "nth": [1], "action": "503"},
 {"comment": "copy done, reply lost", "method": "PUT", "path": "[.]tar$", "copy_source": true, "nth": [2], "action": "500", "forward": true},
 {"comment": "delete reset", "method": "DELETE", "path": "[.]tar$", "nth": [1], "action": "reset"}
]'
assert_status 0 "$CDCPACK" -v load
all_fired load
cp last.err load.err
assert_contains load.err "HTTP 503 SlowDown"
assert_contains load.err "retry 1 of 8"
s3_log >load.log
assert_eq '[503,500,412]' "$(jq -sc 'map(select(.op == "CopyObject" and (.key | test("[.]tar$"))) | .status)' load.log)" \
	"CopyObject statuses (the third finds the object the second made)"
assert_contains load.err "batch already published"

# --- a multipart cdc batch: CreateMultipartUpload, UploadPart, CompleteMultipartUpload
sqlite3 shop.db "WITH RECURSIVE n(i) AS (SELECT 1000 UNION ALL SELECT i + 1 FROM n WHERE i < 91000)
	INSERT INTO Persons SELECT i, hex(randomblob(64)), 'Bulk' FROM n;
	UPDATE Persons SET City = 'Phoenix' WHERE PersonID = 7; DELETE FROM Persons WHERE PersonID = 10;"
s3_reset
s3_faults '[
 {"comment": "create 500", "method": "POST", "query": "uploads", "nth": [1], "action": "500"},
 {"comment": "part 1 reset mid-body", "method": "PUT", "query": "partNumber=1&", "nth": [1], "action": "reset", "request_bytes": 1000000},
 {"comment": "part 2 503 twice", "method": "PUT", "query": "partNumber=2&", "nth": [1, 2], "action": "503"},
 {"comment": "part 3 slow reply", "method": "PUT", "query": "partNumber=3&", "nth": [1], "action": "slow", "delay_ms": 1500},
 {"comment": "complete 200 with Error", "method": "POST", "query": "uploadId=", "nth": [1], "action": "error200"},
 {"comment": "complete done, 200 with Error", "method": "POST", "query": "uploadId=", "nth": [2], "action": "error200", "forward": true}
]'
assert_status 0 "$CDCPACK" -v run
all_fired run
cp last.err run.err
assert_contains run.err "HTTP 200 InternalError"
assert_contains run.err "completed by an attempt whose reply was lost"
assert_eq '[]' "$(curl -sS "$CDCPACK_TEST_S3_CONTROL/uploads" | jq -c --arg p "$S3_PREFIX/" 'map(select(.key | startswith($p)))')" "unfinished multipart uploads"

# --- reading back: ListObjectsV2, GetObject
s3_reset
s3_faults '[
 {"comment": "list 503", "method": "GET", "query": "list-type=2", "nth": [1], "action": "503"},
 {"comment": "get reset after 1000 bytes", "method": "GET", "path": "/cdc/.*[.]tar$", "nth": [1], "action": "reset", "response_bytes": 1000},
 {"comment": "get 500", "method": "GET", "path": "/cdc/.*[.]tar$", "nth": [2], "action": "500"}
]'
assert_status 0 "$CDCPACK" ls
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
all_fired "ls and apply"
assert_status 0 "$CDCPACK" verify --against "sqlite:$T/replica.db"
assert_eq "$(sqlite_dump_tables shop.db)" "$(sqlite_dump_tables replica.db)" "replica tables"

# --- exactly once: one object per batch, no temp objects, every change in one batch
assert_status 0 aws_s3 ls --recursive "s3://$B/$S3_PREFIX/"
cp last.out listing.txt
assert_eq 2 "$(grep -c "$S3_PREFIX/cdc/" listing.txt)" "archives in the bucket ($(cat listing.txt))"
assert_eq 3 "$(wc -l <listing.txt)" "objects in the bucket: the archives and the claim ($(cat listing.txt))"
assert_not_contains listing.txt "_tmp/"
assert_eq "101 90003" "$(sqlite3 state/state.db 'SELECT group_concat(rows, " ") FROM (SELECT rows FROM batches ORDER BY seq)')" \
	"rows per batch (101 loaded; 90001 inserts, an update and a delete)"
