#!/usr/bin/env bash
# A cdc batch whose columns the replica table does not have as they are (a
# chain published by a cdcpack that shipped no reload after a schema change,
# or a replica table changed by hand): apply cannot tell what the rows the
# batch does not touch should hold, so it stops with exit 3, naming the
# table, the batch, the column and the repair ('cdcpack load TABLE' at the
# source), and applies nothing of that batch. After the load, apply takes
# the batch (a later load replaces the table) and the load, and the replica
# equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y');
     CREATE TABLE r (id INTEGER PRIMARY KEY, b INT); INSERT INTO r VALUES (1, 1);"
core_config
cdc triggers install
cdc load
cdc apply --to "sqlite:$T/replica.db"

sqlite3 "$T/replica.db" "ALTER TABLE t RENAME COLUMN a TO a_here"
sql "UPDATE t SET a = 'z' WHERE id = 2; UPDATE r SET b = 2;"
cdc run
cdc_status 3 apply --to "sqlite:$T/replica.db"
assert_contains "$T/last.err" "table t: batch src-00000002 carries columns the replica table does not have as they are (it has no column a)"
assert_contains "$T/last.err" 'Run `cdcpack load t` at the source, then apply again'
assert_eq "1" "$(sqlite3 "$T/replica.db" "SELECT count(*) FROM cdcpack_applied")" "batches recorded applied"
assert_eq "1" "$(sqlite3 "$T/replica.db" "SELECT b FROM r")" "r after the refused batch"

# A key column retyped by hand: refused the same way.
cp "$T/replica.db" "$T/retyped.db"
sqlite3 "$T/retyped.db" "DROP TABLE t; CREATE TABLE t (id TEXT PRIMARY KEY, a_here TEXT)"
cdc_status 3 apply --to "sqlite:$T/retyped.db"
assert_contains "$T/last.err" "(column id is TEXT there, not INTEGER)"

cdc load t
cdc apply --to "sqlite:$T/replica.db"
cdc verify --against "sqlite:$T/replica.db"
check_replica_equals_source "$T/replica.db"
