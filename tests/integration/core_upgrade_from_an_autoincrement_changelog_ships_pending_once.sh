#!/usr/bin/env bash
# An earlier cdcpack made the changelog's seq INTEGER PRIMARY KEY
# AUTOINCREMENT; this one makes it the plain rowid (docs/design.md §4 step
# 7). A changelog made before keeps working as it is: `triggers install`
# and `run` leave its AUTOINCREMENT, the changes it holds ship once, and its
# seqs keep growing after every row is acknowledged (the marker row and
# AUTOINCREMENT's counter both hold them).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sqlite3 "$SRC_DB" "CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT);
	CREATE TABLE cdcpack_changelog(seq INTEGER PRIMARY KEY AUTOINCREMENT,
	 ts REAL NOT NULL DEFAULT (julianday('now')), op TEXT NOT NULL, tbl TEXT NOT NULL,
	 ver INTEGER NOT NULL, old TEXT, new TEXT);
	INSERT INTO cdcpack_changelog(op, tbl, ver) VALUES ('I', 'gone', 1);
	DELETE FROM cdcpack_changelog;"
core_config
cdc triggers install
autoincrement() {
	sql "SELECT count(*) FROM sqlite_schema WHERE name = 'cdcpack_changelog' AND sql LIKE '%AUTOINCREMENT%'"
}
assert_eq 1 "$(autoincrement)" "the earlier changelog's AUTOINCREMENT after install"
sql "INSERT INTO a VALUES (1, 'a1'); UPDATE a SET v = 'uno'; INSERT INTO a VALUES (2, 'a2');"
assert_eq "2 3 4" "$(sql "SELECT group_concat(seq, ' ') FROM cdcpack_changelog")" "pending seqs, after AUTOINCREMENT's 1"
cdc -v run
assert_contains "$T/last.err" "emptied whole"
assert_eq "4|-" "$(sql "SELECT seq || '|' || op FROM cdcpack_changelog")" "the changelog after the run"
sql "DELETE FROM a WHERE id = 2; INSERT INTO a VALUES (3, 'a3');"
assert_eq "4 5 6" "$(sql "SELECT group_concat(seq, ' ') FROM cdcpack_changelog")" "seqs after the run"
cdc run
cdc_opened run
check_cdc_rows "each change once" 'I,1,a1' 'U,1,uno' 'I,2,a2' 'D,2,a2' 'I,3,a3'
assert_eq 1 "$(autoincrement)" "the earlier changelog's AUTOINCREMENT after the runs"
apply_and_compare "$T/replica.db"
