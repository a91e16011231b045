#!/usr/bin/env bash
# An idle run leaves the source closed when its fingerprint (file identity,
# header, -wal, -shm and -journal, read without SQLite) is the last clean
# run's (issue 18 item 15: SQLite's schema load alone costs 3 s at 10,000
# tables), and reports what a full idle run reports. Every kind of write
# makes the next run a full one that ships it: a rollback-journal commit, a
# WAL commit, a WAL commit after a TRUNCATE checkpoint, DDL only, a restored
# older copy, a config change, a write left uncommitted then committed; and
# snapshot mode skips its scan the same way. `-v` says "not opened" on the
# fast path and the source's statement count when it was opened.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

# idle WHAT: the next run leaves the source closed and ships nothing.
idle() {
	local before
	before=$(published_count)
	cdc -v run
	grep -q "not opened" "$T/last.err" || fail "$1: the run opened an unchanged source: $(cat "$T/last.err")"
	! grep -q "statement(s)" "$T/last.err" || fail "$1: the idle run opened the source"
	assert_eq "$before" "$(published_count)" "$1: batches after an idle run"
}

# full WHAT: the next run opens the source; its batches are in $T/last.out.
full() {
	cdc -v --json run
	! grep -q "not opened" "$T/last.err" || fail "$1: the run skipped a changed source"
	assert_contains "$T/last.err" "statement(s)"
}

# settle: runs until a run is idle (a shipping run acknowledges, which is a
# write, so the run after it is a full one that finds nothing).
settle() {
	cdc run
	cdc run
	idle "settled"
}

# ships WHAT TABLE: the last full run published a batch carrying TABLE.
ships() {
	[[ $(jq -r '.batches' "$T/last.out") -ge 1 ]] || fail "$1: nothing shipped: $(cat "$T/last.out")"
	assert_eq "true" "$(manifest "$(published | tail -n 1)" | jq --arg t "$2" '[.tables[].name] | index($t) != null')" \
		"$1: $2 in the last batch"
}

# held SQL: runs SQL in the long-lived connection of hold_open and waits for it.
HELD_N=0
held() {
	HELD_N=$((HELD_N + 1))
	printf '%s\nSELECT %s;\n' "$1" "'mark$HELD_N'" >&9
	wait_for 20 "the held connection" grep -q "^mark$HELD_N\$" "$T/held.out"
}

# hold_open: a second connection to the source, kept open (in WAL mode it
# keeps the -wal and -shm files, as an application's connection does).
hold_open() {
	rm -f "$T/held.fifo"
	mkfifo "$T/held.fifo"
	: >"$T/held.out"
	sqlite3 "$SRC_DB" <"$T/held.fifo" >"$T/held.out" 2>&1 &
	HOLD_PID=$!
	exec 9>"$T/held.fifo"
	held ".timeout 30000"
}

hold_close() {
	exec 9>&-
	wait "$HOLD_PID" || true
}

# --- rollback journal (journal_mode DELETE) ---
core_use "$T/rb"
sql "CREATE TABLE t1(id INTEGER PRIMARY KEY, a TEXT); INSERT INTO t1 VALUES(1, 'one');
     CREATE TABLE t2(id INTEGER PRIMARY KEY, b TEXT); INSERT INTO t2 VALUES(1, 'two');"
core_config '[capture]' 'tables = t1'
cdc -q triggers install
cdc load
full "the first run after the load"
full_json=$(jq -S 'del(.duration_ms)' "$T/last.out")
idle "untouched"
cdc --json run
assert_eq "$full_json" "$(jq -S 'del(.duration_ms)' "$T/last.out")" "--json of an idle run, fast vs full"

sql "INSERT INTO t1 VALUES(2, 'rollback commit');"
full "rollback-journal commit"
ships "rollback-journal commit" t1
settle

cp -p "$SRC_DB" "$T/rb/backup.db"
sql "CREATE INDEX t1_a ON t1(a);"
full "DDL only (CREATE INDEX)"
assert_not_contains "$T/last.err" "schema unchanged since the last check"
settle
sql "ALTER TABLE t1 ADD COLUMN c INTEGER;"
full "DDL (ADD COLUMN)"
ships "DDL (ADD COLUMN)" t1
assert_eq "load" "$(jq -r '.published[0].kind' "$T/last.out")" "kind of the batch after ADD COLUMN"
settle

cp -p "$T/rb/backup.db" "$SRC_DB"
full "restored older copy"
settle

