#!/usr/bin/env bash
# Issue 11 #10: ALTER TABLE ... ADD COLUMN with a DEFAULT gives the rows a
# table already holds a value that no change row carries. The next run
# ships the table whole as a load batch with the new column, and an
# incrementally applied replica (apply exits 0) then equals the source,
# compared by sqlite3 itself: the default in the old rows, the later
# changes on top. A plain ADD COLUMN (NULL in old rows) and values set in
# the new column before the run reach it the same way.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y');
     CREATE TABLE u (id INTEGER PRIMARY KEY, v INT); INSERT INTO u VALUES (1, 10);"
core_config
cdc triggers install
cdc load
cdc apply --to "sqlite:$T/replica.db"

sql "ALTER TABLE t ADD COLUMN c TEXT NOT NULL DEFAULT 'dflt'; INSERT INTO t VALUES (3, 'z', 'own');"
cdc run
cp "$T/last.err" "$T/reload.err"
sql "UPDATE t SET a = 'Y' WHERE id = 2; INSERT INTO u VALUES (2, 20);"
cdc run
cdc --json apply --to "sqlite:$T/replica.db"
cp "$T/last.out" "$T/apply.json"
assert_eq "1|x|dflt
2|Y|dflt
3|z|own" "$(sqlite3 "$T/replica.db" 'SELECT id, a, c FROM t ORDER BY id')" "t in the replica"
check_replica_equals_source "$T/replica.db"
assert_eq "[]" "$(jq -c .warnings "$T/apply.json")" "apply warnings"
assert_contains "$T/reload.err" "table t: its columns changed since the chain last shipped it"

# A plain ADD COLUMN, and a value set in it before the next run.
sql "ALTER TABLE u ADD COLUMN w TEXT; UPDATE u SET w = 'set' WHERE id = 1;"
cdc run
cdc apply --to "sqlite:$T/replica.db"
check_replica_equals_source "$T/replica.db"
cdc verify --against "sqlite:$T/replica.db"
check_chain
