#!/usr/bin/env bash
# Before uploading a batch the run asks the store what its temp key holds
# (HEAD). When that question fails — 403 AccessDenied (a policy that lets
# cdcpack write but not read the temp prefix), or 503 until the retries run
# out — the answer is unknown, not "already uploaded": the run stops with
# exit 3 naming the failure, puts nothing, copies nothing, and leaves the
# batch "staged" (state 0) with its changes in the changelog; the next run
# (the store answering) uploads and publishes it, byte for byte the staged
# archive.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup
s3_sqlite_source "endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION" \
	"max_retries = 1"
assert_status 0 "$CDCPACK" load

pending() { sqlite3 src.db "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'"; }
head_status() { s3_req HEAD "$(s3_url "$S3_PREFIX/$1")"; }

# unchecked N RULE MESSAGE: row N inserted; every HEAD and GET of the temp
# prefix answered as RULE says, the run fails naming MESSAGE before any
# upload; then, the rule lifted, the next run publishes the batch.
unchecked() {
	local n=$1 rule=$2 message=$3 seq key file state
	sqlite3 src.db "INSERT INTO t VALUES($n, 'row $n')"
	s3_reset
	s3_faults "[$rule]"
	assert_status 3 "$CDCPACK" run
	assert_contains last.err "$message"
	assert_contains last.err "_tmp/"
	s3_log >run.log
	assert_eq '[]' "$(jq -sc --arg t "$S3_PREFIX/_tmp/" \
		'map(select(.key != null and (.key | startswith($t)) and .method != "HEAD" and .method != "GET")) | map(.op)' run.log)" \
		"writes to the temp prefix after a failed check ($message)"
	assert_eq '[]' "$(jq -sc 'map(select(.op == "CopyObject")) | map(.key)' run.log)" \
		"copies after a failed check ($message)"
	read -r seq key file state < <(sqlite3 -separator ' ' state/state.db \
		"SELECT seq, key, file, state FROM batches ORDER BY seq DESC LIMIT 1")
	assert_eq 0 "$state" "batch $seq's state after: $message"
	s3_faults '[]'
	assert_eq 404 "$(head_status "_tmp/$key")" "HEAD the temp key after: $message"
	assert_eq 404 "$(head_status "cdc/$key")" "HEAD the final key after: $message"
	assert_eq 1 "$(pending)" "changelog rows after: $message"

	s3_next_run_publishes "$seq" "$key" "$file"
}

echo "case: the temp prefix denied to reads (403 AccessDenied)"
unchecked 1 "{\"method\": [\"HEAD\", \"GET\"], \"path\": \"^/$B/$S3_PREFIX/_tmp/\", \"action\": \"error\", \"status\": 403, \"code\": \"AccessDenied\", \"message\": \"Access Denied\"}" \
	"AccessDenied"
echo "case: the temp key's HEAD answered 503 until the retries run out"
unchecked 2 "{\"method\": \"HEAD\", \"path\": \"^/$B/$S3_PREFIX/_tmp/\", \"action\": \"503\"}" \
	"gave up after retries"
