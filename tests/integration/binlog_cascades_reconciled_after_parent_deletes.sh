#!/usr/bin/env bash
# mode = binlog, foreign-key cascades (issue 14 item 5): MariaDB makes the
# changes of ON DELETE/UPDATE CASCADE and SET NULL inside InnoDB and never
# logs them. Without [capture] reconcile, init and run refuse such a child
# table (exit 2), saying to turn reconcile on. With reconcile = manual, a
# run whose batch read a delete or key update of the parent follows it, in
# the same run, with a reconcile of the child tables (and of theirs, the
# cascade going on below the log), which ships the cascaded D and U as a
# reconcile batch; a run that read none reconciles nothing; a run killed
# after acknowledging the cdc batch leaves the reconcile to the next run.
# A MariaDB replica built by apply equals the source (mariadb's own dump,
# and verify); status's last reconcile stays the last full one; a child
# whose parent is not captured is refused.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_cascade)
mysql_exec "$db" "CREATE TABLE parent(id INT PRIMARY KEY, name VARCHAR(20));
CREATE TABLE child(id INT PRIMARY KEY, parent_id INT NOT NULL, note VARCHAR(20),
  FOREIGN KEY (parent_id) REFERENCES parent(id) ON DELETE CASCADE ON UPDATE CASCADE);
CREATE TABLE toy(id INT PRIMARY KEY, child_id INT, FOREIGN KEY (child_id) REFERENCES child(id) ON DELETE CASCADE);
CREATE TABLE pet(id INT PRIMARY KEY, parent_id INT, FOREIGN KEY (parent_id) REFERENCES parent(id) ON DELETE SET NULL ON UPDATE SET NULL);
INSERT INTO parent VALUES (1, 'one'), (2, 'two'), (3, 'three');
INSERT INTO child VALUES (10, 1, 'a'), (11, 1, 'b'), (20, 2, 'c'), (30, 3, 'd');
INSERT INTO toy VALUES (100, 10), (200, 20), (300, 30);
INSERT INTO pet VALUES (1, 1), (2, 2);"
binlog_user "$db"
export CDCPACK_CONFIG=$T/cdcpack.conf
config() { write_config "$CDCPACK_CONFIG" "$url" "file:$T/bucket" '[capture]' 'mode = binlog' "$@"; }

# Without reconcile: refused, the message saying how to capture it.
config
assert_status 2 "$CDCPACK" init
assert_contains "$T/last.err" 'table child: CONSTRAINT `child_ibfk_1` FOREIGN KEY (`parent_id`) REFERENCES `parent` (`id`) ON DELETE CASCADE ON UPDATE CASCADE: the binary log does not carry'
assert_contains "$T/last.err" "set [capture] reconcile = manual (or a duration) for a run to reconcile child after it reads a delete or key update of parent"
assert_contains "$T/last.err" 'table pet: CONSTRAINT `pet_ibfk_1`'
assert_status 2 "$CDCPACK" run
assert_contains "$T/last.err" "set [capture] reconcile = manual"
[[ ! -d $T/bucket/cdc ]] || fail "a refused run published something"

# With reconcile, a child whose parent is not captured is still refused.
config 'reconcile = manual' 'tables = child, toy'
assert_status 2 "$CDCPACK" init
assert_contains "$T/last.err" "and parent is not captured, so no run sees the deletes and key updates that start them: capture parent too"

config 'reconcile = manual'
assert_status 0 "$CDCPACK" init
assert_status 0 "$CDCPACK" --json run
assert_eq load "$(jq -r '.published[0].kind' "$T/last.out")" "the first run"

