#!/usr/bin/env bash
# mode = binlog, foreign-key cascades: a run killed once its cdc batch is
# acknowledged owes a reconcile of the child tables (kept in the state).
# A manual `cdcpack reconcile` that covers such a table pays it, once its
# reconcile batch is acknowledged: the next run reconciles nothing. A
# manual reconcile of other tables, or one killed before its batch is
# acknowledged, leaves the table owed, and the next run reconciles it
# (issue 18 follow-up of issues 14/15).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_owed)
mysql_exec "$db" "CREATE TABLE parent(id INT PRIMARY KEY, name VARCHAR(20));
CREATE TABLE child(id INT PRIMARY KEY, parent_id INT NOT NULL,
  FOREIGN KEY (parent_id) REFERENCES parent(id) ON DELETE CASCADE);
INSERT INTO parent VALUES (1, 'one'), (2, 'two'), (3, 'three');
INSERT INTO child VALUES (10, 1), (20, 2), (30, 3);"
binlog_user "$db"
export CDCPACK_CONFIG=$T/cdcpack.conf
write_config "$CDCPACK_CONFIG" "$url" "file:$T/bucket" '[capture]' 'mode = binlog' 'reconcile = manual'
assert_status 0 "$CDCPACK" run

owed() { sqlite3 "$T/state/state.db" "SELECT v FROM meta WHERE k = 'binlog_cascade_due'"; }

# owe ID: parent ID deleted (its child below the log) by a run killed once
# the cdc batch is acknowledged: child is owed a reconcile.
owe() {
	mysql_exec "$db" "DELETE FROM parent WHERE id = $1"
	{ CDCPACK_FAULT=crash:after-ack "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err"; } 2>/dev/null &&
		fail "the run did not crash after-ack"
	assert_eq '["child"]' "$(owed)" "tables owed a reconcile after the killed run"
}

# last_reconcile_rows: the rows of the last published batch, a reconcile.
last_reconcile_rows() {
	local a
	a=$(find "$T/bucket/cdc" -name '*.tar.zst' | LC_ALL=C sort | tail -n 1)
	[[ $(tar -xOf "$a" manifest.json | jq -r .batch.kind) == reconcile ]] || fail "the last batch is not a reconcile"
	tar -xOf "$a" --wildcards --exclude manifest.json '*' | LC_ALL=C sort | tr '\n' ' '
}

# A manual reconcile of the child pays what is owed.
owe 1
assert_status 0 "$CDCPACK" --json reconcile child
assert_eq 'D,10, ' "$(last_reconcile_rows)" "the manual reconcile's rows"
assert_eq '[]' "$(owed)" "tables owed a reconcile after a manual reconcile of child"
assert_status 0 "$CDCPACK" --json run
assert_eq 0 "$(jq '.batches' "$T/last.out")" "batches of the run after the manual reconcile"
assert_eq null "$(jq '.reconciled' "$T/last.out")" "the run after the manual reconcile reconciles"
assert_not_contains "$T/last.err" "a cascading foreign key changed"

# One of another table, or one killed before its batch is acknowledged,
# leaves child owed; the next run reconciles it.
owe 2
assert_status 0 "$CDCPACK" reconcile parent
assert_eq '["child"]' "$(owed)" "tables owed after a manual reconcile of parent only"
{ CDCPACK_FAULT=crash:after-publish "$CDCPACK" reconcile child >"$T/crash.out" 2>"$T/crash.err"; } 2>/dev/null &&
	fail "the reconcile did not crash after-publish"
assert_eq '["child"]' "$(owed)" "tables owed after a reconcile killed before its acknowledgement"
assert_status 0 "$CDCPACK" --json run
assert_contains "$T/last.err" "reconciling 1 table(s) a cascading foreign key changed"
assert_eq '["child"]' "$(jq -c '[.reconciled[].table]' "$T/last.out")" "tables the run reconciled"
assert_eq '[]' "$(owed)" "tables owed after the run"

# Both reconciles delivered child 20's delete exactly once, and a replica
# equals the source.
replica=$(mysql_fresh_db binlog_owed_replica)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$replica")"
echo "ok"
