#!/usr/bin/env bash
# A bucket writer puts a NUL byte inside a plain REAL cell of a change file
# ("5\0.5" for 5.5) and reseals the archive (the file's size and XXH3-128,
# the manifest's own checksum). By the CSV spellings (docs/design.md §5) a
# plain field that reads as no number is text, so apply must store the
# text as written, NUL included; it stored 5.0, the number before the NUL
# (strtod stopped there: tests/torture/FINDINGS.md F31, found by
# tests/torture/torture_hostile.py's nul_byte mutation).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

hostile_setup
grep -qxF "I,5,five,5.5,X'0505'" "$T/parts/$DATA" || {
	cat "$T/parts/$DATA" >&2
	fail "batch 3 has no row I,5,five,5.5,X'0505'"
}
"$PY" - "$T/parts/$DATA" <<'PY'
import sys
path = sys.argv[1]
data = open(path, "rb").read().replace(b"I,5,five,5.5,", b"I,5,five,5\x00.5,", 1)
open(path, "wb").write(data)
PY
size=$(stat -c %s "$T/parts/$DATA")
sum=$(xxhsum -H2 - <"$T/parts/$DATA" | cut -d' ' -f1)
edit_manifest --argjson n "$size" --arg x "$sum" \
	'(.tables[] | select(.name == "t")) |= (.bytes = $n | .xxh128 = $x)'
mapfile -t honest < <(honest_entries)
build_victim "${honest[@]}"

cdc show "$VICTIM"
cdc apply --to "sqlite:$REPLICA"
assert_eq "text 35002E35" \
	"$(sqlite3 "$REPLICA" "SELECT typeof(price) || ' ' || hex(price) FROM t WHERE id = 5")" \
	"price of row 5 as the archive spells it"
assert_eq "4" "$(sqlite3 "$REPLICA" 'SELECT max(seq) FROM cdcpack_applied')" "replica batch"
nothing_left
