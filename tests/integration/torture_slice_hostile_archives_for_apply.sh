#!/usr/bin/env bash
# A bounded slice of tests/torture/torture_hostile.py (tests/torture/README
# "Hostile archives for apply"): a real chain per seed, then cases that each
# mutate one archive as a bucket writer would (manifest fields, change-file
# cells, tar entries and bytes, the compressed stream, whole archives),
# resealed where a writer could, applied to a replica holding a canary
# table: a refusal is exit 2 or 3 naming the archive with the replica as it
# was before the batch and nothing written outside it; a valid change
# applies to exactly what the archive says. Two fixed seeds (csv, jsonl),
# one from the clock (printed: replay it with --seed), then the self-check
# that a wrong expected cell is reported. `make torture-hostile` is the
# long run.
source "$(dirname "$0")/../lib/common.sh"

hostile() { # hostile ARGS...: one run; its output is shown when it fails
	local got=0
	python3 "$ROOT/tests/torture/torture_hostile.py" --bin "$CDCPACK" --tmpdir "$T" "$@" \
		>"$T/cases.out" 2>&1 || got=$?
	if ((got != 0)); then
		cat "$T/cases.out" >&2
		fail "torture_hostile.py $* exited $got"
	fi
}

hostile --seed 1 --cases 12 --format csv
assert_contains "$T/cases.out" "12 of 12 cases from seed 1 passed"
hostile --seed 2 --cases 12 --format jsonl
assert_contains "$T/cases.out" "12 of 12 cases from seed 2 passed"
seed=$(date +%s)
echo "clock seed $seed"
hostile --seed "$seed" --cases 8
assert_contains "$T/cases.out" "8 of 8 cases from seed $seed passed"

hostile --seed 3 --self-check
assert_contains "$T/cases.out" "divergence reported as it must be"
