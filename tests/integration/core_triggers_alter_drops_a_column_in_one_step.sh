#!/usr/bin/env bash
# SQLite refuses to drop a column its cdcpack triggers name. `cdcpack
# triggers alter t "ALTER TABLE t DROP COLUMN b"` drops the triggers, runs
# the ALTER and rebuilds them in one transaction: every change before and
# after ships once, with the columns of its time, and the replica (apply
# keeps a column the source dropped, as NULL from then on) holds every row.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE t(id INTEGER PRIMARY KEY, a INT, b TEXT, c INT); INSERT INTO t VALUES(1, 1, 'x', 1)"
core_config
cdc triggers install
cdc load
sql "INSERT INTO t VALUES(2, 2, 'y', 2)"
if sqlite3 "$SRC_DB" "ALTER TABLE t DROP COLUMN b" 2>"$T/plain.err"; then
	fail "SQLite dropped a column a trigger names: revise the README"
fi
cdc triggers alter t "ALTER TABLE t DROP COLUMN b"
assert_contains "$T/last.out" "t: altered, triggers rebuilt"
sql "INSERT INTO t VALUES(3, 3, 3); UPDATE t SET c = 9 WHERE id = 1"
cdc triggers status
grep -E '^t +installed +no-drift +pending=3$' "$T/last.out" >/dev/null || fail "status: $(cat "$T/last.out")"
cdc run
mapfile -t archives < <(published)
tar -xOf "${archives[1]}" --exclude manifest.json | sort >"$T/rows.csv"
assert_lines "$T/rows.csv" "rows of the cdc batch" 'I,2,2,y,2' 'I,3,3,3' 'U,1,1,9'
cdc apply --to "sqlite:$T/replica.db"
assert_eq "1|1|9 2|2|2 3|3|3" "$(sqlite3 "$T/replica.db" 'SELECT id, a, c FROM t ORDER BY id' | tr '\n' ' ' | sed 's/ $//')" "replica rows"
check_chain
