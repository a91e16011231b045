#!/usr/bin/env bash
# The temp folder's stray multipart uploads (a killed run's) are looked for
# once per process, whichever upload comes first. Here one run streams a big
# batch while compressing (the stream's upload sweeps the folder before it is
# created) and then single-puts a small one (max_rows splits the changes):
# one ListMultipartUploads in the S3 front's request log, not one per
# archive. The sweep still works: an upload left in the folder beforehand is
# aborted, and both batches publish once.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
source "$ROOT/tests/lib/s3stream.sh"
s3_client_setup
ss_setup
printf '[batch]\nmax_rows = 24000\n' >>"$T/cdcpack.conf"

# a stray upload, as a killed run leaves it
stray=$S3_PREFIX/_tmp/src/2026/01/01/src-00000009-20260101T000000Z.tar.zst
assert_status 0 aws_s3api create-multipart-upload --bucket "$B" --key "$stray"
assert_eq 1 "$(ss_uploads | jq length)" "uploads before the run"

# 24,003 changes: a batch of t's 24,000 (streamed), one of u's 3 (single put);
# a delay before staging lets the first batch's whole parts go out
ss_big 100
s3_reset
CDCPACK_FAULT=delay:after-capture:2000 assert_status 0 "$CDCPACK" -v run
cp last.err run.err
assert_contains run.err "multipart upload begun while compressing"
assert_contains run.err "left by an earlier attempt"
s3_log >run.log
assert_eq 1 "$(jq -s 'map(select(.op == "CreateMultipartUpload")) | length' run.log)" \
	"multipart uploads (the streamed batch)"
assert_eq 1 "$(jq -s 'map(select(.op == "PutObject" and (.key | test("/_tmp/src/.*\\.tar\\.zst$")))) | length' run.log)" \
	"single-part archive uploads (the small batch)"
assert_eq 1 "$(jq -s 'map(select(.op == "ListMultipartUploads")) | length' run.log)" \
	"ListMultipartUploads in one run"
assert_eq 3 "$(sqlite3 state/state.db 'SELECT count(*) FROM batches')" "batches (the load and two)"
ss_published_once 2
