#!/usr/bin/env bash
# Each captured change carries the UTC time it was made: status reports the
# oldest pending one and the lag, and jsonl change files carry it as "ts",
# both as 2026-11-24T10:11:12.345Z. A changelog made by an earlier cdcpack
# (ts stored as that text, not as a julian day) reads back the same way, and
# the triggers installed on it keep writing that text (the time a trigger
# gives is a julian day, which a TEXT column would keep as digits).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

iso='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$'

# check_times WHAT: pending changes exist; status and the next run's jsonl
# carry their times, no earlier than START and no later than now.
check_times() {
	local what=$1 since=$2 until
	cdc --json status
	jq -e --arg re "$iso" '(.oldest_pending | test($re)) and .lag_seconds >= 0 and .lag_seconds < 600' \
		"$T/last.out" >/dev/null || fail "$what: status --json: $(cat "$T/last.out")"
	local oldest
	oldest=$(jq -r .oldest_pending "$T/last.out")
	cdc run
	until=$(date -u +%Y-%m-%dT%H:%M:%S.999Z)
	local change
	change=$(published | tail -n 1)
	manifest "$change" | jq -r '.tables[].file' | while IFS= read -r f; do
		archive_member "$change" "$f"
	done >"$T/cdc.jsonl"
	assert_eq 3 "$(wc -l <"$T/cdc.jsonl")" "$what: changes shipped"
	assert_eq 0 "$(jq -c --arg re "$iso" --arg a "$since" --arg b "$until" \
		'select((.ts | test($re) | not) or .ts < $a or .ts > $b)' "$T/cdc.jsonl" | wc -l)" \
		"$what: jsonl changes whose ts is not a UTC time between $since and $until"
	assert_eq "$oldest" "$(jq -r .ts "$T/cdc.jsonl" | sort | head -n 1)" \
		"$what: status's oldest pending change is the first shipped"
}

changes() {
	sql "INSERT INTO t VALUES (1, 'one'); UPDATE t SET v = 'uno' WHERE id = 1;
	     INSERT INTO t VALUES (2, 'two');"
}

sql "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
core_config '[batch]' 'format = jsonl'
cdc triggers install
cdc load
start=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
changes
assert_eq real "$(sqlite3 "$SRC_DB" 'SELECT DISTINCT typeof(ts) FROM cdcpack_changelog')" "ts of this cdcpack's changelog"
check_times "this cdcpack's changelog" "$start"

# The changelog as an earlier cdcpack created it: ts as text.
core_use "$T/old"
sql "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);
     CREATE TABLE cdcpack_changelog(seq INTEGER PRIMARY KEY AUTOINCREMENT,
       ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
       op TEXT NOT NULL, tbl TEXT NOT NULL, ver INTEGER NOT NULL, old TEXT, new TEXT);"
core_config '[batch]' 'format = jsonl'
cdc triggers install
cdc load
start=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
changes
assert_eq text "$(sqlite3 "$SRC_DB" 'SELECT DISTINCT typeof(ts) FROM cdcpack_changelog')" "ts of the earlier changelog"
assert_eq 0 "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM cdcpack_changelog
	WHERE ts NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'")" \
	"changes in the earlier changelog whose ts is not ISO text"
check_times "an earlier cdcpack's changelog" "$start"
