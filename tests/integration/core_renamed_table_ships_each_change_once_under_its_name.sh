#!/usr/bin/env bash
# ALTER TABLE c RENAME TO c2 moves c's triggers, which keep logging c.
# triggers status says so for c2 (not "not installed"); the next run
# rebuilds c2's triggers and drops the old ones in one step, so each later
# change is logged once, as c2 (the advised `triggers install c2` does the
# same, never logging twice); changes logged before ship as c. Following the
# advice (load c2) gives a replica c2 equal to the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE c(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO c VALUES(1, 'one');
     CREATE TABLE other(id INTEGER PRIMARY KEY, v TEXT);"
core_config
cdc triggers install
cdc load
sql "INSERT INTO c VALUES(2, 'before rename')"
sql "ALTER TABLE c RENAME TO c2"
sql "INSERT INTO c2 VALUES(3, 'between rename and run')"
cdc triggers status
grep -E '^c2 ' "$T/last.out" >/dev/null || fail "c2 not in triggers status: $(cat "$T/last.out")"
assert_contains "$T/last.out" "was made for another table name"
assert_contains "$T/last.out" "cdcpack load c2"
assert_not_contains "$T/last.out" "is not captured"

cdc run
assert_contains "$T/last.err" "table c2 was renamed"
assert_contains "$T/last.err" "cdcpack load c2"
sql "INSERT INTO c2 VALUES(4, 'after the rebuild'); UPDATE c2 SET v = 'updated' WHERE id = 1"
assert_eq "c2 I
c2 U" "$(sqlite3 "$SRC_DB" "SELECT tbl, op FROM cdcpack_changelog WHERE op <> '-' ORDER BY seq" | tr '|' ' ')" \
	"changelog rows after the rebuild: each change once, as c2"
assert_eq 3 "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'c2'")" "triggers on c2"
cdc triggers install c2 # the advice of old: changes nothing now
sql "DELETE FROM c2 WHERE id = 4"
assert_eq 1 "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM cdcpack_changelog WHERE op = 'D'")" "the delete, logged once"
cdc run
mapfile -t archives < <(published)
logged=$(for a in "${archives[@]:1}"; do manifest "$a" | jq -r '.tables[] | "\(.name) \(.rows)"'; done)
assert_eq "c 2
c2 3" "$logged" "tables and rows of the cdc batches"
cdc load c2
cdc apply --to "sqlite:$T/replica.db"
assert_eq "$(sqlite3 "$SRC_DB" 'SELECT * FROM c2 ORDER BY id')" "$(sqlite3 "$T/replica.db" 'SELECT * FROM c2 ORDER BY id')" "c2 in the replica"
check_chain