core_config '[capture]' 'tables = t1, t2'
full "config change (t2 added to tables)"
assert_contains "$T/last.err" "table t2 has no cdcpack triggers"
# a run that warned records nothing: the next one warns again
full "the warning repeated"
assert_contains "$T/last.err" "table t2 has no cdcpack triggers"
cdc -q triggers install t2
cdc load t2
settle
sql "INSERT INTO t2 VALUES(2, 'after the config change');"
full "a write to the newly captured table"
ships "newly captured table" t2
settle

# journal_mode = PERSIST keeps the journal, its header zeroed at commit
sql "PRAGMA journal_mode = PERSIST; INSERT INTO t1 VALUES(3, 'persist');" >/dev/null
full "commit in journal_mode PERSIST"
ships "PERSIST commit" t1
settle

# a write left uncommitted (its journal live, its lock held): no fingerprint
# is taken, and the run, which waits for the lock, ships it once committed
hold_open
held "BEGIN; INSERT INTO t1 VALUES(4, 'held');"
"$CDCPACK" -v --json run >"$T/bg.out" 2>"$T/bg.err" &
bg=$!
wait_for 20 "the run's look at the source" grep -q "no fingerprint" "$T/bg.err"
held "COMMIT;"
wait_exit "$bg" 60
assert_eq 0 "$EXIT_STATUS" "exit code of the run that waited for the held write"
cp "$T/bg.out" "$T/last.out"
ships "held write" t1
hold_close
settle

# run --every: idle cycles leave the source closed; a cycle after a write opens it
"$CDCPACK" -v run --every 1s >"$T/every.out" 2>"$T/every.err" &
every=$!
wait_for 20 "an idle cycle" grep -q "not opened" "$T/every.err"
before=$(published_count)
more_published() { (($(published_count) > before)); }
sql "INSERT INTO t1 VALUES(7, 'during run --every');"
wait_for 30 "the loop's batch" more_published
kill -TERM "$every"
wait_exit "$every" 30
assert_eq 0 "$EXIT_STATUS" "exit code of run --every"
check_chain

# --- WAL, a second connection keeping the -wal and -shm files ---
core_use "$T/wal"
sql "PRAGMA journal_mode = WAL; CREATE TABLE t1(id INTEGER PRIMARY KEY, a TEXT);
     INSERT INTO t1 VALUES(1, 'one');" >/dev/null
core_config
cdc -q triggers install
cdc load
hold_open
settle
held "INSERT INTO t1 VALUES(2, 'wal commit');"
[[ -s $SRC_DB-wal ]] || fail "no -wal file beside the source"
full "WAL commit"
ships "WAL commit" t1
settle

held "PRAGMA wal_checkpoint(TRUNCATE);"
# the checkpoint moved the files (not the rows): one full run, then idle
full "after a TRUNCATE checkpoint"
assert_eq 0 "$(jq -r '.batches' "$T/last.out")" "batches after a checkpoint alone"
idle "after the checkpoint"
held "INSERT INTO t1 VALUES(3, 'after the reset');"
full "WAL commit after a TRUNCATE checkpoint"
ships "WAL commit after reset" t1
settle

# a commit that rewrites a reset log within its old size: the -wal file's
# size, header and last frame (a stale one) stay; its wal-index moves
held "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
      INSERT INTO t1 SELECT 1000 + i, hex(randomblob(200)) FROM n;"
full "a large WAL commit"
ships "large WAL commit" t1
settle
held "PRAGMA wal_checkpoint(RESTART);"
held "INSERT INTO t1 VALUES(5, 'resets the log');"
full "the commit that resets the log"
ships "log reset" t1
settle
wal_size=$(stat -c %s "$SRC_DB-wal")
held "INSERT INTO t1 VALUES(6, 'within the old size');"
assert_eq "$wal_size" "$(stat -c %s "$SRC_DB-wal")" "-wal size across a commit into a reset log"
full "a commit within a reset log's old size"
ships "commit within the old size" t1
settle

held "BEGIN; INSERT INTO t1 VALUES(4, 'held');"
idle "a WAL write in progress (nothing committed)"
held "COMMIT;"
full "the held WAL write, committed"
ships "held WAL write" t1
settle
hold_close
check_chain

# --- snapshot mode: an unchanged source is not scanned ---
core_use "$T/snap"
sql "CREATE TABLE s(id INTEGER PRIMARY KEY, a TEXT); INSERT INTO s VALUES(1, 'one');"
core_config '[capture]' 'mode = snapshot'
cdc run
settle
sql "UPDATE s SET a = 'changed' WHERE id = 1;"
full "snapshot mode: a commit"
ships "snapshot commit" s
settle
