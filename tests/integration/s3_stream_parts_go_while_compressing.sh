#!/usr/bin/env bash
# The upload overlaps compression (docs/design.md §4 step 5, issue 16): a
# batch whose first data frame holds more than two parts has parts of that
# frame sent before the batch is staged (seen in the -v log and in the
# front's: UploadPart before the staging line, CreateMultipartUpload with no
# checksum), the rest (the head, the last part with the other table's file)
# after; the object is byte for byte the staged archive and the final key
# carries its XXH3-128 (x-amz-meta-xxh128, stated by the copy). A batch too
# small for that goes up as before: no multipart upload while compressing.
# With upload_while_compressing off (the default) a big batch goes up after
# staging, and the copy keeps the temp object's checksum (COPY).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
source "$ROOT/tests/lib/s3stream.sh"
s3_client_setup
ss_setup

# small: a single PutObject after staging, as before
sqlite3 src.db "INSERT INTO t VALUES(1, randomblob(100)); INSERT INTO u VALUES(1, 'one');"
s3_reset
assert_status 0 "$CDCPACK" -v run
assert_not_contains last.err "while compressing"
s3_log >small.log
assert_eq 0 "$(jq -s 'map(select(.op == "CreateMultipartUpload" or .op == "UploadPart")) | length' small.log)" \
	"multipart requests for a small batch"

# big: the first file (t) streams; a delay before staging lets the parts
# that are whole by then go out
ss_big 100
s3_reset
CDCPACK_FAULT=delay:after-capture:2000 assert_status 0 "$CDCPACK" -v run
cp last.err big.err
staging=$(grep -n "staging id=" big.err | head -1 | cut -d: -f1 || true)
early=$(grep -n "part [0-9]* sent while compressing" big.err | head -1 | cut -d: -f1 || true)
[[ -n $staging && -n $early ]] || fail "no part sent while compressing, or no staging line: $(grep -E 'staging|compressing' big.err)"
((early < staging)) || fail "the first early part (line $early) was logged after staging began (line $staging)"
grep -E "parts, [1-9][0-9]* of them sent while compressing" big.err >/dev/null ||
	fail "no early part kept: $(grep 'of them sent' big.err)"
assert_not_contains big.err "not sent while compressing"

s3_log >big.log
creates=$(jq -s 'map(select(.op == "CreateMultipartUpload"))' big.log)
assert_eq 1 "$(jq length <<<"$creates")" "multipart uploads created"
assert_eq false "$(jq '.[0].headers | index("x-amz-meta-xxh128") != null' <<<"$creates")" \
	"a checksum on the upload begun before the archive was whole"
# each part once: the early ones were kept, not sent again
assert_eq 0 "$(jq -s 'map(select(.op == "UploadPart") | .url | capture("partNumber=(?<n>[0-9]+)").n) | group_by(.) | map(select(length > 1)) | length' big.log)" \
	"parts sent twice"
assert_eq 1 "$(jq -s 'map(select(.op == "CopyObject" and .object_settings["x-amz-metadata-directive"] == "REPLACE")) | length' big.log)" \
	"copies to the final key stating the checksum"

# the first data frame in the archive is t's, the one streamed
sqlite3 -separator ' ' state/state.db "SELECT key FROM batches ORDER BY seq DESC LIMIT 1" >key.txt
assert_status 0 "$CDCPACK" show "cdc/$(cat key.txt)"
first=$(grep -n -E '^ *t/|"t/' last.out | head -1 | cut -d: -f1 || true)
second=$(grep -n -E '^ *u/|"u/' last.out | head -1 | cut -d: -f1 || true)
[[ -n $first && -n $second ]] && ((first < second)) || fail "t's file is not first in the archive: $(cat last.out)"

ss_published_once
assert_eq 3 "$(sqlite3 state/state.db 'SELECT count(*) FROM batches')" "batches"

# off (the default): the same big batch goes up after staging, and the copy
# carries the temp object's checksum along (no metadata directive)
sed -i '/^upload_while_compressing = true$/d' cdcpack.conf
ss_big 50000
s3_reset
CDCPACK_FAULT=delay:after-capture:500 assert_status 0 "$CDCPACK" -v run
assert_not_contains last.err "while compressing"
s3_log >off.log
assert_eq true "$(jq -s 'map(select(.op == "CreateMultipartUpload")) | .[0].headers | index("x-amz-meta-xxh128") != null' off.log)" \
	"a checksum on the upload begun after staging"
assert_eq 0 "$(jq -s 'map(select(.op == "CopyObject" and .object_settings["x-amz-metadata-directive"] != null)) | length' off.log)" \
	"copies with a metadata directive (off: the temp object's checksum goes along)"
ss_published_once
assert_eq 4 "$(sqlite3 state/state.db 'SELECT count(*) FROM batches')" "batches"
