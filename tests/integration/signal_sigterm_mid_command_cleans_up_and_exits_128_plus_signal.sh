#!/usr/bin/env bash
# SIGTERM or SIGINT in the middle of load, apply, diff --out, verify and
# triggers install is caught as run catches it: the command stops at its
# next check, undoes what it had not finished and exits 128 + the signal
# (143, 130) saying "stopped by SIGTERM". load leaves no work files and
# publishes nothing (a second load and the runs ship every change once);
# apply keeps whole batches only (every row of the big table at one
# version), no temp dir, and a second apply finishes; diff --out leaves
# neither the file nor its temp sibling; triggers install ends between
# tables.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
ROWS=40000

sql "CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT);
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ROWS)
	INSERT INTO big SELECT i, 'v1' || printf('%0200d', i) FROM n"
core_config '[batch]' 'compression = none'
cdc triggers install

# stopped NAME SIG CODE: the background command NAME (pid in PID) gets SIG
# and exits CODE saying so.
stopped() {
	kill -"$2" "$PID"
	wait_exit "$PID" 60
	assert_eq "$3" "$EXIT_STATUS" "$1's exit status after SIG$2"
	assert_contains "$T/$1.err" "stopped by SIG$2"
}

# files_in DIR: what DIR holds (nothing when it does not exist).
files_in() {
	[[ -d $1 ]] && find "$1" -type f | sort
	return 0
}

# load: stopped while it reads the table (held there a moment)
start_held load mid-load 1000 load
PID=$HELD_PID
stopped load TERM 143
assert_eq "" "$(files_in "$STATE_DIR/work")" "load's work files left after SIGTERM"
assert_eq "" "$(files_in "$STATE_DIR/staging")" "load's staged files left after SIGTERM"
assert_eq "" "$(published)" "objects published by the stopped load"
cdc load

# three cdc batches of $ROWS rows, each moving every row to the next version
for v in 2 3 4; do
	sql "UPDATE big SET pad = 'v$v' || substr(pad, 3)"
	cdc run
done

# apply: stopped after its first batch, within or between the next ones
rep=$T/replica.db
"$CDCPACK" apply --to "sqlite:$rep" >"$T/apply.out" 2>"$T/apply.err" &
PID=$!
wait_for 60 "apply's first batch" grep -qs "batch applied" "$T/apply.err"
stopped apply TERM 143
assert_eq "" "$(files_in "$TMPDIR")" "apply's temp files left after SIGTERM"
versions=$(sqlite3 "$rep" "SELECT COUNT(DISTINCT substr(pad, 1, 2)) || ' ' || COUNT(*) FROM big")
assert_eq "1 $ROWS" "$versions" "versions and rows of the replica's table after a stop (a half-applied batch mixes two)"
cdc apply --to "sqlite:$rep"
check_replica_equals_source "$rep"

# diff --out: stopped with SIGINT while it writes (held after its first row:
# a diff of this table ends before a signal sent on seeing its file lands)
sql "UPDATE big SET pad = 'v5' || substr(pad, 3)"
start_held diff mid-diff 1000 diff "sqlite:$SRC_DB" "sqlite:$rep" --format sql --out "$T/out.sql"
PID=$HELD_PID
compgen -G "$T/out.sql*" >/dev/null || fail "diff held mid-compare has no output file yet"
stopped diff INT 130
assert_eq "" "$(files_in "$T" | grep '/out\.sql' || true)" "diff --out file or its temp left after SIGINT"

# verify: held mid-compare by its own log (-v writes a line per differing
# row into a pipe nobody reads for the first seconds), then stopped
"$CDCPACK" -v verify --against "sqlite:$rep" >"$T/verify.out" 2> >(sleep 3 && cat >"$T/verify.err") &
PID=$!
sleep 1
kill -TERM "$PID"
wait_exit "$PID" 60
assert_eq 143 "$EXIT_STATUS" "verify's exit status after SIGTERM"
wait_for 10 "verify's message" grep -q "verify stopped by SIGTERM" "$T/verify.err"

run_until_idle
cdc apply --to "sqlite:$rep"
check_replica_equals_source "$rep"

# triggers install: stopped after its first table of 60, it ends between
# tables (each has all its triggers or none); a second install finishes
core_use "$T/trig"
sql "$(for ((i = 0; i < 60; i++)); do printf 'CREATE TABLE t%02d (id INTEGER PRIMARY KEY, v TEXT);' "$i"; done)"
core_config
"$CDCPACK" triggers install >"$T/triggers.out" 2>"$T/triggers.err" &
PID=$!
wait_for 30 "the first table's triggers" grep -qs "triggers installed" "$T/triggers.err"
stopped triggers TERM 143
per_table() {
	sql "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'trigger' GROUP BY tbl_name" | sort -u | paste -sd' '
}
stopped_per_table=$(per_table)
installed=$(sql "SELECT COUNT(DISTINCT tbl_name) FROM sqlite_schema WHERE type = 'trigger'")
((installed > 0 && installed < 60)) || fail "the stopped install installed $installed of 60 tables"
cdc triggers install
assert_eq 60 "$(sql "SELECT COUNT(DISTINCT tbl_name) FROM sqlite_schema WHERE type = 'trigger'")" "tables with triggers after the second install"
assert_eq "$(per_table)" "$stopped_per_table" "triggers per table after the stop (a half-installed table has fewer)"
