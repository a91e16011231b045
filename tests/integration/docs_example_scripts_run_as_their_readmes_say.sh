#!/usr/bin/env bash
# The examples run as their READMEs say: every script under examples/ (a
# file starting with #!) is executable, and every ./SCRIPT a README shows
# names an executable file beside it (examples/persons-mysql/README.md says
# ./run.sh; a run.sh without its x bit answers "Permission denied").
source "$(dirname "$0")/../lib/common.sh"

scripts=0
while IFS= read -r -d '' f; do
	[[ $(head -c 2 "$f") == '#!' ]] || continue
	scripts=$((scripts + 1))
	[[ -x $f ]] || fail "${f#"$ROOT"/} starts with #! but is not executable (chmod 755 it)"
done < <(find "$ROOT/examples" -type f -print0)
((scripts >= 3)) || fail "found $scripts example scripts, expected the demo's, cron's and persons-mysql's"

shown=0
for readme in "$ROOT"/examples/*/README.md "$ROOT/README"; do
	dir=$(dirname "$readme")
	while read -r script; do
		shown=$((shown + 1))
		[[ -x $dir/$script ]] || fail "${readme#"$ROOT"/} runs ./$script, which is not an executable file in ${dir#"$ROOT"/}"
	done < <(grep -oE '(^|[ ;&|(])\./[A-Za-z0-9_.-]+\.sh\b' "$readme" | sed -E 's|^.*\./||')
done
((shown >= 1)) || fail "no README runs a ./SCRIPT (examples/persons-mysql/README.md did)"
