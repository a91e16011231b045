#!/usr/bin/env bash
# A CompleteMultipartUpload that fails (500 until the retries run out, the
# upload not completed) while an object of the archive's size but not its
# bytes sits at the temp key (a foreign or damaged object: no checksum of
# ours): the object there is not taken for our completed upload. The run
# stops with exit 3 naming the failed completion, aborts the multipart upload
# (no parts left to cost storage), leaves the batch "staged" (state 0) and
# its changes in the changelog; the next run (the store answering) uploads
# over the foreign object and publishes the batch, byte for byte the staged
# archive.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup
s3_sqlite_source "endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION" \
	"part_size = 5M" "max_retries = 1" '[batch]' 'compression = none'
assert_status 0 "$CDCPACK" load

pending() { sqlite3 src.db "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'"; }
uploads() {
	s3_control GET /uploads | jq -c --arg p "$S3_PREFIX/" 'map(select(.key | startswith($p)) | .key)'
}

# a batch over one part: staged, not uploaded (the run killed after staging)
sqlite3 src.db "INSERT INTO t VALUES(1, hex(randomblob(3500000)))"
got=0
CDCPACK_FAULT=crash:after-stage "$CDCPACK" run >crash.out 2>crash.err || got=$?
assert_eq 137 "$got" "run killed after staging"
read -r seq key file bytes state < <(sqlite3 -separator ' ' state/state.db \
	"SELECT seq, key, file, bytes, state FROM batches ORDER BY seq DESC LIMIT 1")
assert_eq 0 "$state" "batch $seq's state after the killed run"
((bytes > 5 * 1024 * 1024)) || fail "batch $seq is $bytes bytes: not over one 5M part"

# an object of its size at its temp key, not its bytes
head -c "$bytes" /dev/urandom >foreign
assert_status 0 aws_s3 cp foreign "s3://$B/$S3_PREFIX/_tmp/$key"

s3_reset
s3_faults '[{"method": "POST", "query": "uploadId=", "action": "500"}]'
assert_status 3 "$CDCPACK" run
assert_contains last.err "gave up after retries"
assert_not_contains last.err "holds $bytes bytes"
assert_eq '[]' "$(uploads)" "multipart uploads left after the failed completion"
s3_log >run.log
assert_eq 1 "$(jq -s 'map(select(.op == "AbortMultipartUpload" and .status < 300)) | length' run.log)" \
	"multipart uploads aborted"
assert_eq 0 "$(sqlite3 state/state.db "SELECT state FROM batches WHERE seq = $seq")" \
	"batch $seq's state after the failed completion"
assert_eq 1 "$(pending)" "changelog rows after the failed completion"

s3_faults '[]'
s3_next_run_publishes "$seq" "$key" "$file"
assert_eq '[]' "$(uploads)" "multipart uploads left at the end"
