#!/usr/bin/env bash
# apply killed (SIGKILL) at apply-before-commit (a batch's rows and its
# "applied" mark written, not committed): the rows and the mark are one
# transaction, so the replica is exactly as before the batch (a replica
# holding the rows without the mark would apply the batch again). The next
# apply applies it once and the replica equals the source. SQLite and
# MySQL replicas.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"

persons_loaded

# crash_apply REPLICA_URL WHAT DUMP_CMD...: the replica holds the load; a
# new batch; the apply of it killed before its commit leaves DUMP_CMD's
# output (the replica's tables and cdcpack_applied) unchanged; then apply
# applies it, once, and verify finds the replica equal to the source.
crash_apply() {
	local url=$1 what=$2 got=0
	shift 2
	round=$((round + 1))
	cdc apply --to "$url"
	sql "UPDATE Persons SET City = '$what' WHERE PersonID = 1;
	     DELETE FROM Persons WHERE PersonID = $((4 + round));
	     INSERT INTO Persons VALUES($((500 + round)), 'New Row', '$what');"
	cdc run
	"$@" >"$T/before.dump"
	{ CDCPACK_FAULT=crash:apply-before-commit "$CDCPACK" apply --to "$url" >"$T/crash.out" 2>"$T/crash.err"; } 2>/dev/null || got=$?
	assert_eq 137 "$got" "$what: exit status of apply killed at apply-before-commit ($(cat "$T/crash.err"))"
	assert_contains "$T/crash.err" "crash at apply-before-commit"
	"$@" >"$T/after.dump"
	assert_same_file "$T/before.dump" "$T/after.dump" "$what: the replica after a kill before the batch's commit"
	cdc --json apply --to "$url"
	assert_eq 1 "$(jq .batches "$T/last.out")" "$what: batches the apply after the kill applied"
	cdc verify --against "$url"
}

round=0
sqlite_state() {
	sqlite3 "$T/replica.db" "SELECT * FROM Persons ORDER BY 1; SELECT * FROM cdcpack_applied ORDER BY 1"
}
crash_apply "sqlite:$T/replica.db" SQLite sqlite_state

db=$(mysql_fresh_db apply_crash)
mysql_state() {
	mysql_exec "$db" "SELECT * FROM Persons ORDER BY 1; SELECT * FROM cdcpack_applied ORDER BY 1"
}
crash_apply "$(mysql_url "$db")" MySQL mysql_state
