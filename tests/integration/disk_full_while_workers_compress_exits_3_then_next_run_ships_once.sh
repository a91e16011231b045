#!/usr/bin/env bash
# run.sh: alone (a disk filled up: nothing else may write meanwhile)
# The disk fills while the package's worker threads write the staged bytes
# (issue 16's threads): the zstd frame made as a change file is written
# (default compression: the worker thread's write of zstd's output gets
# ENOSPC), and with a lake, its gzip copy written by the second worker
# beside it. Each run exits 3 naming a work file of the state dir; it
# stages nothing (no batch recorded, no archive or temp file left in the
# staging dir), acknowledges and publishes nothing; once space is back the
# next runs ship every change exactly once and the replica (and the lake)
# equal the source. The rows are random hex, so the compressed streams are
# about half the change file's size and still run out of space mid-stream.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
cm_init sqlite file

# bulk N: N inserts of incompressible-ish rows (300 random hex characters).
bulk() {
	cm_sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
		INSERT INTO acct SELECT 100000 + i, hex(randomblob(150)), i FROM n"
	cm_sql "SELECT 'I', id, owner, bal FROM acct WHERE id > 100000 AND id <= 100000 + $1 ORDER BY id" |
		tr '\t' ',' >>"$CM_DIR/want.acct.csv"
}

# nothing_staged WHAT: no batch recorded past the acknowledged ones (the
# load's), and the staging dir holds no file but their archives: none of
# the failed run's, complete or not.
nothing_staged() {
	local db="file:$STATE_DIR/state.db?mode=ro" left
	left=$(sqlite3 "$db" "SELECT COUNT(*) FROM batches WHERE state != 3")
	assert_eq 0 "$left" "$1: batches recorded but not acknowledged"
	left=$(comm -23 <(cd "$STATE_DIR" && find staging -type f | sort) \
		<(sqlite3 "$db" "SELECT file FROM batches" | sort))
	assert_eq "" "$left" "$1: files in the staging dir that no batch names"
}

cm_scenario() {
	local lake=()
	cm_case "$1"
	if [[ $1 == lake ]]; then
		lake=('[lake]' 'prefix = dms/' 'compression = gzip')
		CM_LAKE=1
	fi
	cm_tmpfs "$STATE_DIR" 8m || {
		echo "note: no tmpfs, nothing to test here (disk_full_state_dir_*.sh limits file sizes)"
		return 0
	}
	cm_setup "${lake[@]}"
	cm_writer_play 12
	bulk 8000 # a change file of about 2.6 MB, its zstd frame about 1.4 MB
	cm_state_snapshot >"$CM_DIR/before.state"
	cm_fill "$STATE_DIR" $((512 * 1024))
	cdc_status 3 run
	cm_expect_runtime_failure "run with 512 KiB free ($1)" "$STATE_DIR/work/"
	assert_contains "$T/last.err" "No space left on device"
	nothing_staged "run with 512 KiB free ($1)"
	cdc_status 3 run
	cm_expect_runtime_failure "second run with 512 KiB free ($1)" "$STATE_DIR/work/"
	nothing_staged "second run with 512 KiB free ($1)"
	cm_unfill "$STATE_DIR"
	run_until_idle
	assert_eq 0 "$(cm_changelog_count)" "changelog rows left after the runs with space"
	cm_check_all
}
cm_cases framed lake
