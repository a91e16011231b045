#!/usr/bin/env bash
# Published batches that do not chain: batch 3 missing (a gap before batch
# 4), a batch of another source at our key, a `previous` naming the wrong
# batch or null, a manifest whose seq is not the key's, and a batch that
# appears twice under two keys: each archive is sound, so `show` takes it,
# and `apply` refuses with exit 3 naming the key and the fault, applies
# nothing after it, and the replica is unchanged. A batch id that is not
# its source and seq is refused by both.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

hostile_setup
mapfile -t honest < <(honest_entries)
key=${VICTIM#"$BUCKET/"}

# chain_case FAULT_ERE JQ: batch 3's manifest edited by JQ; show accepts it.
chain_case() {
	echo "case: $2"
	edit_manifest "$2"
	build_victim "${honest[@]}"
	cdc show "$VICTIM"
	expect_refused apply "$1"
}

chain_case "$key: batch of source 'other', not 'src'" \
	'.source.name = "other" | .batch.id = "other-00000003"'
chain_case "$key: chain broken: previous is src-00000009, expected src-00000002" \
	'.batch.previous = "src-00000009"'
chain_case "$key: chain broken: previous is null, expected src-00000002" '.batch.previous = null'
chain_case "$key: chain broken: previous is src-00000003, expected src-00000002" \
	'.batch.previous = "src-00000003"'
chain_case "$key: manifest says batch 4, the key says 3" '.batch.seq = 4 | .batch.id = "src-00000004"'

echo "case: an id that is not the source and seq (it would chain the next batch wrong)"
edit_manifest '.batch.id = "src-00000007"'
build_victim "${honest[@]}"
expect_refused both "batch id 'src-00000007' is not 'src-00000003'"
edit_manifest '.source.name = "other"'
build_victim "${honest[@]}"
expect_refused both "batch id 'src-00000003' is not 'other-00000003'"

echo "case: a real batch of another source, published under our key"
restore
mkdir -p "$T/other"
(
	core_use "$T/other"
	sqlite3 "$SRC_DB" "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, price REAL, data BLOB);"
	core_config
	sed -i 's/^name = src$/name = other/' "$CDCPACK_CONFIG"
	cdc triggers install
	for i in 1 2 3; do
		sql "INSERT INTO t VALUES ($((100 + i)), 'other', 0.5, NULL);"
		cdc run
	done
	cp "$(find "$BUCKET" -name 'other-00000003-*' -type f)" "$VICTIM"
)
expect_refused apply "$key: batch of source 'other', not 'src'"

echo "case: a gap: batch 3 is missing, batch 4 is there"
restore
mv "$VICTIM" "$T/batch3"
REFUSED_KEY=${NEXT#"$BUCKET/"} expect_refused apply \
	"chain gap: batch 3 of src is missing at the target"
mv "$T/batch3" "$VICTIM"

echo "case: batch 3 twice, under two keys"
twin=$BUCKET/cdc/src/2020/01/01/src-00000003-20200101T000000Z.tar.zst
mkdir -p "$(dirname "$twin")"
cp "$VICTIM" "$twin"
expect_refused apply "two published objects claim batch 3"
rm "$twin"

nothing_left
finish
