#!/usr/bin/env bash
# A bounded slice of the differential torture test (tests/torture/README):
# fixed seeds, SQLite source -> SQLite replica, both capture modes and both
# formats, the default op classes (random schemas and workloads, runs killed
# at fault points and at random moments, reloads, trigger rebuilds, ADD
# COLUMN, new and excluded tables, and since the issue 11/18 fixes RENAME
# TABLE + the advised load, `load T`, ADD COLUMN ... DEFAULT + load, DROP
# COLUMN through `triggers alter`). Seed 14 runs 2 steps, not 3, to keep the
# slice's time now that its cases do more. After every step the replica built by
# `cdcpack apply` equals the source by SQLite's own dump and the published
# chain checks out. Then the harness's self-check: a replica missing one row
# and a chain missing one batch must both be reported.
source "$(dirname "$0")/../lib/common.sh"

torture() { # torture ARGS...: one case; its output is shown when it fails
	local got=0
	python3 "$ROOT/tests/torture/torture.py" --bin "$CDCPACK" --tmpdir "$T" --no-keep-failed \
		"$@" >"$T/case.out" 2>&1 || got=$?
	if ((got != 0)); then
		cat "$T/case.out" >&2
		fail "torture $* exited $got"
	fi
}

torture --seed 11 --steps 5 --mode trigger --format jsonl
torture --seed 12 --steps 5 --mode trigger --format csv
torture --seed 13 --steps 4 --mode snapshot --format jsonl
torture --seed 14 --steps 2 --mode snapshot --format csv

# The harness must be able to fail: each damage is reported (exit 0 only then).
torture --seed 15 --steps 2 --self-check replica
assert_contains "$T/case.out" "divergence reported as it must be"
torture --seed 16 --steps 3 --self-check chain --ops=-maxrows
assert_contains "$T/case.out" "a gap?"
