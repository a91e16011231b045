#!/usr/bin/env bash
# A batch that brings a new table and is refused half way through apply
# (its change file holds fewer rows than the manifest says, or a malformed
# last row) leaves the replica exactly as it was: no rows, and no new empty
# table either ("each batch applied in one transaction", docs/design.md §6; a
# SQLite replica can roll back CREATE TABLE with the rows).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

hostile_setup --new-table
mapfile -t honest < <(honest_entries)
jq -e '[.tables[].name] | index("u")' "$T/parts/manifest.json" >/dev/null ||
	fail "batch 3 does not bring table u"

echo "case: rows that lie, in a batch that creates table u"
edit_manifest '(.tables[] | select(.name == "t")) |= (.rows += 1 | .ops.I += 1)'
build_victim "${honest[@]}"
expect_refused apply "holds 3 rows, the manifest says 4"

nothing_left
finish
