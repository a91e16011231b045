# shellcheck shell=bash
# Helpers for the lake_*.sh tests (issue 13: the lake layout). Source after
# tests/lib/common.sh.
#
#   lake_merge TABLE_DIR COLS KEY [BLOB_COLS]
#       DuckDB (@duckdb/node-api, pinned in tests/s3's lockfile) runs the
#       shipped examples/lake/merge.sql over one table's lake folder, read in
#       place, and prints its current state: tab-separated, NULL as \N,
#       BLOBs as upper-case hex. The timing goes to $T/merge.err.
#   lake_check_keys FILE   every key in FILE (one a line, below the lake
#       prefix) has the grammar of docs/design.md §5, and none repeats.
#   assert_same_rows WANT GOT WHAT   the two dumps hold the same lines.

lake_merge() {
	node "$ROOT/tests/s3/lake_merge.mjs" "$ROOT/examples/lake/merge.sql" "$@" 2>"$T/merge.err" ||
		fail "duckdb merge of $1: $(cat "$T/merge.err")"
}

lake_check_keys() {
	local bad
	bad=$(grep -Ev '^[^/]+/[^/]+/(LOAD[0-9A-F]{8}|([0-9_-]+/)*[0-9]{8}-[0-9]{9}(-[0-9]+)?)\.csv(\.gz)?$' "$1" || true)
	[[ -z $bad ]] || fail "lake keys outside the grammar: $bad"
	bad=$(sort "$1" | uniq -d)
	[[ -z $bad ]] || fail "lake keys listed twice: $bad"
}

assert_same_rows() {
	if ! cmp -s "$1" "$2"; then
		diff "$1" "$2" | head -n 20 >&2 || true
		fail "$3: the lake's merged state differs from the source's dump (< source, > lake)"
	fi
}
