#!/usr/bin/env bash
# SQLite refuses to drop a column its cdcpack triggers name. `cdcpack
# triggers alter t "ALTER TABLE t DROP COLUMN b"` drops the triggers, runs
# the ALTER and rebuilds them in one transaction; the next run ships t
# whole as a load without b (the changes logged before the ALTER are in it
# and acknowledged with it), and the replica takes t's new definition: b
# gone, every row there.
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
cdc apply --to "sqlite:$T/replica.db"
cdc run
mapfile -t archives < <(published)
assert_eq 2 "${#archives[@]}" "published batches (load, reload)"
assert_eq 'load ["id","a","c"]' "$(manifest "${archives[1]}" | jq -r '"\(.batch.kind) \([.tables[0].columns[].name] | tojson)"')" \
	"the batch after the ALTER"
tar -xOf "${archives[1]}" --exclude manifest.json | sort >"$T/rows.csv"
assert_lines "$T/rows.csv" "rows of the reload" '1,1,9' '2,2,2' '3,3,3'
cdc apply --to "sqlite:$T/replica.db"
assert_eq "id a c" "$(sqlite3 "$T/replica.db" "SELECT name FROM pragma_table_info('t')" | tr '\n' ' ' | sed 's/ $//')" \
	"replica columns"
assert_eq "1|1|9 2|2|2 3|3|3" "$(sqlite3 "$T/replica.db" 'SELECT id, a, c FROM t ORDER BY id' | tr '\n' ' ' | sed 's/ $//')" "replica rows"
check_replica_equals_source "$T/replica.db"
check_chain
