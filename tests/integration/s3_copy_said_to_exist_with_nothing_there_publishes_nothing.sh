#!/usr/bin/env bash
# A store that refuses the publishing copy with 412 PreconditionFailed ("the
# final key exists") while nothing is there: the run does not take the
# batch for published. It stops with exit 3 saying so, keeps the temp
# object, acknowledges nothing; the next run publishes the batch.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup
write_config "$T/cdcpack.conf" "sqlite:$T/src.db" "s3://$B/$S3_PREFIX" \
	"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION"
export CDCPACK_CONFIG=$T/cdcpack.conf
sqlite3 src.db "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES(0, 'zero');"
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load

sqlite3 src.db "INSERT INTO t VALUES(1, 'one')"
s3_faults '[{"method": "PUT", "copy_source": true, "count": 1, "action": "412"}]'
assert_status 3 "$CDCPACK" run
assert_contains last.err "the store said the key exists, but it holds nothing"
assert_eq 1 "$(s3_control GET /faults | jq '.[0].fired')" "copies the front refused"
read -r key state < <(sqlite3 -separator ' ' state/state.db "SELECT key, state FROM batches WHERE seq = 2")
assert_eq 1 "$state" "batch 2's state after the refused copy (uploaded, not published)"
assert_eq 404 "$(s3_req HEAD "$(s3_url "$S3_PREFIX/cdc/$key")")" "HEAD the final key after the refused copy"
assert_eq 200 "$(s3_req HEAD "$(s3_url "$S3_PREFIX/_tmp/$key")")" "HEAD the temp key after the refused copy"
assert_eq 1 "$(sqlite3 src.db "SELECT count(*) FROM cdcpack_changelog")" "changelog rows after the refused copy"

assert_status 0 "$CDCPACK" run
assert_eq 200 "$(s3_req GET "$(s3_url "$S3_PREFIX/cdc/$key")")" "GET the final object of batch 2"
cmp -s "$T/s3.body" "state/$(sqlite3 state/state.db "SELECT file FROM batches WHERE seq = 2")" ||
	fail "the final object of batch 2 is not the staged archive"
assert_eq 404 "$(s3_req HEAD "$(s3_url "$S3_PREFIX/_tmp/$key")")" "HEAD the temp key after publishing"
assert_eq 0 "$(sqlite3 src.db "SELECT count(*) FROM cdcpack_changelog")" "changelog rows after the rerun"
