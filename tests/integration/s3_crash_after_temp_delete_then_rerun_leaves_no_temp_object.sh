#!/usr/bin/env bash
# On S3, a run killed (SIGKILL) at after-temp-delete: the batch at its final
# key, its temp object deleted, "published" not yet recorded. The next run
# finds the batch published, deletes the (gone) temp object, records and
# acknowledges it: nothing left under the temp prefix, each change once.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup
s3_sqlite_loaded
temp_keys() {
	aws_s3api list-objects-v2 --bucket "$B" --prefix "$S3_PREFIX/_tmp/" --query 'Contents[].Key' --output text
}

sqlite3 src.db "INSERT INTO t VALUES(1, 'one'); UPDATE t SET v = 'nil' WHERE id = 0;"
crashed after-temp-delete
read -r key file < <(sqlite3 -separator ' ' state/state.db "SELECT key, file FROM batches WHERE seq = 2")
assert_eq 404 "$(s3_req HEAD "$(s3_url "$S3_PREFIX/_tmp/$key")")" "HEAD the temp key after the kill"
assert_eq 1 "$(sqlite3 state/state.db "SELECT state FROM batches WHERE seq = 2")" "batch 2's state after the kill (uploaded)"

assert_status 0 "$CDCPACK" --json run
assert_eq 1 "$(jq .recovered last.out)" "batches the run after the kill recovered"
assert_eq None "$(temp_keys)" "objects under the temp prefix after the rerun"
assert_eq 200 "$(s3_req GET "$(s3_url "$S3_PREFIX/cdc/$key")")" "GET the final object of batch 2"
cmp -s "$T/s3.body" "state/$file" || fail "the final object of batch 2 is not the staged archive"
assert_eq 0 "$(sqlite3 src.db "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'")" "changelog rows after the rerun"
assert_eq "I,1,one U,0,nil" "$(tar -xOf "$T/s3.body" --exclude manifest.json | tr '\n' ' ' | sed 's/ $//')" \
	"rows of batch 2"
assert_status 0 "$CDCPACK" --json run
assert_eq 0 "$(jq .batches last.out)" "batches of a run with nothing new"
