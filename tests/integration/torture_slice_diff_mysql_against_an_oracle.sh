#!/usr/bin/env bash
# A bounded slice of tests/torture/torture_diff_mysql.py (tests/torture/README
# "diff against an oracle", MariaDB modes): fixed seeds of MariaDB pairs
# (mm: summary, rows, jsonl, csv against the oracle, --format sql applied to
# a copy of A), MariaDB/SQLite pairs by README's type table (cross), and
# verify of a MariaDB source against MariaDB and SQLite replicas and of a
# SQLite source against a MariaDB replica, with drift; then the
# self-check: a wrong oracle must be reported. `make torture-diff` is the
# long run.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

hunt() { # hunt OUT ARGS...: one run of the harness; its output is shown when it fails
	local out=$1
	shift
	python3 "$ROOT/tests/torture/torture_diff_mysql.py" --bin "$CDCPACK" "$@" >"$T/$out" 2>&1 ||
		{
			cat "$T/$out" >&2
			fail "torture_diff_mysql $* failed"
		}
}

hunt mm.out --mode mm --seed 1 --cases 2
assert_contains "$T/mm.out" "mm: 2 cases from seed 1 passed"
hunt cross.out --mode cross --seed 1 --cases 2
assert_contains "$T/cross.out" "cross: 2 cases from seed 1 passed"
hunt verify.out --mode verify --seed 1 --cases 2
assert_contains "$T/verify.out" "verify: 2 cases from seed 1 passed"
hunt self.out --mode mm --seed 3 --self-check
assert_contains "$T/self.out" "divergence reported as it must be"
