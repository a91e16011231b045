#!/usr/bin/env bash
# A bucket writer edits a JSONL change file's row image (format = jsonl)
# and reseals the archive (size, XXH3-128, the manifest's own checksum):
# a column the manifest lists is left out of the image, or one it does not
# list is added. The writer puts every listed column in an image and only
# those, as a CSV row holds one field per column; apply took a missing
# column as NULL and ignored an unknown one (tests/torture/FINDINGS.md
# F32, found by tests/torture/torture_hostile.py's jsonl_bad mutation).
# Now `show` checks nothing of the rows, and apply refuses the batch, exit
# 3, naming the archive, the line and the column; the replica unchanged.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

export TMPDIR=$T/tmp/a/b/c
mkdir -p "$TMPDIR"
sqlite3 "$SRC_DB" "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, price REAL);
	INSERT INTO t VALUES (1, 'one', 1.5), (2, 'two', NULL);"
core_config "[batch]" "format = jsonl"
cdc triggers install
cdc load
sql "UPDATE t SET name = 'uno' WHERE id = 1;"
cdc run
REPLICA=$T/replica.db
cdc apply --to "sqlite:$REPLICA"
sql "INSERT INTO t VALUES (5, 'five', 5.5);"
cdc run
mapfile -t _published < <(published)
assert_eq 3 "${#_published[@]}" "published batches"
VICTIM=${_published[2]}
PRISTINE=$T/pristine.tar.zst
cp "$VICTIM" "$PRISTINE"
replica_dump >"$T/replica.before"
mkdir -p "$T/parts"
tar --zstd -xf "$PRISTINE" -C "$T/parts"
DATA=$(jq -r '.tables[] | select(.name == "t") | .file' "$T/parts/manifest.json")
cp "$T/parts/$DATA" "$T/data.pristine"

# forge JQ_FILTER [MANIFEST_JQ]: batch 3's one change passed through jq
# (and its table's manifest entry through MANIFEST_JQ), resealed as a
# writer would.
forge() {
	jq -c "$1" "$T/data.pristine" >"$T/parts/$DATA"
	local size sum
	size=$(stat -c %s "$T/parts/$DATA")
	sum=$(xxhsum -H2 - <"$T/parts/$DATA" | cut -d' ' -f1)
	edit_manifest --argjson n "$size" --arg x "$sum" \
		"(.tables[] | select(.name == \"t\")) |= (.bytes = \$n | .xxh128 = \$x | ${2:-.})"
	mapfile -t honest < <(honest_entries)
	build_victim "${honest[@]}"
}

echo "case: a listed column left out of the image"
forge 'del(.after.price)'
cdc show "$VICTIM"
expect_refused apply "check $DATA: .*:1: image lacks column price"
echo "case: a column the manifest does not list"
forge '.after.extra = 1'
expect_refused apply "check $DATA: .*:1: image has 4 columns, the manifest 3"
echo "case: a column's name in another case"
forge '.after.PRICE = .after.price | del(.after.price)'
expect_refused apply "check $DATA: .*:1: image lacks column price"

echo "case: per-op counts that add up but lie (F34: a JSONL row says its op)"
forge '.' '.ops.I -= 1 | .ops.U += 1'
expect_refused apply "check $DATA: table t holds 1 I rows, the manifest says 0"
forge '.' '.op_column = false | .ops.I -= 1 | .ops.U += 1'
expect_refused apply "check $DATA: table t holds 1 I rows, the manifest says 0"

echo "case: every column, in another order, is the same change"
forge '.after = {price: .after.price, name: .after.name, id: .after.id}'
cdc apply --to "sqlite:$REPLICA"
assert_eq "5|five|5.5" "$(sqlite3 "$REPLICA" 'SELECT * FROM t WHERE id = 5')" "row 5"
nothing_left
