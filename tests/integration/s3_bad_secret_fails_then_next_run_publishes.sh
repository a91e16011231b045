#!/usr/bin/env bash
# A wrong secret key: the run stops at the first request (the check of the
# source name's claim, before anything is captured) with exit 3 and
# SignatureDoesNotMatch in the message, without retrying, publishes nothing and
# loses nothing: the changes stay in the changelog, and the next run with the
# right key publishes them and the changes made since.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_reset
B=$CDCPACK_TEST_S3_BUCKET
export AWS_ACCESS_KEY_ID=$CDCPACK_TEST_S3_ACCESS_KEY
export AWS_SHARED_CREDENTIALS_FILE=/nonexistent
unset AWS_SESSION_TOKEN AWS_PROFILE
write_config "$T/cdcpack.conf" "sqlite:$T/shop.db" "s3://$B/$S3_PREFIX" \
	"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION"
export CDCPACK_CONFIG=$T/cdcpack.conf

sqlite3 shop.db "CREATE TABLE Persons(id INTEGER PRIMARY KEY, name TEXT);
	INSERT INTO Persons VALUES (1, 'a'), (2, 'b');"
export AWS_SECRET_ACCESS_KEY=$CDCPACK_TEST_S3_SECRET_KEY
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load
sqlite3 shop.db "UPDATE Persons SET name = 'ABC XYZ' WHERE id = 1; INSERT INTO Persons VALUES (3, 'c');"

export AWS_SECRET_ACCESS_KEY='not/the+Right0Secret0123456789abcdefghij'
s3_reset
assert_status 3 "$CDCPACK" run
assert_contains last.err "SignatureDoesNotMatch"
assert_contains last.err "HTTP 403"
assert_not_contains last.err "$AWS_SECRET_ACCESS_KEY"
assert_not_contains last.err "$CDCPACK_TEST_S3_SECRET_KEY"
s3_log >bad.log
# one GET of the claim (no retry of a 403), whose error body carries the code
assert_eq '["GET"]' "$(jq -sc 'map(.method)' bad.log)" "requests made with the bad key"
assert_eq '[403]' "$(jq -sc 'map(.status)' bad.log)" "statuses of the requests with the bad key"
assert_status 0 aws_s3 ls --recursive "s3://$B/$S3_PREFIX/cdc/"
assert_eq 1 "$(wc -l <last.out)" "published archives after the failed run (the load only)"
assert_eq "1" "$(sqlite3 state/state.db 'SELECT count(*) FROM batches')" "batches recorded (the load)"
assert_eq "2" "$(sqlite3 shop.db 'SELECT count(*) FROM cdcpack_changelog')" \
	"changelog rows kept for the next run"

sqlite3 shop.db "DELETE FROM Persons WHERE id = 2;"
export AWS_SECRET_ACCESS_KEY=$CDCPACK_TEST_S3_SECRET_KEY
assert_status 0 "$CDCPACK" run
assert_status 0 aws_s3 ls --recursive "s3://$B/$S3_PREFIX/"
assert_eq 2 "$(grep -c "$S3_PREFIX/cdc/" last.out)" "archives after the good run ($(cat last.out))"
assert_eq 3 "$(wc -l <last.out)" "objects after the good run: the archives and the claim ($(cat last.out))"
assert_not_contains last.out "_tmp/"
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_status 0 "$CDCPACK" verify --against "sqlite:$T/replica.db"
assert_eq "$(sqlite_dump_tables shop.db)" "$(sqlite_dump_tables replica.db)" "replica tables"
