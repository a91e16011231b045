#!/usr/bin/env bash
# Another chain's changelog tables (N, N_schema, N_owner) are left out of
# capture; user tables that merely share the names (no owner table's
# columns in N_owner) are captured like any other.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sqlite3 "$SRC_DB" "CREATE TABLE log(id INTEGER PRIMARY KEY, v TEXT);
	CREATE TABLE log_schema(id INTEGER PRIMARY KEY, v TEXT);
	CREATE TABLE log_owner(id INTEGER PRIMARY KEY, chain TEXT);
	INSERT INTO log VALUES (1, 'a'); INSERT INTO log_schema VALUES (1, 'b'); INSERT INTO log_owner VALUES (1, 'c');"
core_config
cdc triggers install
cdc load
sql "UPDATE log SET v = 'a2'; UPDATE log_schema SET v = 'b2'; UPDATE log_owner SET chain = 'c2';"
cdc run
cdc apply --to "sqlite:$T/replica.db"
assert_same_file <(sqlite_dump_tables "$SRC_DB") <(sqlite_dump_tables "$T/replica.db") "the replica"
assert_eq "cdcpack_applied log log_owner log_schema" "$(sqlite3 "$T/replica.db" "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name)")" "tables on the replica"
