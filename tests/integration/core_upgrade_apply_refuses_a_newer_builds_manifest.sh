#!/usr/bin/env bash
# A manifest written by a newer build than this one (format cdcpack/N with
# N above the one this build writes, or a CSV file's "csv_spellings" above
# the spellings it reads) could be read wrong: `show` and `apply` refuse it
# with exit 2, naming the number, this build and the build to use, and the
# replica is unchanged. The archive as published then applies.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

hostile_setup
mapfile -t honest < <(honest_entries)
t='(.tables[] | select(.name == "t"))'
assert_eq cdcpack/1 "$(jq -r .format "$T/parts/manifest.json")" "the format this build writes"
assert_eq 2 "$(jq -r "$t.csv_spellings" "$T/parts/manifest.json")" "the CSV spellings this build writes"

version=$("$CDCPACK" --version)
version=${version#cdcpack }
REFUSED_STATUS=2

edit_manifest '.format = "cdcpack/2"'
build_victim "${honest[@]}"
expect_refused both "manifest format cdcpack/2 is newer than this cdcpack \\($(sed 's/[().]/\\&/g' <<<"$version")\\) reads \\(cdcpack/1\\): apply it with the build that wrote it or a newer one"

# Refused before its checksum is read: a newer format may seal it otherwise.
tar --zstd -xOf "$PRISTINE" manifest.json | jq '.format = "cdcpack/17" | .manifest_xxh128 = "x"' \
	>"$T/parts/manifest.json"
build_victim "${honest[@]}"
expect_refused both "manifest format cdcpack/17 is newer"

edit_manifest "$t.csv_spellings = 3"
build_victim "${honest[@]}"
expect_refused both "table t: csv_spellings 3, newer than this cdcpack .* reads \\(2\\): apply it with the build that wrote it"

finish
