#!/usr/bin/env bash
# A gzip lake object made by another build (issue 13 follow-up): igzip's
# bytes are the same only for the same build on the same CPU type, so a
# batch whose lake step was killed after its first object and is finished
# by another build (an upgrade, zlib's build before igzip's, another CPU)
# meets an object of other bytes at a key it wrote itself. The rerun
# gunzips it and compares what it holds with the manifest's file: the same
# file counts as published (not uploaded again) and the run finishes; an
# object that holds other content (one byte) still stops the run with exit
# 3 naming the key, and is left as it was. `gzip -1 -n` of the same bytes
# stands in for the other build.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

tables=(t1 t2 t3)
for t in "${tables[@]}"; do
	sql "CREATE TABLE $t (id INTEGER PRIMARY KEY, v TEXT);
	  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
	  INSERT INTO $t SELECT i, printf('row %d of $t, %s', i, hex(randomblob(8))) FROM n;"
done
core_config '[lake]' 'prefix = dms/' 'compression = gzip'
cdc triggers install
cdc load

# regzip KEY: the object at KEY replaced by gzip's own (-1, no name) of
# the bytes given on stdin; its bytes must differ from what was there.
regzip() {
	local obj=$1 before
	before=$(xxhsum -H2 <"$obj" | cut -d' ' -f1)
	gzip -1 -n >"$T/regz" && mv "$T/regz" "$obj"
	[[ $(xxhsum -H2 <"$obj" | cut -d' ' -f1) != "$before" ]] || fail "$obj: gzip -1 -n made igzip's very bytes"
}

# Case 1: the same file, other gzip bytes.
for t in "${tables[@]}"; do
	sql "UPDATE $t SET v = v || ' changed' WHERE id % 3 = 0; DELETE FROM $t WHERE id % 50 = 1;"
done
crashed mid-lake -v run
mapfile -t out < <(find "$BUCKET/dms" -name '2*.csv.gz')
assert_eq 1 "${#out[@]}" "change objects out after the kill mid-lake"
first=${out[0]}
zcat "$first" >"$T/first.csv"
regzip "$first" <"$T/first.csv"
cp "$first" "$T/first.gz"
cdc -v run
assert_contains "$T/last.err" "lake object key=${first#"$BUCKET/"} holds"
assert_contains "$T/last.err" "gzipped by another build: published already"
assert_contains "$T/last.err" "new=2 "
cmp -s "$first" "$T/first.gz" || fail "$first was uploaded again"

# Every lake object holds its archive file, each file once: each change
# once in the lake.
mkdir "$T/u"
for a in $(published); do tar -xf "$a" -C "$T/u"; done
n=0
for f in "$T"/u/t*/*.csv; do
	t=$(basename "$(dirname "$f")")
	obj=$(find "$BUCKET/dms/src/$t" -name "$(basename "$f").gz")
	[[ -n $obj ]] || fail "$t/$(basename "$f"): no lake object"
	zcat "$obj" | cmp -s - "$f" || fail "$obj is not the archive's $t/$(basename "$f")"
	n=$((n + 1))
done
assert_eq 6 "$n" "archive files (a load and a change file per table)"
assert_eq 6 "$(find "$BUCKET/dms" -type f | wc -l)" "lake objects"

# Case 2: other content (one byte) in another gzip: exit 3 naming the key,
# the object untouched.
for t in "${tables[@]}"; do
	sql "UPDATE $t SET v = v || ' again' WHERE id % 5 = 0;"
done
find "$BUCKET/dms" -type f | sort >"$T/before"
crashed mid-lake -v run
mapfile -t out < <(find "$BUCKET/dms" -type f | sort | comm -13 "$T/before" -)
assert_eq 1 "${#out[@]}" "change objects out after the second kill mid-lake"
second=${out[0]}
zcat "$second" | sed '1s/^./X/' | regzip "$second"
cp "$second" "$T/second.gz"
cdc_status 3 -v run
assert_contains "$T/last.err" "${second#"$BUCKET/"} holds"
assert_contains "$T/last.err" "a published key never changes content"
assert_not_contains "$T/last.err" "gzipped by another build"
cmp -s "$second" "$T/second.gz" || fail "$second was overwritten"
