#!/usr/bin/env bash
# SQLite lets a non-INTEGER PRIMARY KEY column not declared NOT NULL hold
# NULL; no replica can pair such a row. Both capture modes refuse it alike
# rather than diverge: triggers install refuses a table holding one (exit 3
# naming the table and column) and status warns about the nullable key; a
# NULL-key change or load row stops the run (exit 3, naming table, column and
# the way out), nothing of it is published, and once the row is fixed and
# the change deleted as the message says, the replica equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

schema="CREATE TABLE t(k TEXT PRIMARY KEY, v TEXT); CREATE TABLE ok(k TEXT NOT NULL PRIMARY KEY, v TEXT);
        INSERT INTO t VALUES('a', '1'); INSERT INTO ok VALUES('a', '1');"

# Trigger mode.
core_use "$T/trigger"
sql "$schema; INSERT INTO t VALUES(NULL, 'null key')"
core_config
cdc_status 3 triggers install
assert_contains "$T/last.err" "table t: 1 row(s) hold NULL in key column k"
sql "DELETE FROM t WHERE k IS NULL"
cdc triggers install
cdc triggers status
assert_contains "$T/last.out" "key column k is not declared NOT NULL"
assert_eq 1 "$(grep -c "not declared NOT NULL" "$T/last.out")" "tables warned about (ok is NOT NULL)"
cdc load
sql "INSERT INTO t VALUES(NULL, 'sneaked in'); INSERT INTO ok VALUES('b', '2')"
cdc_status 3 run
assert_contains "$T/last.err" "table t: changelog seq"
assert_contains "$T/last.err" "NULL in key column k"
assert_eq 1 "$(published_count)" "published batches after the refused run"
# Follow the message: fix the row, delete the change it names; the fix's own
# D of the NULL key is named by the next run the same way.
sql "DELETE FROM t WHERE k IS NULL"
for ((i = 0; i < 3; i++)); do
	got=0
	"$CDCPACK" run >"$T/last.out" 2>"$T/last.err" || got=$?
	((got == 0)) && break
	assert_eq 3 "$got" "exit status of a run meeting a NULL key"
	sql "$(grep -o "DELETE FROM cdcpack_changelog WHERE seq = [0-9]*" "$T/last.err")"
done
assert_eq 0 "$got" "exit status once the advice is followed"
cdc apply --to "sqlite:$T/trigger/replica.db"
check_replica_equals_source "$T/trigger/replica.db"

# Snapshot mode: the same row stops the first run and a later one alike.
core_use "$T/snapshot"
sql "$schema; INSERT INTO t VALUES(NULL, 'null key')"
core_config "[capture]" "mode = snapshot"
cdc_status 3 run
assert_contains "$T/last.err" "table t: a row holds NULL in key column k"
assert_eq 0 "$(published_count)" "published batches"
sql "DELETE FROM t WHERE k IS NULL"
cdc run
sql "INSERT INTO t VALUES(NULL, 'later')"
cdc_status 3 run
assert_contains "$T/last.err" "NULL in key column k"
sql "DELETE FROM t WHERE k IS NULL"
cdc run
cdc apply --to "sqlite:$T/snapshot/replica.db"
check_replica_equals_source "$T/snapshot/replica.db"
