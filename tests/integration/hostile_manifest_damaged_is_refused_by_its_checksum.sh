#!/usr/bin/env bash
# manifest.json carries its own checksum, "manifest_xxh128": the XXH3-128
# of its bytes with those 32 digits read as zeros (checked here apart from
# cdcpack, with sed and xxhsum). A manifest changed in a field nothing else
# checks (the batch's time), or with a wrong checksum, is refused by `show`
# and `apply` (exit 3, naming the archive); one without the field, as
# archives written before it existed, still reads.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

hostile_setup
mapfile -t honest < <(honest_entries)

echo "case: every published manifest's checksum, computed apart"
while IFS= read -r a; do
	tar --zstd -xOf "$a" manifest.json >"$T/m.json"
	want=$(jq -r .manifest_xxh128 "$T/m.json")
	[[ $want =~ ^[0-9a-f]{32}$ ]] || fail "$a: manifest_xxh128 is [$want]"
	seal_manifest "$T/m.json"
	assert_eq "$want" "$(jq -r .manifest_xxh128 "$T/m.json")" "$a: manifest_xxh128 vs sed + xxhsum -H2"
done < <(published)
cdc show "$PRISTINE"
assert_contains "$T/last.out" "manifest xxh128=$(tar --zstd -xOf "$PRISTINE" manifest.json | jq -r .manifest_xxh128) ok"

echo "case: a field nothing else checks, changed without resealing"
# another hour than the batch's (23 is the batch's own between 23:00 and 24:00)
hour=$(tar --zstd -xOf "$PRISTINE" manifest.json | jq -r .batch.created | cut -c12-13)
other=$([[ $hour == 23 ]] && echo 22 || echo 23)
tar --zstd -xOf "$PRISTINE" manifest.json |
	sed -E "s/(\"created\": \"[0-9]{4}-[0-9]{2}-[0-9]{2}T)[0-9]{2}/\\1$other/" >"$T/parts/manifest.json"
cmp -s "$T/parts/manifest.json" <(tar --zstd -xOf "$PRISTINE" manifest.json) && fail "the edit changed nothing"
build_victim "${honest[@]}"
expect_refused both "manifest.json is damaged: its bytes hash to xxh128 [0-9a-f]{32}, its manifest_xxh128 says [0-9a-f]{32}"

echo "case: the checksum itself damaged"
sum=$(tar --zstd -xOf "$PRISTINE" manifest.json | jq -r .manifest_xxh128)
flipped=$([[ ${sum:0:1} == f ]] && echo e || echo f)${sum:1}
tar --zstd -xOf "$PRISTINE" manifest.json | sed "s/$sum/$flipped/" >"$T/parts/manifest.json"
assert_eq "$flipped" "$(jq -r .manifest_xxh128 "$T/parts/manifest.json")" "the damaged checksum"
build_victim "${honest[@]}"
expect_refused both "manifest.json is damaged"

echo "case: the key twice"
tar --zstd -xOf "$PRISTINE" manifest.json |
	jq --arg s "$sum" '.batch.manifest_xxh128 = $s' >"$T/parts/manifest.json"
build_victim "${honest[@]}"
expect_refused both '"manifest_xxh128" appears 2 times in its text, expected once'

echo "case: not 32 hex digits"
edit_manifest '.manifest_xxh128 = "XYZ"'
build_victim "${honest[@]}"
expect_refused both '"manifest_xxh128" is not 32 hex digits'

echo "case: an archive from before the checksum existed still reads"
edit_manifest 'del(.manifest_xxh128)'
build_victim "${honest[@]}"
cdc show "$VICTIM"
assert_contains "$T/last.out" "manifest has no checksum of its own"
cdc apply --to "sqlite:$REPLICA"
assert_eq 4 "$(sqlite3 "$REPLICA" 'SELECT max(seq) FROM cdcpack_applied')" "replica batch after applying the older archive"
finish
