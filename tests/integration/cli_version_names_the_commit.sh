#!/usr/bin/env bash
# `cdcpack --version` names the release and the commit the build was made
# from, so that builds (and what they wrote: state.db's meta 'cdcpack') can
# be told apart. ci/commit-header.sh, which the makefile runs at each build,
# takes it from git in a checkout (with -dirty when tracked files changed),
# from the file COMMIT in a tree without git (a tarball), else "unknown",
# and rewrites build/gen/commit.h only when that text changes, so only
# src/base/version.c is rebuilt, and only then.
source "$(dirname "$0")/../lib/common.sh"

for opt in --version -V; do
	v=$("$CDCPACK" "$opt")
	[[ $v =~ ^cdcpack\ 0\.1\.0\ \(commit\ ([0-9a-f]{12}(-dirty)?|unknown)\)$ ]] ||
		fail "cdcpack $opt: '$v'"
done
commit=${v#*commit }
commit=${commit%)}
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$ROOT" cat-file -e "${commit%-dirty}^{commit}" ||
		fail "--version names $commit, not a commit of $ROOT"
fi
# The man page's header keeps the release alone: its bytes are committed.
assert_contains <("$CDCPACK" --man | head -n 1) '"cdcpack 0.1.0"'

# The header in a tree without git: the file COMMIT, then "unknown".
mkdir -p "$T/tree" && cd "$T/tree" || exit 1
h=$T/tree/gen/commit.h
header() { GIT_CEILING_DIRECTORIES=$T sh "$ROOT/ci/commit-header.sh" "$h"; }
header
assert_eq '#define CDCPACK_COMMIT "unknown"' "$(tail -n 1 "$h")" "no git, no COMMIT"
printf 'v0.1.0-7-gabcdef012345 "; system(1)\nmore\n' >COMMIT
header
assert_eq '#define CDCPACK_COMMIT "v0.1.0-7-gabcdef012345system1"' "$(tail -n 1 "$h")" \
	"from COMMIT, first line, only what a commit name is made of"
touch -d '2020-01-01' "$h"
header
assert_eq 2020-01-01 "$(date -r "$h" +%F)" "commit.h rewritten with the same text"

# A git checkout: its commit, then -dirty once a tracked file changes.
git init -q . && git add COMMIT &&
	git -c user.name=t -c user.email=t@t commit -qm one
want=$(git rev-parse --short=12 HEAD)
header
assert_eq "#define CDCPACK_COMMIT \"$want\"" "$(tail -n 1 "$h")" "a clean checkout"
echo changed >COMMIT
header
assert_eq "#define CDCPACK_COMMIT \"$want-dirty\"" "$(tail -n 1 "$h")" "a changed checkout"
