#!/usr/bin/env bash
# A batch whose entries do not match its manifest: manifest.json missing,
# not first, twice, or larger than 16 MiB; a listed file missing, twice, or
# under another name; an extra file; a tar header declaring a huge size (or
# a size the manifest does not give); a manifest lying about a file's size.
# `show` and `apply` refuse each with exit 3 naming the archive and the
# fault; the replica is unchanged; no temp dir is left behind.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

hostile_setup
mapfile -t honest < <(honest_entries)
m=${honest[0]} d=${honest[1]}
size=$(stat -c %s "$T/parts/$DATA")

echo "case: manifest.json missing, not first, twice"
build_victim "$d"
expect_refused both "first entry is '$DATA', not manifest.json"
build_victim "$d" "$m"
expect_refused both "first entry is '$DATA', not manifest.json"
build_victim "$m" "$m" "$d"
expect_refused both "entry 'manifest.json' is not in the manifest"
build_victim "$m" "$d" "$m"
expect_refused both "entry 'manifest.json' is not in the manifest"

echo "case: the listed file missing, twice, renamed, or with an extra file"
build_victim "$m"
expect_refused both "$DATA is in the manifest but not in the archive"
build_victim "$m" "$d" "$d"
expect_refused both "entry '$DATA' appears twice"
build_victim "$m" "t/other.csv=$DATA"
expect_refused both "entry 't/other.csv' is not in the manifest"
build_victim "$m" "$d" "t/extra.csv=$DATA"
expect_refused both "entry 't/extra.csv' is not in the manifest"
build_victim "$m" "t/extra.csv=$DATA" "$d"
expect_refused both "entry 't/extra.csv' is not in the manifest"

echo "case: sizes that lie"
# The tar header declares a petabyte and the data stops after the real bytes.
build_victim "$m" "size:$DATA=$DATA:1125899906842624"
expect_refused both "entry '$DATA' declares 1125899906842624 bytes, the manifest $size"
# Both declare a petabyte: the archive ends long before.
edit_manifest '(.tables[] | select(.name == "t") | .bytes) = 1125899906842624'
build_victim "$m" "size:$DATA=$DATA:1125899906842624"
expect_refused both "Truncated tar archive|truncated"
# The manifest says one byte more or less than the archive holds.
for delta in 1 -1; do
	edit_manifest --argjson d "$delta" '(.tables[] | select(.name == "t") | .bytes) += $d'
	build_victim "$m" "$d"
	expect_refused both "entry '$DATA' declares $size bytes, the manifest $((size + delta))"
done
# Header and manifest agree on one byte more than the data holds: that
# byte is the tar's padding, and the checksum gives it away.
edit_manifest '(.tables[] | select(.name == "t") | .bytes) += 1'
build_victim "$m" "size:$DATA=$DATA:$((size + 1))"
expect_refused both "$DATA: checksum mismatch"
# A manifest.json declared larger than 16 MiB.
edit_manifest '.'
build_victim "size:manifest.json=manifest.json:$((16 * 1024 * 1024 + 1))"
expect_refused both "manifest.json is not a file of at most 16 MiB"

nothing_left
finish
