#!/usr/bin/env bash
# `triggers remove a --drop-changelog` is refused (exit 2, naming the tables
# whose triggers still write to the changelog) and changes nothing: other
# tables' unshipped changes stay and ship, and the application's writes keep
# working. A table taken out of [capture] tables whose triggers still write
# is named by run, status and triggers status, and `triggers remove` of it
# (the way they advise) works; once no trigger writes to the changelog,
# --drop-changelog drops it and every write still works.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT);
     CREATE TABLE b(id INTEGER PRIMARY KEY, v TEXT);
     CREATE TABLE c(id INTEGER PRIMARY KEY, v TEXT);"
core_config
cdc triggers install
cdc load
sql "INSERT INTO b VALUES(1, 'unshipped'); INSERT INTO c VALUES(1, 'unshipped')"
schema=$(sqlite3 "$SRC_DB" .schema)

cdc_status 2 triggers remove a --drop-changelog
assert_contains "$T/last.err" "the triggers of b, c still write to the changelog cdcpack_changelog"
assert_eq "$schema" "$(sqlite3 "$SRC_DB" .schema)" "schema after the refused drop"
sql "INSERT INTO a VALUES(2, 'x'); INSERT INTO b VALUES(2, 'x')"
cdc run
assert_eq 0 "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'")" "changelog rows after the run"
apply_and_compare "$T/replica1.db"

# c leaves [capture] tables with its triggers still in place.
core_config "[capture]" "tables = a, b"
sql "INSERT INTO c VALUES(3, 'after')"
cdc run
assert_contains "$T/last.err" "table c is not captured"
assert_contains "$T/last.err" "cdcpack triggers remove c"
cdc triggers status
assert_contains "$T/last.out" "table c is not captured"
cdc --json triggers status
assert_eq false "$(jq '.tables[] | select(.name == "c") | .captured' "$T/last.out")" "c captured in triggers status --json"
cdc status
assert_contains "$T/last.out" "table c is not captured"
cdc --json status
cp "$T/last.out" "$T/status.json"
assert_eq "false 0" "$(jq -r '.tables[] | select(.name == "c") | "\(.captured) \(.pending)"' "$T/status.json")" "c in status --json"
/usr/bin/python3 "$ROOT/tests/lib/validate_json.py" "$ROOT/schemas/report.schema.json" "$T/status.json" ||
	fail "status --json with a table out of capture does not match schemas/report.schema.json"
cdc_status 2 triggers remove --drop-changelog
assert_contains "$T/last.err" "the triggers of c still write"
cdc triggers remove c
cdc run
assert_not_contains "$T/last.err" "is not captured"
cdc triggers remove --drop-changelog
assert_eq 0 "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'cdcpack%' OR type = 'trigger'")" "own tables and triggers left"
sql "INSERT INTO a VALUES(9, 'x'); INSERT INTO b VALUES(9, 'x'); INSERT INTO c VALUES(9, 'x')"
check_chain
