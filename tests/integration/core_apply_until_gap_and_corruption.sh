#!/usr/bin/env bash
# apply: --until TIME stops at a point in time (the replica equals the
# source as it was then); a second apply is a no-op; a chain gap (an archive
# missing from the bucket) exits 3 naming the gap and leaves the replica
# unchanged; a corrupted archive (flipped bytes, or a file that no longer
# matches its checksum) makes `show` and `apply` exit 3 naming it, and the
# replica is unchanged.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
sql "UPDATE Persons SET City = 'Two' WHERE PersonID = 2"
cdc run
sqlite3 "$SRC_DB" ".backup '$T/as-of-2.db'"
sql "UPDATE Persons SET City = 'Three' WHERE PersonID = 3; DELETE FROM Persons WHERE PersonID = 4"
cdc run
mapfile -t archives < <(published)
assert_eq 3 "${#archives[@]}" "published batches"
until=$(manifest "${archives[1]}" | jq -r .batch.created)

replica=$T/replica.db
cdc --json apply --to "sqlite:$replica" --until "$until"
assert_eq '["src-00000001","src-00000002"]' "$(jq -c .applied "$T/last.out")" "batches applied --until batch 2's time"
SRC_DB=$T/as-of-2.db check_replica_equals_source "$replica"
cdc --json apply --to "sqlite:$replica" --until "$until"
assert_eq 0 "$(jq .batches "$T/last.out")" "batches applied by a second apply --until"
cdc --json apply --to "sqlite:$replica"
assert_eq '["src-00000003"]' "$(jq -c .applied "$T/last.out")" "batches applied after --until"
check_replica_equals_source "$replica"
dump() { sqlite3 "$replica" .dump; }
before=$(dump)
cdc --json apply --to "sqlite:$replica"
assert_eq 0 "$(jq .batches "$T/last.out")" "batches applied by a second apply"
assert_eq "$before" "$(dump)" "replica after a second apply"

# A gap: batch 4 missing at the target, batch 5 there.
sql "UPDATE Persons SET City = 'Four' WHERE PersonID = 5"
cdc run
sql "UPDATE Persons SET City = 'Five' WHERE PersonID = 6"
cdc run
mapfile -t archives < <(published)
mv "${archives[3]}" "$T/batch4"
cdc_status 3 apply --to "sqlite:$replica"
assert_contains "$T/last.err" "gap"
assert_contains "$T/last.err" "batch 4"
assert_eq "$before" "$(dump)" "replica after an apply refused for a gap"
mv "$T/batch4" "${archives[3]}"

# Flipped bytes in the middle of batch 4's archive.
cp "${archives[3]}" "$T/batch4.good"
size=$(stat -c %s "${archives[3]}")
printf '\xde\xad\xbe\xef' | dd of="${archives[3]}" bs=1 seek=$((size / 2)) conv=notrunc status=none
cdc_status 3 show "${archives[3]}"
assert_contains "$T/last.err" "${archives[3]##*/}"
cdc_status 3 apply --to "sqlite:$replica"
assert_contains "$T/last.err" "${archives[3]##*/}"
assert_eq "$before" "$(dump)" "replica after an apply refused for a corrupt archive"

# A well-formed archive whose cdc file no longer matches the manifest's xxh128.
mkdir "$T/re" && tar -xf "$T/batch4.good" -C "$T/re"
f=$(jq -r '.tables[0].file' "$T/re/manifest.json")
sed -i 's/Four/Fout/' "$T/re/$f"
(cd "$T/re" && tar --zstd -cf "${archives[3]}" manifest.json "$f")
cdc_status 3 show "${archives[3]}"
assert_contains "$T/last.err" "${f##*/}"
cdc_status 3 apply --to "sqlite:$replica"
assert_contains "$T/last.err" "${archives[3]##*/}"
assert_eq "$before" "$(dump)" "replica after an apply refused for a checksum mismatch"

cp "$T/batch4.good" "${archives[3]}"
cdc show "${archives[3]}"
apply_and_compare "$replica"
