#!/usr/bin/env bash
# A run killed while it streamed a batch (crash:mid-stream) leaves a
# multipart upload at a key no later batch uses (the key carries the batch's
# time). Before, only a later multipart upload looked for it: a source whose
# later batches were all single-part archives kept the upload's parts
# (billed) for good. The next run's first single-part archive upload aborts
# it (docs/design.md §4 step 5). Here the rerun splits the same changes into
# small archives (max_rows) and must leave no upload behind.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
source "$ROOT/tests/lib/s3stream.sh"
s3_client_setup
ss_setup "max_retries = 0"

ss_big 100
s3_reset
CDCPACK_FAULT=crash:mid-stream assert_status 137 "$CDCPACK" -v run
assert_contains last.err "sent while compressing"
assert_eq 1 "$(ss_uploads | jq length)" "uploads left by the killed run"
sleep 1.1 # the next batch's key carries another second
printf '[batch]\nmax_rows = 2000\n' >>"$T/cdcpack.conf"
s3_reset
assert_status 0 "$CDCPACK" -v run
s3_log >rerun.log
assert_eq 0 "$(jq -s 'map(select(.op == "CreateMultipartUpload")) | length' rerun.log)" \
	"multipart uploads made by the rerun (its archives are single-part)"
assert_contains last.err "left by an earlier attempt"
assert_eq 1 "$(jq -s 'map(select(.op == "ListMultipartUploads")) | length' rerun.log)" \
	"ListMultipartUploads of the rerun (once per run)"
ss_published_once 2
