#!/usr/bin/env bash
# A batch whose entries try to reach outside the extraction directory or
# stand for something other than a file: names with "..", absolute paths,
# symlinks and hardlinks (also in place of a listed change file, and
# pointing at a file of ours), directories, a manifest that lists such
# names. `show` and `apply` refuse each with exit 3 naming the archive and
# the fault, the replica is unchanged, nothing appears at the target of a
# ".." or absolute name, no link is created, no temp dir is left behind,
# and the file a link points at is untouched.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

hostile_setup
mapfile -t honest < <(honest_entries)
manifest_entry=${honest[0]}
cp "$T/parts/$DATA" "$T/parts/escape.csv"
echo "precious" >"$T/precious"

echo "case: extra entries with unsafe names"
# From $TMPDIR/cdcpack-*/files/ (apply) or $TMPDIR/cdcpack-*/ (show),
# these climb to $T/tmp/... or $T, where nothing_left looks for them.
for name in ../escape.csv ../../escape.csv ../../../../../escape.csv \
	"t/../../escape.csv" "./../escape.csv" "$T/escape-abs.csv" "/escape-root-$$.csv"; do
	echo "case: extra entry $name"
	build_victim "${honest[@]}" "$name=escape.csv"
	expect_refused both "entry '$name' is not in the manifest"
done
[[ ! -e /escape-root-$$.csv ]] || fail "/escape-root-$$.csv was written"

echo "case: the manifest lists unsafe names, the archive holds them"
for name in ../escape.csv "t/../../escape.csv" "$T/escape-abs.csv" "t/./x.csv" "t//x.csv" "t\\x.csv"; do
	echo "case: listed $name"
	edit_manifest --arg f "$name" '(.tables[] | select(.name == "t") | .file) = $f'
	build_victim "$manifest_entry" "$name=$DATA"
	expect_refused both "unsafe file name"
done
edit_manifest '.'

echo "case: links and directories in place of the change file"
build_victim "$manifest_entry" "symlink:$DATA=$T/precious"
expect_refused both "entry '$DATA' is not a regular file"
build_victim "$manifest_entry" "hardlink:$DATA=$T/precious"
expect_refused both "entry '$DATA' is not a regular file"
build_victim "$manifest_entry" "symlink:$DATA=../../../../precious"
expect_refused both "entry '$DATA' is not a regular file"
build_victim "$manifest_entry" "dir:$DATA"
expect_refused both "entry '$DATA/' is not in the manifest"

echo "case: a link next to the change file, then a file written through it"
build_victim "${honest[@]}" "symlink:t/link=$T/precious" "t/link=escape.csv"
expect_refused both "entry 't/link' is not in the manifest"
build_victim "symlink:t=$T/tmp" "${honest[@]}"
expect_refused both "first entry is 't', not manifest.json"
build_victim "$manifest_entry" "dir:t" "${honest[@]:1}"
expect_refused both "entry 't/' is not in the manifest"

echo "case: a manifest.json that is a link"
build_victim "symlink:manifest.json=$T/precious" "${honest[@]:1}"
expect_refused both "manifest.json is not a file"

assert_eq precious "$(cat "$T/precious")" "the file links pointed at"
nothing_left
finish
