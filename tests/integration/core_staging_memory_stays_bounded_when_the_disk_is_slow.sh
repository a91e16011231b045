#!/usr/bin/env bash
# run.sh: alone (peak memory and a throttled disk: nothing beside it)
# Staging's memory stays bounded when the disk is slower than the thread
# that reads and formats the changes (issue 16's workers): the buffers
# handed to the package worker wait in a queue of a few (PK_QUEUE), zstd's
# jobs in a table of a few, so a producer that runs ahead waits instead of
# piling the change files up in memory. Runs of 1.5 KB BLOB inserts (hex
# CSV: 3 KB a change) are staged with every write(2) held 40 ms (strace's
# fault injection, -f: the worker's writes of zstd's output then take longer
# than the reading of every change): 20,000 changes (60 MB of change file)
# peak within 12 MiB of 5,000 (15 MB), where a queue that grew with the
# backlog would hold tens of MiB more. The check was seen to fail with
# PK_QUEUE raised to 100000 (the 20,000 peaked 41 MiB above the 5,000).
# Sanitizer builds keep freed memory (ASan's quarantine) and shadow it, so
# their RSS says nothing here: their pass checks the paths, not the bound.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
command -v strace >/dev/null || fail "strace is missing (ci/install-deps.sh installs it)"
[[ -x /usr/bin/time ]] || fail "/usr/bin/time is missing (ci/install-deps.sh installs it)"
SMALL=5000 BIG=20000

sql "CREATE TABLE b (id INTEGER PRIMARY KEY, payload BLOB);"
core_config
cdc triggers install
# insert_blobs FROM TO: the inserts of ids FROM..TO
insert_blobs() {
	sql "WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
		INSERT INTO b SELECT i, randomblob(1500) FROM n"
}
insert_blobs 1 $SMALL
cp "$SRC_DB" "$T/small.db"
insert_blobs $((SMALL + 1)) $BIG
cp "$SRC_DB" "$T/big.db"

# staged NAME BASE CHANGES [WRAPPER...]: a run of BASE's changes from a
# fresh state dir, under WRAPPER; its peak RSS (KiB) in $T/NAME.rss (time
# reports the largest process: cdcpack, not strace).
staged() {
	local name=$1 base=$2 changes=$3 got=0
	shift 3
	rm -rf "$STATE_DIR" "$BUCKET" "$SRC_DB"*
	cp "$T/$base.db" "$SRC_DB"
	/usr/bin/time -f %M -o "$T/$name.rss" "$@" "$CDCPACK" run >"$T/$name.out" 2>"$T/$name.err" || got=$?
	assert_eq 0 "$got" "exit status of the $name run ($(tail -n 3 "$T/$name.err"))"
	assert_contains "$T/$name.out" "rows=$changes"
	echo "$name run ($changes changes): peak RSS $(($(<"$T/$name.rss") / 1024)) MiB"
}
slow=(strace -f -qq -o /dev/null -e trace=write -e inject=write:delay_enter=40000)

# untraced, for the ASan pass's leak check (LeakSanitizer cannot run under ptrace)
staged fast small $SMALL
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
staged slow-small small $SMALL "${slow[@]}"
staged slow-big big $BIG "${slow[@]}"
small=$(<"$T/slow-small.rss") big=$(<"$T/slow-big.rss")
if [[ $CDCPACK == *-asan || $CDCPACK == *-tsan ]]; then
	echo "note: a sanitizer build: peak RSS not compared"
elif ((big > small + 12 * 1024)); then
	fail "staging $BIG changes on a slow disk peaked at $((big / 1024)) MiB, $SMALL at $((small / 1024)) MiB: a queue grows with the backlog"
fi
apply_and_compare "$T/replica.db"
