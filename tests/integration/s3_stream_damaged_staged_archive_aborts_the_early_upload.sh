#!/usr/bin/env bash
# With upload_while_compressing, a staged archive changed between staging and
# upload (one byte, same size) is refused by the check pass (exit 3) as
# without it (s3_foreign_and_damaged_objects_are_never_taken_for_a_batch),
# but parts already went while compressing, so the message must not say
# "nothing was uploaded". It says what became of them:
# - the upload begun while compressing is aborted: no upload stays;
# - when the abort fails too (500, no retries), the upload is left for the
#   next run, which aborts it before it uploads.
# Nothing at the temp or final key either way; restored, the archive
# publishes once.
# The run is stopped (SIGSTOP) at its after-stage delay while the archive is
# damaged, so no timing is assumed.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
source "$ROOT/tests/lib/s3stream.sh"
s3_client_setup
ss_setup "max_retries = 0"
batches() { sqlite3 state/state.db 'SELECT count(*) FROM batches'; }

# damaged_run: a run of the batch ss_big made, its staged archive damaged
# while the run waits after staging (saved first in staged.good); sets KEY
# and FILE; the run's stderr in run.err, its status in status
damaged_run() {
	# (the last run's stderr goes first: the wait must not find its line)
	rm -f run.out run.err
	CDCPACK_FAULT=delay:after-stage:3000 "$CDCPACK" -v run >run.out 2>run.err &
	local pid=$! i
	held() { grep -qs 'fault injected: delay' run.err; }
	for ((i = 0; i < 600; i++)); do held && break || sleep 0.1; done
	held || fail "the run never reached its delay: $(tail -5 run.err)"
	kill -STOP "$pid"
	trap 'rc=$?; kill -CONT "'"$pid"'" 2>/dev/null; (exit $rc); cleanup_tmp' EXIT
	read -r KEY FILE < <(sqlite3 -separator ' ' state/state.db \
		"SELECT key, file FROM batches ORDER BY seq DESC LIMIT 1")
	FILE=$T/state/$FILE
	cp "$FILE" staged.good
	local size byte
	size=$(stat -c %s "$FILE")
	byte=$(od -An -tx1 -j $((size / 2)) -N1 "$FILE" | tr -d ' ')
	printf "\\x$([[ $byte == 00 ]] && echo 01 || echo 00)" |
		dd of="$FILE" bs=1 seek=$((size / 2)) conv=notrunc status=none
	cmp -s "$FILE" staged.good && fail "the damage changed nothing"
	kill -CONT "$pid"
	trap cleanup_tmp EXIT
	status=0
	wait "$pid" || status=$?
}

# refused_damaged: exit 3, the check pass's refusal naming the archive, no
# claim that nothing was uploaded, nothing at the temp or final key
refused_damaged() {
	assert_eq 3 "$status" "exit status of the run with the damaged archive ($(tail -3 run.err))"
	assert_contains run.err "sent while compressing"
	grep -qE "hashes to xxh128 [0-9a-f]{32}, not the [0-9a-f]{32} recorded when it was staged" run.err ||
		fail "no check-pass refusal: $(tail -3 run.err)"
	assert_contains run.err "$FILE"
	assert_not_contains run.err "nothing was uploaded"
	assert_eq 404 "$(s3_req HEAD "$(s3_url "$S3_PREFIX/_tmp/$KEY")")" "HEAD the temp key"
	assert_eq 404 "$(s3_req HEAD "$(s3_url "$S3_PREFIX/cdc/$KEY")")" "HEAD the final key"
}

# --- the upload begun while compressing is aborted
ss_big 100
s3_reset
damaged_run
refused_damaged
assert_contains run.err "the multipart upload begun while compressing was aborted"
assert_eq '[]' "$(ss_uploads)" "unfinished multipart uploads after the refusal"
cp staged.good "$FILE"
assert_status 0 "$CDCPACK" run
assert_contains last.err "recovering batch"
assert_eq 2 "$(batches)" "batches"
ss_published_once 2

# --- the abort fails too: the upload stays until the next run
ss_big 30000
s3_reset
s3_faults '[{"method": "DELETE", "query": "uploadId", "action": "500"}]'
damaged_run
refused_damaged
assert_contains run.err "the multipart upload begun while compressing could not be aborted"
assert_eq 1 "$(ss_uploads | jq length)" "uploads left when the abort failed"
s3_reset
cp staged.good "$FILE"
assert_status 0 "$CDCPACK" run
assert_contains last.err "recovering batch"
assert_contains last.err "left by an earlier attempt"
assert_eq 3 "$(batches)" "batches"
ss_published_once 3
