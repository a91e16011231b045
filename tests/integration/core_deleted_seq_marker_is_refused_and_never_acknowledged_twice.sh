#!/usr/bin/env bash
# The changelog's seqs never repeat because an acknowledgement leaves a
# marker row (op '-') holding the newest seq it deleted. Deleted by hand,
# the next writes reuse acknowledged seqs. Two guards keep that from losing
# or doubling a change: a batch whose acknowledgement the changelog's owner
# record already holds (a run killed at mid-ack) deletes nothing again when
# it is recovered, so the rows reusing its seqs stay; and a run that reads a
# change whose seq an acknowledged batch carried refuses it (exit 3, naming
# the seq, the batch and the way out) rather than ship a second change
# under that seq or skip it. The way out it names works. A marker deleted
# before any write reused its seq is put back by the next run.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sqlite3 "$SRC_DB" "CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT)"
core_config
cdc triggers install
rows() { # rows: the changelog's seq|op|tbl, ascending
	sql "SELECT group_concat(r, ' ') FROM (SELECT seq || '|' || op || '|' || tbl AS r FROM cdcpack_changelog ORDER BY seq)"
}

sql "INSERT INTO a VALUES (1, 'a1'); INSERT INTO a VALUES (2, 'a2');"
crashed mid-ack
assert_eq "2|-|" "$(rows)" "the changelog after a kill at mid-ack"
sql "DELETE FROM cdcpack_changelog; INSERT INTO a VALUES (3, 'a3'); INSERT INTO a VALUES (4, 'a4');"
assert_eq "1|I|a 2|I|a" "$(rows)" "the changelog once its marker was deleted by hand and two rows written"

cdc_status 3 run
assert_contains "$T/last.err" "batch 1: its acknowledgement is already recorded in cdcpack_changelog_owner: nothing deleted again"
assert_contains "$T/last.err" "changelog seq 1 (table a) was already carried by batch 1, acknowledged: the changelog reuses seqs"
assert_contains "$T/last.err" "'cdcpack triggers remove --drop-changelog', 'cdcpack triggers install', then 'cdcpack load'"
assert_eq "1|I|a 2|I|a" "$(rows)" "the changelog after the refused run: nothing deleted"
check_cdc_rows "cdc rows: the first batch's, once" 'I,1,a1' 'I,2,a2'
cdc_status 3 run
assert_eq "1|I|a 2|I|a" "$(rows)" "the changelog after a second refused run"

# The way out: a new changelog, and a load of the table.
cdc triggers remove --drop-changelog
cdc triggers install
cdc load
sql "INSERT INTO a VALUES (5, 'a5');"
cdc run
assert_eq "1|-|" "$(rows)" "the new changelog after its first batch"
check_cdc_rows "cdc rows: the first batch's, then the new changelog's" 'I,1,a1' 'I,2,a2' 'I,5,a5'
apply_and_compare "$T/replica.db"

# Deleted by hand before a write reused its seq: the next run puts it back.
sql "DELETE FROM cdcpack_changelog;"
cdc run
assert_contains "$T/last.err" "changelog cdcpack_changelog: its highest seq was 0, below 1, which an acknowledged batch carried"
assert_eq "1|-|" "$(rows)" "the changelog after the run that found its marker deleted"
sql "INSERT INTO a VALUES (6, 'a6');"
assert_eq "1|-| 2|I|a" "$(rows)" "the next change's seq"
cdc run
check_cdc_rows "cdc rows: then a6, once" 'I,1,a1' 'I,2,a2' 'I,5,a5' 'I,6,a6'
apply_and_compare "$T/replica.db"
