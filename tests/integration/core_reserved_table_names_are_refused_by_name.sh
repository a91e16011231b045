#!/usr/bin/env bash
# cdcpack reserves names for its own tables: the changelog, <changelog>_schema
# and every name starting cdcpack_ (README "Trigger mode"). A user table of such
# a name is not captured with tables = *, and naming it (in [capture] tables,
# to load or to triggers) is exit 2 saying the name is reserved, never "no such
# table".
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_db "$SRC_DB"
sql "CREATE TABLE cdcpack_applied(id INTEGER PRIMARY KEY, v TEXT);
     CREATE TABLE CDCPACK_Notes(id INTEGER PRIMARY KEY, v TEXT);
     INSERT INTO cdcpack_applied VALUES(1, 'mine');"

core_config "[capture]" "tables = Persons, cdcpack_applied"
for cmd in init run load "triggers install"; do
	# shellcheck disable=SC2086 # the command's words
	cdc_status 2 $cmd
	assert_contains "$T/last.err" "'cdcpack_applied' has a name cdcpack reserves"
	assert_not_contains "$T/last.err" "no table named"
done

core_config
for cmd in "load cdcpack_applied" "triggers install CDCPACK_Notes" "load cdcpack_changelog_schema"; do
	# shellcheck disable=SC2086 # the command's words
	cdc_status 2 $cmd
	assert_contains "$T/last.err" "has a name cdcpack reserves"
done
cdc init
assert_not_contains "$T/last.out" "cdcpack_applied"
assert_eq 0 "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name LIKE 'cdcpack%'")" "triggers on reserved tables"

# A table of a reserved name with triggers of its own (installed before the
# name was reserved) is named by run, and `triggers remove` of it works.
sql "CREATE TRIGGER cdcpack_changelog_CDCPACK_Notes_ai AFTER INSERT ON CDCPACK_Notes BEGIN
       INSERT INTO \"cdcpack_changelog\"(op, tbl, ver) VALUES('I', 'CDCPACK_Notes', 1); END;"
cdc triggers install
cdc run
assert_contains "$T/last.err" "table CDCPACK_Notes is not captured"
cdc triggers remove CDCPACK_Notes
assert_eq 0 "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'CDCPACK_Notes'")" "triggers left on CDCPACK_Notes"