replica=$(mysql_fresh_db binlog_cascade_replica)
dump() {
	mariadb-dump --defaults-file="$CDCPACK_TEST_MYSQL_ROOT_CNF" --compact --no-create-info \
		--skip-extended-insert --order-by-primary "$1" child parent pet toy
}
replica_equal() { # replica_equal WHAT
	assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
	dump "$db" >"$T/source.sql"
	dump "$replica" >"$T/replica.sql"
	cmp -s "$T/source.sql" "$T/replica.sql" || {
		diff "$T/source.sql" "$T/replica.sql" >&2
		fail "$1: the replica's mariadb-dump differs from the source's (< source, > replica)"
	}
	assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$replica")"
}
# reconcile_rows: the rows of the last published batch, which must be a
# reconcile, table by table.
reconcile_rows() {
	local a
	a=$(find "$T/bucket/cdc" -name '*.tar.zst' | LC_ALL=C sort | tail -n 1)
	[[ $(tar -xOf "$a" manifest.json | jq -r .batch.kind) == reconcile ]] || fail "the last batch is not a reconcile"
	tar -xOf "$a" --wildcards --exclude manifest.json '*' | LC_ALL=C sort
}

# A change that deletes or rekeys no parent: no reconcile.
mysql_exec "$db" "UPDATE parent SET name = 'uno' WHERE id = 1; INSERT INTO child VALUES (12, 1, 'e')"
assert_status 0 "$CDCPACK" --json run
assert_eq cdc "$(jq -r '[.published[].kind] | join(" ")' "$T/last.out")" "batches of a run with no parent delete"
assert_eq null "$(jq '.reconciled' "$T/last.out")" "reconcile of a run with no parent delete"

# A parent deleted (its children, their toys deleted, its pet's key set to
# NULL, all below the log; child 13 inserted in the log first) and one
# rekeyed (its children follow): the run ships the cdc batch, then the
# reconcile batch with what the cascades did.
mysql_exec "$db" "INSERT INTO child VALUES (13, 1, 'f'); INSERT INTO toy VALUES (130, 13);
DELETE FROM parent WHERE id = 1; UPDATE parent SET id = 22 WHERE id = 2"
assert_status 0 "$CDCPACK" --json run
assert_eq "cdc reconcile" "$(jq -r '[.published[].kind] | join(" ")' "$T/last.out")" "batches of the run"
assert_eq '["child","pet","toy"]' "$(jq -c '[.reconciled[].table] | sort' "$T/last.out")" "tables reconciled"
reconcile_rows >"$T/rec.csv"
printf '%s\n' 'D,10,,' 'D,100,' 'D,11,,' 'D,12,,' 'D,13,,' 'D,130,' 'U,1,' 'U,2,' 'U,20,22,c' >"$T/want.csv"
cmp -s "$T/want.csv" "$T/rec.csv" || { diff "$T/want.csv" "$T/rec.csv" >&2; fail "the reconcile batch's rows (< expected, > shipped)"; }
replica_equal "after the cascades"
# Expected repairs, no missed changes: status's last reconcile (the one to
# alert on, and the schedule's) is not this one.
assert_status 0 "$CDCPACK" --json status
assert_eq null "$(jq -c '.reconcile' "$T/last.out")" "status's last reconcile"
assert_status 0 "$CDCPACK" --json run
assert_eq 0 "$(jq '.batches' "$T/last.out")" "batches of the next, idle run"
assert_eq null "$(jq '.reconciled' "$T/last.out")" "the next run reconciles nothing"

# Killed once the cdc batch is acknowledged: the next run owes the reconcile.
mysql_exec "$db" "DELETE FROM parent WHERE id = 3"
{ CDCPACK_FAULT=crash:after-ack "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err"; } 2>/dev/null && fail "the run did not crash after-ack"
assert_status 0 "$CDCPACK" --json run
assert_eq reconcile "$(jq -r '[.published[].kind] | join(" ")' "$T/last.out")" "the run after the crash"
reconcile_rows >"$T/rec.csv"
printf '%s\n' 'D,30,,' 'D,300,' >"$T/want.csv"
cmp -s "$T/want.csv" "$T/rec.csv" || { diff "$T/want.csv" "$T/rec.csv" >&2; fail "the owed reconcile's rows (< expected, > shipped)"; }
replica_equal "after the owed reconcile"
