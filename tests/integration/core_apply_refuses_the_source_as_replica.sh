#!/usr/bin/env bash
# apply --to the configured source database (by any path: relative, a
# symlink, a hard link) or to any database holding cdcpack's changelog (a
# copy of the source, another captured source) is refused with exit 2
# before anything is written: the source's unpublished changes stay. A
# load batch applied onto a replica that holds other rows replaces the
# rows of the loaded tables and leaves the other tables alone (README).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO a VALUES (1, 'x'), (2, 'y');"
core_config
cdc triggers install
cdc load
sql "INSERT INTO a VALUES (3, 'unpublished'); UPDATE a SET v = 'changed' WHERE id = 1;"
before=$(sqlite_dump_tables "$SRC_DB")
pending=$(sqlite3 "$SRC_DB" "SELECT count(*) FROM cdcpack_changelog")

ln -s "$SRC_DB" "$T/link.db"
ln "$SRC_DB" "$T/hard.db"
cd "$T"
for to in "sqlite:$SRC_DB" "sqlite:src.db" "sqlite:./src.db" "sqlite:$T/link.db" "sqlite:$T/hard.db"; do
	cdc_status 2 apply --to "$to"
	assert_contains "$T/last.err" "configured source"
	assert_eq "$before" "$(sqlite_dump_tables "$SRC_DB")" "source rows after apply --to $to"
done
cp "$SRC_DB" "$T/copy.db"
cdc_status 2 apply --to "sqlite:$T/copy.db"
assert_contains "$T/last.err" "changelog table cdcpack_changelog"
assert_eq "$before" "$(sqlite_dump_tables "$SRC_DB")" "source rows"
assert_eq "$pending" "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM cdcpack_changelog")" "pending changes"
assert_eq "" "$(sqlite3 "$SRC_DB" "SELECT name FROM sqlite_master WHERE name = 'cdcpack_applied'")" \
	"bookkeeping table in the source"

# The changes still ship, and a real replica gets them.
cdc run
cdc apply --to "sqlite:$T/replica.db"
assert_eq "$before" "$(sqlite_dump_tables "$T/replica.db")" "replica rows"

# A load onto a replica holding other rows: the loaded table is replaced,
# another table stays as it was.
sqlite3 "$T/other.db" "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO a VALUES (9, 'stale');
	CREATE TABLE mine (k INTEGER PRIMARY KEY); INSERT INTO mine VALUES (7);"
cdc apply --to "sqlite:$T/other.db"
assert_eq "$(sqlite3 "$SRC_DB" "SELECT * FROM a ORDER BY id")" "$(sqlite3 "$T/other.db" "SELECT * FROM a ORDER BY id")" "loaded table"
assert_eq "7" "$(sqlite3 "$T/other.db" "SELECT * FROM mine")" "the replica's own table"
