#!/usr/bin/env bash
# A bounded slice of tests/torture/torture_diff.py (tests/torture/README
# "diff against an oracle"): fixed seeds of random SQLite pairs, each
# checked against an oracle over Python's sqlite3 with the documented
# comparison (per table status, I/U/D counts, columns on one side only,
# exit code), --format rows line by line, --format sql applied to A (then
# equal to B) and sqldiff's statements (then diff says equal); then verify
# of a source against a replica applied from its chain, before and after
# random drift in the replica and in the source. Then the self-check: a
# wrong oracle must be reported. `make torture-diff` is the long run.
source "$(dirname "$0")/../lib/common.sh"

python3 "$ROOT/tests/torture/torture_diff.py" --bin "$CDCPACK" --seed 1 --cases 120 \
	>"$T/cases.out" 2>&1 || { cat "$T/cases.out" >&2; fail "torture_diff failed"; }
assert_contains "$T/cases.out" "120 cases from seed 1 passed"

python3 "$ROOT/tests/torture/torture_diff.py" --bin "$CDCPACK" --verify --seed 1 --cases 30 \
	>"$T/verify.out" 2>&1 || { cat "$T/verify.out" >&2; fail "torture_diff --verify failed"; }
assert_contains "$T/verify.out" "30 cases from seed 1 passed"

python3 "$ROOT/tests/torture/torture_diff.py" --bin "$CDCPACK" --seed 2 --self-check \
	>"$T/self.out" 2>&1 || { cat "$T/self.out" >&2; fail "self-check failed"; }
assert_contains "$T/self.out" "divergence reported as it must be"
