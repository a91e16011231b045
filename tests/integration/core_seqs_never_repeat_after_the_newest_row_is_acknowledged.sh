#!/usr/bin/env bash
# The changelog's seq is its rowid, max(seq) + 1, without AUTOINCREMENT
# (which made SQLite read and write sqlite_sequence at every statement: 36%
# of the trigger for a writer that inserts a row a statement, docs/bench.md).
# A seq is still never reused: an acknowledgement that deletes the newest
# row leaves a marker row (op '-', no table, no images) holding its seq, when
# it empties the changelog whole and when it deletes ranges (a load of one
# table); the next batch that ships acknowledges the marker with its rows,
# and an idle run ships nothing for it. Nothing counts the marker as a
# change (the batches' rows, status, triggers status), and `triggers remove
# --drop-changelog` takes it with the changelog.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sqlite3 "$SRC_DB" "CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE b(id INTEGER PRIMARY KEY, v TEXT)"
core_config
cdc triggers install
assert_eq 0 "$(sql "SELECT count(*) FROM sqlite_schema WHERE name = 'cdcpack_changelog' AND sql LIKE '%AUTOINCREMENT%'")" \
	"changelogs made with AUTOINCREMENT"
rows() { # rows: the changelog's seq|op|tbl, ascending
	sql "SELECT group_concat(r, ' ') FROM (SELECT seq || '|' || op || '|' || tbl AS r FROM cdcpack_changelog ORDER BY seq)"
}
pending() { # pending: status's and triggers status's pending counts
	cdc --json status
	jq -r '"\(.pending) \([.tables[] | "\(.name):\(.pending)"] | join(","))"' "$T/last.out"
	cdc --json triggers status
	jq -r '[.tables[] | "\(.name):\(.pending)"] | join(",")' "$T/last.out"
}

# Every row acknowledged, the changelog emptied whole: the marker holds 3.
sql "INSERT INTO a VALUES (1, 'a1'); INSERT INTO a VALUES (2, 'a2'); INSERT INTO b VALUES (1, 'b1');"
cdc -v run
assert_contains "$T/last.err" "emptied whole"
assert_eq "3|-|" "$(rows)" "the changelog once its every row was acknowledged"
assert_eq "0 a:0,b:0 a:0,b:0" "$(pending | paste -sd' ')" "pending changes with the marker alone"
sql "INSERT INTO a VALUES (3, 'a3');"
assert_eq "3|-| 4|I|a" "$(rows)" "the next change's seq"

cdc -v run
assert_contains "$T/last.err" "emptied whole"
assert_eq "4|-|" "$(rows)" "the changelog after the batch carrying the marker and seq 4"
# An idle run ships nothing for the marker, and leaves it.
published_count >"$T/count.before"
cdc_opened -v run
assert_eq "$(cat "$T/count.before")" "$(published_count)" "batches published by an idle run over the marker"
assert_eq "4|-|" "$(rows)" "the changelog after an idle run"

# Ranges: a load of b deletes b's rows, the newest among them; a's row and
# the marker below stay, and a marker takes the newest seq.
sql "INSERT INTO a VALUES (4, 'a4'); INSERT INTO b VALUES (2, 'b2');"
cdc -v load b
assert_not_contains "$T/last.err" "emptied whole"
assert_eq "4|-| 5|I|a 6|-|" "$(rows)" "the changelog after the load of b"
assert_eq "1 a:1,b:0 a:1,b:0" "$(pending | paste -sd' ')" "pending changes beside two markers"
sql "INSERT INTO b VALUES (3, 'b3');"
assert_eq "4|-| 5|I|a 6|-| 7|I|b" "$(rows)" "the next change's seq after the load"
cdc -v run
assert_contains "$T/last.err" "emptied whole"
assert_eq "7|-|" "$(rows)" "the changelog after the run carrying both markers"
check_cdc_rows "cdc rows: each change once, none for a marker" \
	'I,1,a1' 'I,2,a2' 'I,1,b1' 'I,3,a3' 'I,4,a4' 'I,3,b3'
jq -e '[.tables[].rows] | add == 2' <<<"$(manifest "$(published | tail -n 1)")" >/dev/null ||
	fail "the last batch's rows count a marker: $(manifest "$(published | tail -n 1)")"
apply_and_compare "$T/replica.db"

cdc triggers remove --drop-changelog
assert_eq 0 "$(sql "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'cdcpack_changelog%'")" \
	"the changelog's tables after remove --drop-changelog"
