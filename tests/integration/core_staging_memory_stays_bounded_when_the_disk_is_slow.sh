#!/usr/bin/env bash
# run.sh: alone (peak memory and a throttled disk: nothing beside it)
# Staging's memory stays bounded when the disk is slower than the thread
# that reads and formats the changes (issue 16's workers): the buffers
# handed to the package worker wait in a queue of a few (PK_QUEUE), zstd's
# jobs in a table of a few, so a producer that runs ahead waits instead of
# piling the change files up in memory. A run of 1.5 KB BLOB inserts (about
# 60 MB of change file as hex CSV, 30 MB of zstd frame) is staged once
# with the disk as it is, and once with every write(2) held 40 ms (strace's
# fault injection: the worker's writes of zstd's output, about 240 of them,
# then take longer than the reading of every change): the slow run's peak
# RSS stays within a few MiB of the fast one's, and far below the data.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
command -v strace >/dev/null || fail "strace is missing (ci/install-deps.sh installs it)"
[[ -x /usr/bin/time ]] || fail "/usr/bin/time is missing (ci/install-deps.sh installs it)"
CHANGES=20000

sql "CREATE TABLE b (id INTEGER PRIMARY KEY, payload BLOB);"
core_config
cdc triggers install
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CHANGES)
	INSERT INTO b SELECT i, randomblob(1500) FROM n"
cp "$SRC_DB" "$T/base.db"

# staged NAME [WRAPPER...]: a run of the changes from the same start (the
# base database, no state), under WRAPPER; its peak RSS (KiB) in $T/NAME.rss.
staged() {
	local name=$1 got=0
	shift
	rm -rf "$STATE_DIR" "$BUCKET" "$SRC_DB"*
	cp "$T/base.db" "$SRC_DB"
	/usr/bin/time -f %M -o "$T/$name.rss" "$@" "$CDCPACK" run >"$T/$name.out" 2>"$T/$name.err" || got=$?
	assert_eq 0 "$got" "exit status of the $name run ($(tail -n 3 "$T/$name.err"))"
	assert_contains "$T/$name.out" "rows=$CHANGES"
	echo "$name run: peak RSS $(($(<"$T/$name.rss") / 1024)) MiB"
}

staged fast
# LeakSanitizer cannot run under ptrace (the ASan pass checks leaks in the
# fast run); -f: the worker threads' writes too.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	staged slow strace -f -qq -o /dev/null -e trace=write -e inject=write:delay_enter=40000
fast=$(<"$T/fast.rss") slow=$(<"$T/slow.rss")
# the slack: allocator noise (time reports the largest process: cdcpack, not strace)
((slow <= fast + 12 * 1024)) ||
	fail "staging on a slow disk peaked at $((slow / 1024)) MiB, on a fast one at $((fast / 1024)) MiB: a queue grows with the backlog"
apply_and_compare "$T/replica.db"
