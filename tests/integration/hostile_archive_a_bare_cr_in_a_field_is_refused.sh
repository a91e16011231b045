#!/usr/bin/env bash
# A bucket writer puts a bare CR inside a plain CSV field ("fi\rve" for
# "five") and reseals the archive (the file's size and XXH3-128, the
# manifest's own checksum). RFC 4180 allows a CR only inside quotes, and
# cdcpack's writer quotes every CR; apply dropped it and stored "five"
# (tests/torture/FINDINGS.md F33, found by tests/torture/torture_hostile.py's
# bare_newline mutation). Now apply refuses the batch, exit 3, naming the
# archive, the file and the fault, the replica unchanged; a CR LF record
# end still reads as LF.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

hostile_setup
cp "$T/parts/$DATA" "$T/data.pristine"

# forge FROM TO: batch 3's change file for t with bytes FROM made TO
# (python escapes), resealed as a writer would.
forge() {
	"$PY" - "$T/data.pristine" "$T/parts/$DATA" "$1" "$2" <<'PY'
import sys
src, dst, old, new = sys.argv[1:]
dec = lambda s: s.encode().decode("unicode_escape").encode("latin-1")
data = open(src, "rb").read()
assert dec(old) in data, (old, data)
open(dst, "wb").write(data.replace(dec(old), dec(new)))
PY
	local size sum
	size=$(stat -c %s "$T/parts/$DATA")
	sum=$(xxhsum -H2 - <"$T/parts/$DATA" | cut -d' ' -f1)
	edit_manifest --argjson n "$size" --arg x "$sum" \
		'(.tables[] | select(.name == "t")) |= (.bytes = $n | .xxh128 = $x)'
	mapfile -t honest < <(honest_entries)
	build_victim "${honest[@]}"
}

echo "case: a CR inside a plain field"
forge 'I,5,five,' 'I,5,fi\rve,'
expect_refused apply "check $DATA: .*:3: a CR outside quotes"
echo "case: a CR after a closing quote"
forge '""",9.75,' '"""\r,9.75,'
expect_refused apply "check $DATA: .*:1: a CR outside quotes"

echo "case: CR LF record ends read as LF"
forge '\n' '\r\n'
cdc apply --to "sqlite:$REPLICA"
assert_eq "5|five|5.5|0505" "$(sqlite3 "$REPLICA" 'SELECT id, name, price, hex(data) FROM t WHERE id = 5')" "row 5"
nothing_left
