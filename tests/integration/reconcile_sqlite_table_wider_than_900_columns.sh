#!/usr/bin/env bash
# Reconcile of a SQLite table of 1200 columns (past SQLITE_IMAGE_MAX_COLS,
# 900: its triggers write quote()d text images, not typed columns; SQLite
# allows 2000 columns by default): a clean table reconciles to nothing; a
# blind spot (changelog rows deleted by hand) is repaired, I, U and D; a
# key with a change pending in the changelog -- read back through the text
# image -- is left to the cdc batch (pending) and shipped once by it. The
# replica built by apply equals the source (sqlite3's dump, and verify).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

ncols=1200
cols= vals1= vals2= vals3=
for ((i = 1; i <= ncols; i++)); do
	cols+=", c$i TEXT"
	vals1+=", 'one $i'"
	vals2+=", 'two $i'"
	vals3+=", $i"
done
sqlite3 "$SRC_DB" "CREATE TABLE wide(id INTEGER PRIMARY KEY$cols);
INSERT INTO wide VALUES (1$vals1); INSERT INTO wide VALUES (2$vals2); INSERT INTO wide VALUES (3$vals3);"
core_config '[capture]' 'reconcile = manual'
cdc triggers install
# The wide path is the one taken: the triggers write text images.
assert_eq 3 "$(sqlite3 "$SRC_DB" "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'
	AND tbl_name = 'wide' AND sql LIKE '%quote(%'")" "triggers of wide writing text images"
cdc load

reconcile_counts() { # reconcile_counts: "rows I U D pending" of wide
	cdc --json reconcile
	jq -r '.reconciled[] | select(.table == "wide") | "\(.rows) \(.inserted) \(.updated) \(.deleted) \(.pending) \(.skipped)"' "$T/last.out"
}
assert_eq "3 0 0 0 0 null" "$(reconcile_counts)" "a clean wide table"

# Blind: 2 updated, 3 deleted, 4 inserted. Pending: 1 updated (kept in the changelog).
sql "UPDATE wide SET c600 = 'blind', c1200 = NULL WHERE id = 2; DELETE FROM wide WHERE id = 3;
INSERT INTO wide(id, c1, c1199) VALUES (4, 'four', 'x');
DELETE FROM cdcpack_changelog;
UPDATE wide SET c950 = 'pending' WHERE id = 1;"
assert_eq "3 1 1 1 1 null" "$(reconcile_counts)" "the blind spots repaired, the pending key left"
a=$(published | tail -1)
tar -xOf "$a" --wildcards 'wide/*' | cut -d, -f1-2 >got.txt
assert_eq $'U,2\nI,4\nD,3' "$(cat got.txt)" "the reconcile batch's ops and keys"
cdc run
assert_eq "3 0 0 0 0 null" "$(reconcile_counts)" "after the cdc batch"
cdc apply --to "sqlite:$T/replica.db"
dump() { sqlite3 "$1" "SELECT * FROM wide ORDER BY id"; }
assert_eq "$(dump "$SRC_DB")" "$(dump "$T/replica.db")" "the replica's rows"
cdc verify --against "sqlite:$T/replica.db"
echo ok
