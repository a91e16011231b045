#!/usr/bin/env bash
# A captured table dropped at the source (README "Schema changes"): the next
# run says once that it is no longer captured, ships the other tables'
# changes as usual, and replicas keep the rows it had (apply never drops a
# table). A table of that name created later starts afresh: its rows ship
# with its load, not as a change of the old one.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE b(id INTEGER PRIMARY KEY, v TEXT);
     INSERT INTO a VALUES(1, 'a1'); INSERT INTO b VALUES(1, 'b1')"
core_config
cdc triggers install
cdc load
cdc run
cdc apply --to "sqlite:$T/replica.db"

sql "DROP TABLE b; INSERT INTO a VALUES(2, 'a2')"
cdc run
assert_contains "$T/last.err" "table b is no longer captured"
assert_contains "$T/last.out" "published cdc"
cdc run
assert_not_contains "$T/last.err" "no longer captured"
cdc apply --to "sqlite:$T/replica.db"
assert_eq "$(sqlite3 "$T/replica.db" "SELECT group_concat(v) FROM (SELECT v FROM a ORDER BY id)")" "a1,a2" "replica a"
assert_eq "$(sqlite3 "$T/replica.db" "SELECT group_concat(v) FROM b")" "b1" "replica b keeps its rows"
cdc verify --against "sqlite:$T/replica.db"

# b again, with other rows: its load replaces what replicas had.
sql "CREATE TABLE b(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO b VALUES(7, 'new')"
cdc triggers install b
cdc load b
cdc apply --to "sqlite:$T/replica.db"
assert_eq "$(sqlite3 "$T/replica.db" "SELECT group_concat(id || ':' || v) FROM b")" "7:new" "replica b after the new b's load"
cdc verify --against "sqlite:$T/replica.db"
echo "dropped table: said once, kept by replicas, a new one starts afresh"
