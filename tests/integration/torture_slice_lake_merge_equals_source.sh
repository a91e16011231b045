#!/usr/bin/env bash
# A bounded slice of the torture harness's lake check (tests/torture/README
# "The lake check"): fixed seeds with --lake, the default op classes (runs
# killed at fault points, mid-lake and after-lake among them, and at random
# moments, reloads, column changes, new and excluded tables) and lakeopts
# (gzip or not, date folders, csv_delimiter, csv_null_value,
# binary_encoding, timestamp_column, load_op_column drawn per case). After every step each
# table rebuilt from its lake objects by examples/lake/merge.sql in DuckDB
# equals the source's dump: SQLite trigger mode to a file: target, MariaDB
# binlog mode to S3 (the lake read back with the AWS CLI), SQLite snapshot
# mode into a MariaDB replica. Then the self-check: a lake missing its
# newest change object must be reported.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/s3.sh"

torture() { # torture ARGS...: one case; its output is shown when it fails
	local got=0
	python3 "$ROOT/tests/torture/torture.py" --bin "$CDCPACK" --tmpdir "$T" --no-keep-failed \
		--format csv --lake "$@" >"$T/case.out" 2>&1 || got=$?
	if ((got != 0)); then
		cat "$T/case.out" >&2
		fail "torture $* exited $got"
	fi
	assert_contains "$T/case.out" "the lake's merge equals the source"
}

torture --seed 31 --steps 3 --mode trigger
torture --seed 32 --steps 2 --source mysql --replica sqlite --mode binlog --target s3
torture --seed 33 --steps 2 --source sqlite --replica mysql --mode snapshot

# The lake check must be able to fail.
torture --seed 34 --steps 2 --self-check lake
assert_contains "$T/case.out" "divergence reported as it must be"
