#!/usr/bin/env bash
# Only bytes shown to be the batch's count as the batch (file: target). With
# a batch staged (a run killed after staging, or after uploading):
# - a file of the archive's size but other bytes at the temp key is not
#   ours: the upload replaces it;
# - one at the final key is not ours either: exit 3 naming the key, nothing
#   acknowledged or overwritten; moved away, the next run publishes;
# - a staged archive damaged after staging (same size, one byte changed) is
#   refused while it is copied (exit 3): nothing lands at the temp or final
#   key, nothing is acknowledged; restored, it publishes.
# Every published object is byte for byte the staged archive.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sqlite3 "$SRC_DB" "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES(0, 'zero');"
core_config
cdc triggers install
cdc load

# stage N POINT: row N inserted, then a run killed at POINT; sets SEQ, KEY
# (below the prefixes), FILE (the staged archive) and SUM (its xxh128).
stage() {
	sql "INSERT INTO t VALUES($1, 'row $1')"
	local got=0
	{ CDCPACK_FAULT=crash:$2 "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err"; } 2>/dev/null || got=$?
	assert_eq 137 "$got" "exit status of the run killed at $2 ($(cat "$T/crash.err"))"
	read -r SEQ KEY FILE SUM < <(sqlite3 -separator ' ' "$STATE_DIR/state.db" \
		"SELECT seq, key, file, xxh128 FROM batches ORDER BY seq DESC LIMIT 1")
	FILE=$STATE_DIR/$FILE
}
# foreign KEY: a file of the staged archive's size with other bytes at KEY.
foreign() {
	mkdir -p "$(dirname "$BUCKET/$1")"
	head -c "$(stat -c %s "$FILE")" /dev/urandom >"$BUCKET/$1"
	cp "$BUCKET/$1" "$T/foreign"
}
pending() { sqlite3 "$SRC_DB" "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'"; }
published_is_staged() {
	cmp -s "$BUCKET/cdc/$KEY" "$FILE" || fail "the final object of batch $SEQ is not the staged archive"
	assert_eq "" "$(temp_objects)" "temp objects after publishing batch $SEQ"
	assert_eq 0 "$(pending)" "changelog rows left after publishing batch $SEQ"
}
# refused WHAT ERE: the run exits 3 with stderr matching ERE; nothing acknowledged.
refused() {
	cdc_status 3 run
	grep -qE -- "$2" "$T/last.err" || fail "$1: stderr does not match [$2]: $(cat "$T/last.err")"
	assert_eq 1 "$(pending)" "$1: changelog rows after the refused run"
	assert_eq 0 "$(sqlite3 "$STATE_DIR/state.db" "SELECT count(*) FROM batches WHERE seq = $SEQ AND state >= 2")" \
		"$1: batch $SEQ recorded as published"
}

echo "case: same size at the temp key"
stage 1 after-stage
foreign "_tmp/$KEY"
cdc run
published_is_staged

echo "case: uploaded, then the temp object replaced by one of the same size"
stage 2 after-upload
foreign "_tmp/$KEY"
cdc run
published_is_staged

echo "case: same size at the final key"
stage 3 after-stage
foreign "cdc/$KEY"
refused "foreign final object" "cdc/$KEY holds [0-9]+ bytes \(xxh128 $(xxhsum -H2 "$T/foreign" | cut -d' ' -f1)\), not batch src-0*$SEQ"
cmp -s "$BUCKET/cdc/$KEY" "$T/foreign" || fail "the foreign object at the final key was overwritten"
rm "$BUCKET/cdc/$KEY"
cdc run
published_is_staged

echo "case: the staged archive damaged after staging"
stage 4 after-stage
cp "$FILE" "$T/staged.good"
size=$(stat -c %s "$FILE")
byte=$(od -An -tx1 -j $((size / 2)) -N1 "$FILE" | tr -d ' ')
printf "\\x$([[ $byte == 00 ]] && echo 01 || echo 00)" | dd of="$FILE" bs=1 seek=$((size / 2)) conv=notrunc status=none
cmp -s "$FILE" "$T/staged.good" && fail "the damage changed nothing"
refused "damaged staged archive" "hashes to xxh128 [0-9a-f]{32}, not the $SUM recorded when it was staged"
assert_eq "" "$(find "$BUCKET" -name "*${KEY##*/}*" -o -name ".*.part")" "objects or side files of the damaged batch"
cp "$T/staged.good" "$FILE"
cdc run
published_is_staged

check_chain
apply_and_compare "$T/replica.db"
