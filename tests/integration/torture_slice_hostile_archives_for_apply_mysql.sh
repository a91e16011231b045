#!/usr/bin/env bash
# The MariaDB-replica slice of tests/torture/torture_hostile.py
# (tests/torture/README "Hostile archives for apply"): the same mutated
# archives applied to a MariaDB replica holding a canary table, where a
# table or column name with a backtick, quote or semicolon would reach
# MariaDB's SQL; a refusal leaves every table (SHOW CREATE TABLE and rows)
# as it was before the batch, a valid change applies as the archive says.
# One fixed seed, four cases (~8 s a case at load); `--replica mysql` with
# `make torture-hostile` runs more.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

hostile() { # hostile ARGS...: one run; its output is shown when it fails
	local got=0
	python3 "$ROOT/tests/torture/torture_hostile.py" --bin "$CDCPACK" --tmpdir "$T" \
		--replica mysql "$@" >"$T/cases.out" 2>&1 || got=$?
	if ((got != 0)); then
		cat "$T/cases.out" >&2
		fail "torture_hostile.py --replica mysql $* exited $got"
	fi
}

hostile --seed 1 --cases 4 --classes either,cell,manifest,cell-bad --format csv
assert_contains "$T/cases.out" "4 of 4 cases from seed 1 passed"
