#!/usr/bin/env bash
# After ADD COLUMN ... DEFAULT or RENAME COLUMN at the source, a cdc batch
# brings a column the replica's existing rows have no value for. apply
# says so, naming the table, the columns and the repair ('cdcpack load
# TABLE'), in the log and in --json warnings; verify shows the difference;
# after the load the replica equals the source. A plain ADD COLUMN (NULL in
# existing rows) stays right.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y');
     CREATE TABLE r (id INTEGER PRIMARY KEY, old TEXT); INSERT INTO r VALUES (1, 'p'), (2, 'q');"
core_config
cdc triggers install
cdc load
cdc apply --to "sqlite:$T/replica.db"

sql "ALTER TABLE t ADD COLUMN c TEXT DEFAULT 'dflt'; ALTER TABLE r RENAME COLUMN old TO new;"
cdc run
sql "UPDATE t SET a = 'z' WHERE id = 2; UPDATE r SET new = 'Q' WHERE id = 2;"
cdc run
cdc --json apply --to "sqlite:$T/replica.db"
assert_eq '["r","t"]' "$(jq -c '[.warnings[] | capture("^table (?<t>[a-z]+):").t] | sort' "$T/last.out")" \
	"--json warnings"
assert_contains "$T/last.err" "table t: batch src-00000002 adds column(s) c to the replica"
assert_contains "$T/last.err" "run 'cdcpack load t'"
assert_contains "$T/last.err" "table r: batch src-00000002 adds column(s) new"
cdc_status 1 verify --against "sqlite:$T/replica.db"

cdc load t r
cdc apply --to "sqlite:$T/replica.db"
cdc verify --against "sqlite:$T/replica.db"
assert_eq "1|x|dflt
2|z|dflt" "$(sqlite3 "$T/replica.db" 'SELECT id, a, c FROM t ORDER BY id')" "t after the load"

# A plain ADD COLUMN: the replica's NULLs are right; apply still says it
# added the column, and verify agrees with it.
sql "ALTER TABLE t ADD COLUMN d TEXT;"
cdc run
sql "UPDATE t SET d = 'set' WHERE id = 1;"
cdc run
cdc apply --to "sqlite:$T/replica.db"
assert_contains "$T/last.err" "adds column(s) d"
cdc verify --against "sqlite:$T/replica.db"
