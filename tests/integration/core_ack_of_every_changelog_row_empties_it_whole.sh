#!/usr/bin/env bash
# An acknowledgement deletes exactly its batch's changelog rows; when those
# are every row of the changelog (a run that shipped all there was) it
# empties the table whole in one statement (SQLite frees the pages instead
# of deleting row by row, docs/design.md §4 step 7), and seqs still never
# go back (a marker row, op '-', holds the newest seq deleted). A load acknowledges only its table's rows: the
# other table's rows between and after them stay, and so does the
# changelog's content.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sqlite3 "$SRC_DB" "CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE b(id INTEGER PRIMARY KEY, v TEXT)"
core_config
cdc triggers install
sql "INSERT INTO a VALUES (1, 'a1'); INSERT INTO b VALUES (1, 'b1'); INSERT INTO a VALUES (2, 'a2');
     INSERT INTO b VALUES (2, 'b2'); INSERT INTO a VALUES (3, 'a3');"
# a's seqs 1, 3, 5: b's rows lie only in the gaps between them
cdc -v load a
assert_not_contains "$T/last.err" "emptied whole"
assert_eq "2|I 4|I 5|-" "$(sql "SELECT group_concat(r, ' ') FROM (SELECT seq || '|' || op AS r FROM cdcpack_changelog ORDER BY seq)")" \
	"changelog seqs left after the load of a (b's rows, between a's, and a marker for a's last)"
# a's seq 6 between b's rows below and above it
sql "INSERT INTO a VALUES (4, 'a4'); INSERT INTO b VALUES (3, 'b3');"
cdc -v load a
assert_not_contains "$T/last.err" "emptied whole"
assert_eq "2|I 4|I 5|- 7|I" "$(sql "SELECT group_concat(r, ' ') FROM (SELECT seq || '|' || op AS r FROM cdcpack_changelog ORDER BY seq)")" \
	"changelog seqs left after the second load of a (b's rows, below and above a's)"

cdc -v run
assert_contains "$T/last.err" "emptied whole"
assert_eq 0 "$(sql "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'")" "changelog rows after the run"
assert_eq "I,1,b1 I,2,b2 I,3,b3" "$(cdc_rows | tr '\n' ' ' | sed 's/ $//')" "cdc rows: b's changes, once"

sql "INSERT INTO a VALUES (5, 'a5')"
assert_eq 8 "$(sql "SELECT seq FROM cdcpack_changelog WHERE op <> '-'")" "the seq after the changelog was emptied whole"
cdc -v run
assert_contains "$T/last.err" "emptied whole"
assert_eq 0 "$(sql "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'")" "changelog rows after the second run"
