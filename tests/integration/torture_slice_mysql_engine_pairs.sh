#!/usr/bin/env bash
# A bounded slice of the differential torture test (tests/torture/README)
# for the pairs with MariaDB: MySQL -> MySQL, MySQL -> SQLite and SQLite ->
# MySQL (and MySQL -> SQLite in binlog mode), fixed seeds, default op
# classes, compared after every step with
# each engine's own dump (HEX() for binary, exact text, REAL bits); then the
# self-check that a damaged value in a MariaDB replica is reported.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

torture() { # torture ARGS...: one case; its output is shown when it fails
	local got=0
	python3 "$ROOT/tests/torture/torture.py" --bin "$CDCPACK" --tmpdir "$T" --no-keep-failed \
		"$@" >"$T/case.out" 2>&1 || got=$?
	if ((got != 0)); then
		cat "$T/case.out" >&2
		fail "torture $* exited $got"
	fi
}

torture --seed 21 --steps 3 --source mysql --replica mysql --mode trigger --format jsonl
torture --seed 22 --steps 2 --source mysql --replica sqlite --mode snapshot --format csv
torture --seed 23 --steps 2 --source sqlite --replica mysql --mode trigger --format csv
torture --seed 25 --steps 3 --source mysql --replica sqlite --mode binlog --format jsonl

torture --seed 24 --steps 1 --source mysql --replica mysql --mode trigger --format csv \
	--self-check value
assert_contains "$T/case.out" "divergence reported as it must be"
