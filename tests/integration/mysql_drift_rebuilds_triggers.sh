#!/usr/bin/env bash
# Schema drift: after ALTER TABLE add / modify / drop column, `triggers
# status` reports DRIFT, the next run rebuilds the triggers (a new schema
# version) and ships the table whole as a load with the new columns: a
# change made between the ALTER and the rebuild (its trigger knew the old
# columns) reaches replicas through that load, new column included; later
# cdc batches carry the new columns, and a replica takes each definition.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db drift)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, a varchar(10), b int)"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load

batch() { find "$T/bucket/cdc" -name "*-0000000$1-*.tar.zst"; }
columns() { tar -xOf "$(batch "$1")" manifest.json | jq -c '[.tables[] | [.columns[].name]]'; }
rows() { tar -xOf "$(batch "$1")" --wildcards 't/2*.csv'; }
load_rows() { tar -xOf "$(batch "$1")" t/LOAD00000001.csv; }
kind() { tar -xOf "$(batch "$1")" manifest.json | jq -r .batch.kind; }
status_line() { "$CDCPACK" triggers status 2>/dev/null | grep -E '^t '; }

# add column: the old trigger still works and records the old columns
mysql_exec "$db" "INSERT INTO t VALUES (1, 'one', 10); ALTER TABLE t ADD COLUMN c int;
	INSERT INTO t VALUES (2, 'two', 20, 5)"
[[ $(status_line) == *DRIFT* ]] || fail "status after ADD COLUMN: $(status_line)"
assert_status 0 "$CDCPACK" run
assert_contains "$T/last.err" "drift"
[[ $(status_line) == *no-drift* ]] || fail "status after the run: $(status_line)"
assert_eq load "$(kind 2)" "batch 2 (the rebuild's)"
assert_eq "1,one,10,
2,two,20,5" "$(load_rows 2)" "rows changed before the rebuild, c of row 2 included"
assert_eq '[["id","a","b","c"]]' "$(columns 2)" "batch 2 columns"
assert_eq "2" "$(mysql_exec "$db" "SELECT MAX(ver) FROM cdcpack_changelog_schema WHERE tbl = 't'")" \
	"schema version after the rebuild"

mysql_exec "$db" "INSERT INTO t VALUES (3, 'three', 30, 6)"
assert_status 0 "$CDCPACK" run
assert_eq '[["id","a","b","c"]]' "$(columns 3)" "batch 3 columns"
assert_eq "I,3,three,30,6" "$(rows 3)" "change after the rebuild"

# modify column: the type in the manifest follows
mysql_exec "$db" "ALTER TABLE t MODIFY b bigint; UPDATE t SET b = 9000000000 WHERE id = 3"
assert_status 0 "$CDCPACK" run
assert_eq load "$(kind 4)" "batch 4 (after MODIFY)"
assert_eq '"bigint(20)"' "$(tar -xOf "$(batch 4)" manifest.json | jq '.tables[0].columns[2].type')" \
	"type of b in the reload"
assert_status 0 "$CDCPACK" run
mysql_exec "$db" "UPDATE t SET b = 9000000001 WHERE id = 3"
assert_status 0 "$CDCPACK" run
assert_eq cdc "$(kind 5)" "batch 5 (the next change)"
assert_eq '"bigint(20)"' "$(tar -xOf "$(batch 5)" manifest.json | jq '.tables[0].columns[2].type')" \
	"type of b after MODIFY"

# drop column: MySQL fails writes through the old trigger until the rebuild,
# and status says so
mysql_exec "$db" "ALTER TABLE t DROP COLUMN a"
"$CDCPACK" triggers status >"$T/status.out" 2>&1
assert_contains "$T/status.out" "DRIFT"
assert_contains "$T/status.out" "column a was dropped"
if mysql_exec "$db" "INSERT INTO t VALUES (4, 40, 7)" 2>"$T/insert.err"; then
	fail "a write through the stale trigger succeeded: was the column really known to it?"
fi
assert_status 0 "$CDCPACK" run
assert_eq "load [[\"id\",\"b\",\"c\"]]" "$(kind 6) $(columns 6)" "batch 6 (after DROP COLUMN)"
mysql_exec "$db" "INSERT INTO t VALUES (4, 40, 7)"
assert_status 0 "$CDCPACK" run
assert_eq "cdc [[\"id\",\"b\",\"c\"]]" "$(kind 7) $(columns 7)" "columns after DROP COLUMN"

replica=$(mysql_fresh_db drift_replica)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_eq "1	10	NULL
2	20	5
3	9000000001	6
4	40	7" "$(mysql_exec "$replica" 'SELECT id, b, c FROM t ORDER BY id')" \
	"replica (c of row 2 was written before the rebuild)"
assert_eq "id b c" "$(mysql_exec "$replica" "SELECT COLUMN_NAME FROM information_schema.COLUMNS
	WHERE TABLE_SCHEMA = '$replica' AND TABLE_NAME = 't' ORDER BY ORDINAL_POSITION" | tr '\n' ' ' | sed 's/ $//')" \
	"replica columns (a was dropped at the source)"
