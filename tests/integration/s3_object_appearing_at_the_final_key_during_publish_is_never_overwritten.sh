#!/usr/bin/env bash
# An object of the archive's size that appears at the final key between
# publish's check of that key and its copy (the run held at
# before-final-copy while someone else puts it there), on a store with
# conditional writes (the copy sends If-None-Match: *) and on one that
# ignores them (cdcpack HEADs the key before copying): the run stops with
# exit 3 naming the key, the foreign object keeps its bytes, nothing is
# acknowledged or recorded as published. Once it is moved away, the next
# run publishes the batch, byte for byte the staged archive.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup
s3_sqlite_loaded

url() { s3_url "$S3_PREFIX/$1"; }
pending() { sqlite3 src.db "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'"; }

# race N MODE: row N inserted; with the front's mode MODE, a run held at
# before-final-copy meets a foreign object put at the final key.
race() {
	local n=$1 seq key file
	echo "case: conditional writes $2"
	s3_mode "{\"conditional_writes\": $2}"
	sqlite3 src.db "INSERT INTO t VALUES($n, 'row $n')"
	start_held held before-final-copy 1500 run
	read -r seq key file < <(sqlite3 -separator ' ' state/state.db \
		"SELECT seq, key, file FROM batches ORDER BY seq DESC LIMIT 1")
	assert_eq 404 "$(s3_req HEAD "$(url "cdc/$key")")" "HEAD the final key while held before the copy"
	head -c "$(stat -c %s "state/$file")" /dev/urandom >"$T/foreign"
	assert_eq 200 "$(s3_req PUT "$(url "cdc/$key")" "$T/foreign")" "PUT the foreign object"
	wait_exit "$HELD_PID" 20
	assert_eq 3 "$EXIT_STATUS" "exit status of the run that met a foreign object at the final key ($(tail -n 2 "$T/held.err"))"
	assert_contains "$T/held.err" "cdc/$key holds"
	assert_eq 200 "$(s3_req GET "$(url "cdc/$key")")" "GET the foreign object"
	cmp -s "$T/s3.body" "$T/foreign" || fail "conditional writes $2: the foreign object at the final key was overwritten"
	assert_eq 1 "$(pending)" "conditional writes $2: changelog rows after the refused publish"
	assert_eq 0 "$(sqlite3 state/state.db "SELECT count(*) FROM batches WHERE seq = $seq AND state >= 2")" \
		"conditional writes $2: batch $seq recorded as published"

	assert_eq 204 "$(s3_req DELETE "$(url "cdc/$key")")" "DELETE the foreign object"
	assert_status 0 "$CDCPACK" run
	assert_eq 200 "$(s3_req GET "$(url "cdc/$key")")" "GET the final object of batch $seq"
	cmp -s "$T/s3.body" "state/$file" || fail "the final object of batch $seq is not the staged archive"
	assert_eq 404 "$(s3_req HEAD "$(url "_tmp/$key")")" "HEAD the temp object of batch $seq"
	assert_eq 0 "$(pending)" "changelog rows after publishing batch $seq"
}
race 1 true
race 2 false
