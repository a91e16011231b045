#!/usr/bin/env bash
# A cdc batch that does not fit the replica table makes apply look ahead
# for a later load of the table (design §6). A second such batch, after the
# load the first one found, must look again: the answer was kept per table
# for the whole apply, so the second misfit was refused ("Run 'cdcpack load
# t'") although a later load of t was in the chain. The chain is one that a
# cdcpack which shipped no reload after a rename published (the state dir
# forgets the columns it shipped): cdc 2 and cdc 4 each carry a column the
# table, as loaded before them, does not have; loads 3 and 5 follow them.
# Apply takes all five batches, on a SQLite and on a MariaDB replica, and
# each then equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"

sql "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y');"
core_config
cdc triggers install
cdc load
was=a
for now in b c; do
	sql "ALTER TABLE t RENAME COLUMN $was TO $now"
	sqlite3 "$STATE_DIR/state.db" "DELETE FROM shipped_columns WHERE tbl = 't'"
	cdc run
	sql "UPDATE t SET $now = 'by $now' WHERE id = 2"
	cdc run
	cdc load t
	was=$now
done
assert_eq "load cdc load cdc load" "$(all_manifests | jq -r .batch.kind | paste -sd' ')" "the chain"
assert_eq "a b b c c" "$(all_manifests | jq -r '.tables[0].columns[1].name' | paste -sd' ')" \
	"t's second column in each batch"

cdc apply --to "sqlite:$T/replica.db"
assert_contains "$T/last.out" "applied 5 batch(es)"
cdc verify --against "sqlite:$T/replica.db"
check_replica_equals_source "$T/replica.db"

rep=$(mysql_fresh_db lookagain_rep)
cdc apply --to "$(mysql_url "$rep")"
assert_contains "$T/last.out" "applied 5 batch(es)"
assert_eq "1	x
2	by c" "$(mysql_exec "$rep" "SELECT id, c FROM t ORDER BY id")" "MariaDB replica rows"
cdc verify --against "$(mysql_url "$rep")"
