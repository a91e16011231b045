#!/usr/bin/env bash
# A bounded slice of tests/torture/torture_app.py (tests/torture/README "The
# application's view"): fixed seeds of random application statements run
# against two identical databases, one with `cdcpack triggers install`; each
# statement's error, rows, changes()/ROW_COUNT(), last_insert_rowid()/
# LAST_INSERT_ID() (and MariaDB's warning count) and the content at the end
# must be the same, then run + apply + reconcile must rebuild the source.
# SQLite, then MariaDB; then the self-check: a trigger the application would
# notice must be reported. `make torture-app` is the long run.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

app() { # app OUT ARGS...: one torture_app.py run; its output is shown when it fails
	local out=$1
	shift
	python3 "$ROOT/tests/torture/torture_app.py" --bin "$CDCPACK" --tmpdir "$T" "$@" \
		>"$T/$out" 2>&1 || { cat "$T/$out" >&2; fail "torture_app $* failed"; }
}

app sqlite.out --seed 1 --cases 10 --statements 400
assert_contains "$T/sqlite.out" "10 cases from seed 1 passed"
app mysql.out --engine mysql --seed 1 --cases 1 --statements 250
assert_contains "$T/mysql.out" "1 cases from seed 1 passed"

app self.out --seed 2 --self-check
assert_contains "$T/self.out" "divergence reported as it must be"
app self_mysql.out --engine mysql --seed 2 --statements 60 --self-check
assert_contains "$T/self_mysql.out" "divergence reported as it must be"
