#!/usr/bin/env bash
# [capture] changelog_secure_delete decides how the acknowledgement erases
# the changelog rows it deletes, rows that hold copies of the user's row
# images, the before-images of deleted rows too (docs/design.md §4 step 7):
# - on: the freed pages are overwritten, so once the run ends no byte of a
#   deleted row's image is left in the database file (nor its WAL);
# - fast: SQLite's FAST, which leaves whole freed pages as they were: the
#   images are still in the file (what proves the setting reached the ack);
# - unset: the SQLite library's own setting (Debian's: on).
# Each way the changelog ends empty and every change ships once.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

MARK=PRIVATE-ROW-IMAGE
# image_bytes: how many times the marker is in the source's files.
image_bytes() {
	local f
	for f in "$SRC_DB" "$SRC_DB-wal"; do
		[[ ! -e $f ]] || cat "$f"
	done | { LC_ALL=C grep -a -o "$MARK" || true; } | wc -l
}

# secret_run DIR [SETTING]: 20 rows of a ~3 KB BLOB holding the marker,
# inserted then deleted by the user (with secure_delete on: the table's own
# pages are erased, the changelog's copies are left to the ack), then a run.
secret_run() {
	core_use "$1"
	sqlite3 "$SRC_DB" "PRAGMA journal_mode = WAL; CREATE TABLE s(id INTEGER PRIMARY KEY, secret BLOB)" >/dev/null
	if [[ -n ${2:-} ]]; then core_config '[capture]' "changelog_secure_delete = $2"; else core_config; fi
	cdc triggers install
	sql "PRAGMA secure_delete = ON;
	     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
	     INSERT INTO s SELECT i, CAST(substr(replace(hex(zeroblob(170)), '00', '$MARK'), 1, 3000) AS BLOB) FROM n;
	     DELETE FROM s; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	(($(image_bytes) >= 40)) || fail "${2:-unset}: the changelog's images are not in the file before the run ($(image_bytes))"
	cdc run
	assert_eq 0 "$(sql "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'")" "${2:-unset}: changelog rows after the run"
	assert_eq "20 I, 20 D" "$(cdc_rows | awk -F, '{ n[$1]++ } END { printf "%d I, %d D", n["I"], n["D"] }')" \
		"${2:-unset}: changes shipped"
}

secret_run "$T/on" on
assert_eq 0 "$(image_bytes)" "on: marker bytes left in the database file after the ack"

secret_run "$T/fast" fast
left=$(image_bytes)
((left > 0)) || fail "fast: expected the freed pages to keep the images (SQLite's FAST), found none: the setting did not reach the ack"

secret_run "$T/unset"
if [[ $(sqlite3 :memory: 'PRAGMA secure_delete') == 1 ]]; then
	assert_eq 0 "$(image_bytes)" "unset, with a library built with SQLITE_SECURE_DELETE: marker bytes left"
fi
