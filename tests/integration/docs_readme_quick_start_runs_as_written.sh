#!/usr/bin/env bash
# README's Quick start, copied as a new user copies it (every indented line
# of the section, in a fresh directory, cdcpack on the PATH), runs as
# written: each command exits 0 and the replica ends equal to the source.
# Before, its first step (init) failed, exit 3: no shop.db to capture.
source "$(dirname "$0")/../lib/common.sh"

# the section's first block of indented lines
awk '/^Quick start$/ { on = 1; next } on && seen && /^[^ ]/ { exit }
	on && /^    / { print substr($0, 5); seen = 1 }' "$ROOT/README" >"$T/quick.sh"
grep -q '^cdcpack init' "$T/quick.sh" || fail "no Quick start commands found in README: $(cat "$T/quick.sh")"
mkdir "$T/new" && cd "$T/new" || fail "cd"
mkdir "$T/bin" && ln -s "$CDCPACK" "$T/bin/cdcpack"
unset CDCPACK_CONFIG
got=0
PATH="$T/bin:$PATH" bash -e -x "$T/quick.sh" >"$T/quick.out" 2>"$T/quick.err" || got=$?
if ((got != 0)); then
	cat "$T/quick.out" "$T/quick.err" >&2
	fail "README's Quick start stopped (exit $got)"
fi
assert_contains "$T/quick.out" "replica matches the source"
