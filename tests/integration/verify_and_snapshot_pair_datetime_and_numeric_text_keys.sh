#!/usr/bin/env bash
# tests/torture/FINDINGS.md F25 (fixed): a source keyed by a DATETIME column
# whose keys mix the spellings of a moment ('2024-01-02T03:04:05Z' and
# '2024-01-02 03:04:06') verifies against its own replica (exit 0), and a
# row changed in the replica is the one difference; a replica whose key
# column is declared NUMERIC where the source's is TEXT pairs '10' with 10
# (found by torture_diff.py --verify seeds 500143, 600336); snapshot mode
# captures such a table and ships only the row that changed. Before the
# fix each stopped with exit 3 ("keys must come in ascending order"):
# CDCPACK_BIN=/work/main/bin/cdcpack of 069b51e fails here.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

schema="CREATE TABLE e(at DATETIME PRIMARY KEY, v);
INSERT INTO e VALUES ('2024-01-02T03:04:05Z', 1), ('2024-01-02 03:04:06', 2),
  ('2024-01-02T03:04:07', 3), ('2024-01-02 03:04:04.5', 4);
CREATE TABLE k(k TEXT PRIMARY KEY, v);
INSERT INTO k VALUES ('3', 'a'), ('10', 'b'), ('200', 'c');"

sql "$schema"
core_config
cdc triggers install
cdc load
sql "INSERT INTO e VALUES ('2024-01-02T03:04:06.5Z', 5), ('2024-01-02 03:04:03', 6);
  UPDATE e SET v = 10 WHERE at = '2024-01-02 03:04:06';
  INSERT INTO k VALUES ('7', 'd');"
cdc run
replica=$T/replica.db
cdc apply --to "sqlite:$replica"
assert_status 0 "$CDCPACK" verify --against "sqlite:$replica"

sqlite3 "$replica" "UPDATE e SET v = 11 WHERE at = '2024-01-02T03:04:07'"
assert_status 1 "$CDCPACK" --json verify --against "sqlite:$replica"
assert_eq "e 0 1 0" "$(jq -r '.tables[] | select(.name == "e") |
	"\(.name) \(.inserted) \(.updated) \(.deleted)"' "$T/last.out")" "the replica's one changed row"
sqlite3 "$replica" "UPDATE e SET v = 3 WHERE at = '2024-01-02T03:04:07'"

# The replica's key column declared NUMERIC: its keys are numbers now.
sqlite3 "$replica" "ALTER TABLE k RENAME TO k_old;
  CREATE TABLE k(k NUMERIC PRIMARY KEY, v); INSERT INTO k SELECT * FROM k_old; DROP TABLE k_old;"
assert_eq "integer" "$(sqlite3 "$replica" "SELECT DISTINCT typeof(k) FROM k")" "replica keys"
assert_status 0 "$CDCPACK" verify --against "sqlite:$replica"

# Snapshot mode: the first run loads, the next ships the one changed row.
core_use "$T/snap"
sql "$schema"
core_config '[capture]' 'mode = snapshot'
cdc run
sql "UPDATE e SET v = 9 WHERE at = '2024-01-02T03:04:05Z'"
cdc run
check_cdc_rows "snapshot mode's changes" "U,2024-01-02T03:04:05Z,9"
