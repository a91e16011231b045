#!/usr/bin/env bash
# An archive's entry names and manifest fields are a bucket writer's text:
# the messages that quote them spell them as name_shown does (a backslash
# as \\, so it cannot pass for an escape) and cut them after 80 bytes with
# "..." (docs/design.md §2 "Names in reports"), so a 5,000-byte name cannot
# flood the line. `show` and `apply` refuse each batch with exit 3, the
# replica unchanged.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

hostile_setup
mapfile -t honest < <(honest_entries)
long='t\'$(printf 'x%.0s' {1..5000})
# name_shown of it, cut after 80 bytes: t, \\, then 77 x's.
shown='t\\'$(printf 'x%.0s' {1..77})'...'
re=${shown//\\/\\\\}
re=${re//./\\.}

# short_lines: no line of the last stderr is longer than 400 bytes.
short_lines() {
	local n
	n=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$T/last.err")
	((n <= 400)) || fail "a message line of $n bytes: the name was not cut"
}

echo "case: an extra entry"
build_victim "${honest[@]}" "$long=$DATA"
expect_refused both "entry '$re' is not in the manifest"
short_lines

echo "case: the first entry"
build_victim "$long=manifest.json" "${honest[@]:1}"
expect_refused both "first entry is '$re', not manifest.json"
short_lines

echo "case: a manifest's unknown batch kind"
edit_manifest --arg k "$long" '.batch.kind = $k'
build_victim "${honest[@]}"
expect_refused both "unknown batch kind '$re'"
short_lines
finish
