#!/usr/bin/env bash
# Torture finding F7: in snapshot mode, a table rebuilt with its key
# column INTEGER -> TEXT. The replica's table kept "k INTEGER", whose
# affinity merged the source's keys '1' and '01' into one integer row, and
# `load t` did not help. Now the run ships t whole as a load batch with
# its new definition and apply recreates the replica table: both rows,
# both text, in a SQLite and a MySQL replica (each compared with the
# source by its own client, ordered by key).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/snapshot.sh"
source "$ROOT/tests/lib/mysql.sh"

sql "CREATE TABLE t (k INTEGER PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 10);"
snapshot_config
cdc run
cdc apply --to "sqlite:$T/replica.db"
myrep=$(mysql_fresh_db snap_f7)
cdc apply --to "$(mysql_url "$myrep")"

sql "CREATE TABLE t2 (k TEXT PRIMARY KEY, v INT); INSERT INTO t2 SELECT * FROM t;
     DROP TABLE t; ALTER TABLE t2 RENAME TO t; INSERT INTO t VALUES ('01', 20);"
cdc run
snapshot_check_chain
cdc apply --to "sqlite:$T/replica.db"
assert_eq "text|01|20
text|1|10" "$(sqlite3 "$T/replica.db" 'SELECT typeof(k), k, v FROM t ORDER BY k')" "SQLite replica rows"
check_replica_equals_source "$T/replica.db"
cdc apply --to "$(mysql_url "$myrep")"
assert_eq "$(sqlite3 -separator $'\t' "$SRC_DB" 'SELECT k, v FROM t ORDER BY k')" \
	"$(mysql_exec "$myrep" 'SELECT k, v FROM t ORDER BY k')" "MySQL replica rows"

# Later changes follow as cdc batches on the new definition.
sql "UPDATE t SET v = 21 WHERE k = '01'; INSERT INTO t VALUES ('1.0', 30);"
cdc --json run
assert_eq cdc "$(jq -r '.published[0].kind' "$T/last.out")" "the batch after the reload"
cdc apply --to "sqlite:$T/replica.db"
check_replica_equals_source "$T/replica.db"
cdc apply --to "$(mysql_url "$myrep")"
assert_eq "$(sqlite3 -separator $'\t' "$SRC_DB" 'SELECT k, v FROM t ORDER BY k')" \
	"$(mysql_exec "$myrep" 'SELECT k, v FROM t ORDER BY k')" "MySQL replica rows after the changes"
