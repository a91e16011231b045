#!/usr/bin/env bash
# --help for the program and every command, --version, the man page built
# from the same text, typo suggestions, and the usage exit code.
source "$(dirname "$0")/../lib/common.sh"

assert_status 0 "$CDCPACK" --help
for cmd in init triggers load run status ls show apply verify; do
	assert_contains last.out "  $cmd "
done
for cmd in $(awk '/^Commands:/ {on=1; next} on && /^  [a-z]/ {print $1} /^$/ {on=0}' last.out); do
	assert_status 0 "$CDCPACK" "$cmd" --help
	assert_contains last.out "usage: cdcpack [GLOBAL OPTIONS] $cmd"
	assert_contains last.out "Example"
	# the man page carries the same text
	"$CDCPACK" --man >man.roff
	grep -q "^\.SS \"$cmd" man.roff || fail "man page lacks a section for $cmd"
done
assert_status 0 "$CDCPACK" --version
grep -qE '^cdcpack [0-9]+\.[0-9]+\.[0-9]+ \(commit [^)]+\)$' last.out || fail "version line: $(cat last.out)" # cli_version_names_the_commit

# docs/cdcpack.1 is what the binary generates (make man); they must not drift.
"$CDCPACK" --man >now.1
diff -u "$ROOT/docs/cdcpack.1" now.1 >man.diff || fail "docs/cdcpack.1 is stale; run make man: $(head -20 man.diff)"

assert_status 2 "$CDCPACK" statsu
assert_contains last.err "did you mean 'status'?"
assert_status 2 "$CDCPACK" --frobnicate
assert_contains last.err "--frobnicate: unknown option"
assert_status 2 "$CDCPACK"
assert_contains last.err "no command given"
assert_status 2 "$CDCPACK" -c
assert_contains last.err "needs a FILE"
# a command run without a config file says which file it looked for
assert_status 2 "$CDCPACK" run
assert_contains last.err "cdcpack.conf: cannot open config file"
CDCPACK_CONFIG=$T/elsewhere.conf assert_status 2 "$CDCPACK" status
assert_contains last.err "elsewhere.conf"
