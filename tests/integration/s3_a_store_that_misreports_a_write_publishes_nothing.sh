#!/usr/bin/env bash
# A store whose answer to a write is not what it did:
# - 200 to the PUT of the temp object, keeping nothing (the front's "drop"):
#   the upload is checked, so the run stops (exit 3, "not there after
#   upload") with the batch still "staged", not "uploaded";
# - 412 PreconditionFailed ("the key exists") to the publishing copy while
#   nothing is at the final key: the batch is not taken for published; the
#   run stops (exit 3) with it "uploaded" and its temp object kept.
# Either way nothing is at the final key and nothing is acknowledged; the
# next run (the store behaving) publishes the batch, byte for byte the
# staged archive, and deletes its temp object.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup
s3_sqlite_loaded

pending() { sqlite3 src.db "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'"; }
head_status() { s3_req HEAD "$(s3_url "$S3_PREFIX/$1")"; }

# misreported N RULE MESSAGE STATE TEMP: row N inserted; with the fault RULE
# the run fails naming MESSAGE, leaves its batch in state STATE and HEAD of
# the temp key answers TEMP; then the next run publishes it.
misreported() {
	local n=$1 rule=$2 message=$3 state=$4 temp=$5 seq key file got
	sqlite3 src.db "INSERT INTO t VALUES($n, 'row $n')"
	s3_faults "[$rule]"
	assert_status 3 "$CDCPACK" run
	assert_contains last.err "$message"
	assert_eq 1 "$(s3_control GET /faults | jq '.[0].fired')" "requests the front misreported"
	read -r seq key file got < <(sqlite3 -separator ' ' state/state.db \
		"SELECT seq, key, file, state FROM batches ORDER BY seq DESC LIMIT 1")
	assert_eq "$state" "$got" "batch $seq's state after: $message"
	assert_eq 404 "$(head_status "cdc/$key")" "HEAD the final key after: $message"
	assert_eq "$temp" "$(head_status "_tmp/$key")" "HEAD the temp key after: $message"
	assert_eq 1 "$(pending)" "changelog rows after: $message"

	s3_next_run_publishes "$seq" "$key" "$file"
}

echo "case: a PUT answered 200 and dropped"
misreported 1 "{\"method\": \"PUT\", \"path\": \"^/$B/$S3_PREFIX/_tmp/\", \"copy_source\": false, \"count\": 1, \"action\": \"drop\"}" \
	"not there after upload" 0 404
echo "case: a copy answered 412 with nothing at the key"
misreported 2 '{"method": "PUT", "copy_source": true, "count": 1, "action": "412"}' \
	"the store said the key exists, but it holds nothing" 1 200
