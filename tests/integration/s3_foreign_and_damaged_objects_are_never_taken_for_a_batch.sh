#!/usr/bin/env bash
# Only bytes shown to be the batch's count as the batch. On S3, with a batch
# staged (a run killed after staging, or after uploading):
# - an object of the archive's size at the temp key, without our checksum
#   metadata or with another checksum, is not ours: the upload replaces it;
# - such an object at the final key is not ours either: the run stops with
#   exit 3 naming the key, acknowledges nothing, overwrites nothing; once the
#   object is moved away, the next run publishes the batch;
# - the batch's own bytes at the final key without checksum metadata are
#   fetched and hashed, and taken as the published batch;
# - a staged archive damaged after staging (same size, one byte changed) is
#   refused before a byte is sent (exit 3): nothing at the temp or final key,
#   nothing acknowledged; restored, it publishes.
# Every published object is byte for byte the staged archive.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup
s3_sqlite_loaded

# stage N POINT: row N inserted, then a run killed at POINT; sets SEQ, KEY
# (below the prefixes), FILE (the staged archive) and SUM (its xxh128).
stage() {
	sqlite3 src.db "INSERT INTO t VALUES($1, 'row $1')"
	local got=0
	{ CDCPACK_FAULT=crash:$2 "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err"; } 2>/dev/null || got=$?
	assert_eq 137 "$got" "exit status of the run killed at $2 ($(cat "$T/crash.err"))"
	read -r SEQ KEY FILE SUM < <(sqlite3 -separator ' ' state/state.db \
		"SELECT seq, key, file, xxh128 FROM batches ORDER BY seq DESC LIMIT 1")
	FILE=$T/state/$FILE
}
url() { s3_url "$S3_PREFIX/$1"; }
# put KEY FILE [CURL ARGS]: FILE at KEY, as someone else would put it.
put() {
	local key=$1 file=$2
	shift 2
	assert_eq 200 "$(s3_req PUT "$(url "$key")" "$file" "$@")" "PUT $key"
}
# foreign OUT: a file of the staged archive's size with other bytes.
foreign() { head -c "$(stat -c %s "$FILE")" /dev/urandom >"$1"; }
other_sum() { xxhsum -H2 "$1" | cut -d' ' -f1; }
pending() { sqlite3 src.db "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'"; }
# published_is_staged: the final object is the staged archive, the temp one gone.
published_is_staged() {
	assert_eq 200 "$(s3_req GET "$(url "cdc/$KEY")")" "GET the final object of batch $SEQ"
	cmp -s "$T/s3.body" "$FILE" || fail "the final object of batch $SEQ is not the staged archive"
	assert_eq 404 "$(s3_req HEAD "$(url "_tmp/$KEY")")" "HEAD the temp object of batch $SEQ"
	assert_eq 0 "$(pending)" "changelog rows left after publishing batch $SEQ"
}
# refused WHAT ERE: the run exits 3 with stderr matching ERE; nothing acknowledged.
refused() {
	assert_status 3 "$CDCPACK" run
	grep -qE -- "$2" last.err || fail "$1: stderr does not match [$2]: $(cat last.err)"
	assert_eq 1 "$(pending)" "$1: changelog rows after the refused run"
	assert_eq 0 "$(sqlite3 state/state.db "SELECT count(*) FROM batches WHERE seq = $SEQ AND state >= 2")" \
		"$1: batch $SEQ recorded as published"
}

echo "case: same size at the temp key, no checksum metadata"
stage 1 after-stage
foreign "$T/foreign"
put "_tmp/$KEY" "$T/foreign"
assert_status 0 "$CDCPACK" run
published_is_staged

echo "case: same size at the temp key, another checksum"
stage 2 after-stage
foreign "$T/foreign"
put "_tmp/$KEY" "$T/foreign" -H "x-amz-meta-xxh128: $(other_sum "$T/foreign")"
assert_status 0 "$CDCPACK" run
published_is_staged

echo "case: uploaded, then the temp object replaced by one of the same size"
stage 3 after-upload
foreign "$T/foreign"
put "_tmp/$KEY" "$T/foreign"
assert_status 0 "$CDCPACK" run
published_is_staged

echo "case: same size at the final key, no checksum metadata"
stage 4 after-stage
foreign "$T/foreign"
put "cdc/$KEY" "$T/foreign"
refused "foreign final object" "cdc/$KEY holds [0-9]+ bytes \(xxh128 $(other_sum "$T/foreign")\), not batch src-0*$SEQ"
assert_eq 200 "$(s3_req GET "$(url "cdc/$KEY")")" "GET the foreign object"
cmp -s "$T/s3.body" "$T/foreign" || fail "the foreign object at the final key was overwritten"
assert_eq 204 "$(s3_req DELETE "$(url "cdc/$KEY")")" "DELETE the foreign object"
assert_status 0 "$CDCPACK" run
published_is_staged

echo "case: same size at the final key, another checksum"
stage 5 after-stage
foreign "$T/foreign"
put "cdc/$KEY" "$T/foreign" -H "x-amz-meta-xxh128: 0123456789abcdef0123456789abcdef"
refused "foreign final object with a checksum" "cdc/$KEY holds [0-9]+ bytes \(xxh128 0123456789abcdef0123456789abcdef\)"
assert_eq 204 "$(s3_req DELETE "$(url "cdc/$KEY")")" "DELETE the foreign object"
assert_status 0 "$CDCPACK" run
published_is_staged

echo "case: the batch's own bytes at the final key, without checksum metadata (a store that drops it)"
stage 7 after-stage
put "cdc/$KEY" "$FILE"
assert_status 0 "$CDCPACK" run
assert_eq 404 "$(s3_req HEAD "$(url "_tmp/$KEY")")" "HEAD the temp key of a batch found published"
assert_eq 0 "$(pending)" "changelog rows left after finding batch $SEQ published"
gets=$(s3_log | jq -s --arg k "$S3_PREFIX/cdc/$KEY" '[.[] | select(.method == "GET" and (.url | contains($k)))] | length')
((gets >= 1)) || fail "the final object without checksum metadata was not fetched to be hashed"
published_is_staged

echo "case: the staged archive damaged after staging"
stage 6 after-stage
cp "$FILE" "$T/staged.good"
size=$(stat -c %s "$FILE")
byte=$(od -An -tx1 -j $((size / 2)) -N1 "$FILE" | tr -d ' ')
printf "\\x$([[ $byte == 00 ]] && echo 01 || echo 00)" | dd of="$FILE" bs=1 seek=$((size / 2)) conv=notrunc status=none
cmp -s "$FILE" "$T/staged.good" && fail "the damage changed nothing"
refused "damaged staged archive" "hashes to xxh128 [0-9a-f]{32}, not the $SUM recorded when it was staged"
assert_contains last.err "$FILE"
assert_eq 404 "$(s3_req HEAD "$(url "_tmp/$KEY")")" "HEAD the temp key after refusing a damaged archive"
assert_eq 404 "$(s3_req HEAD "$(url "cdc/$KEY")")" "HEAD the final key after refusing a damaged archive"
cp "$T/staged.good" "$FILE"
assert_status 0 "$CDCPACK" run
published_is_staged

assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_eq "$(sqlite_dump_tables src.db)" "$(sqlite_dump_tables replica.db)" "replica vs source"
