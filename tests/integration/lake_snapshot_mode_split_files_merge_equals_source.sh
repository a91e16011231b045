#!/usr/bin/env bash
# The lake layout in snapshot mode (issue 13): a snapshot batch splits a
# table's changes into several files (max_rows), named
# <yyyymmdd-hhmmssSSS>.csv, -2.csv, ...; each is a lake object of its own
# (no compression, YYYYMM folders with no delimiter), and DuckDB's merge
# (examples/lake/merge.sql) over them equals sqlite3's dump after every run.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/lake.sh"

sql "CREATE TABLE p (k TEXT PRIMARY KEY, n INT, note TEXT);
	WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < 9)
	INSERT INTO p SELECT 'k' || x, x, CASE WHEN x % 3 = 0 THEN NULL ELSE 'n ' || x END FROM i;"
core_config '[capture]' 'mode = snapshot' '[batch]' 'max_rows = 2' '[lake]' 'prefix = lake' \
	'date_partition = YYYYMM' 'date_delimiter = none'
check() {
	sqlite3 -separator $'\t' -nullvalue '\N' "$SRC_DB" "SELECT k, n, note FROM p ORDER BY k" >"$T/src.p"
	lake_merge "$BUCKET/lake/src/p" k,n,note k | LC_ALL=C sort >"$T/lake.p"
	assert_same_rows "$T/src.p" "$T/lake.p" "p after $1"
}
cdc run
sql "UPDATE p SET n = n * 10 WHERE k IN ('k1', 'k2', 'k3'); DELETE FROM p WHERE k IN ('k4', 'k5');
	INSERT INTO p VALUES ('k10', 10, 'new'), ('k11', NULL, '');"
cdc run
check "the first changes"
sql "UPDATE p SET note = 'again' WHERE k < 'k3'; DELETE FROM p WHERE k = 'k10';
	INSERT INTO p VALUES ('k4', 4, 'back');"
cdc run
check "the second changes"
(cd "$BUCKET" && find lake -type f | LC_ALL=C sort | sed 's|^lake/||') >"$T/keys"
lake_check_keys "$T/keys"
grep -Eq '^src/p/[0-9]{6}/[0-9]{8}-[0-9]{9}-2\.csv$' "$T/keys" ||
	fail "no split change file (-2) in YYYYMM folders: $(cat "$T/keys")"
grep -q '^src/p/LOAD00000005\.csv$' "$T/keys" || fail "the load's 5 files: $(cat "$T/keys")"
