#!/usr/bin/env bash
# A table created after setup: run warns that its changes are not captured
# and says what to do: install its triggers, then load it. Following the
# advice word for word brings the rows it already held to the replica, and
# its later changes too.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
cdc apply --to "sqlite:$T/replica.db"
sql "CREATE TABLE fresh(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO fresh VALUES(1, 'before triggers'), (2, 'too')"
cdc run
assert_contains "$T/last.err" "table fresh has no cdcpack triggers"
advice=$(grep -o 'run `cdcpack [^`]*`, then `cdcpack [^`]*`' "$T/last.err")
assert_eq 'run `cdcpack triggers install fresh`, then `cdcpack load fresh`' "$advice" "the advice"
cdc triggers install fresh
assert_contains "$T/last.out" "cdcpack load fresh"
cdc load fresh
sql "INSERT INTO fresh VALUES(3, 'after'); UPDATE fresh SET v = 'changed' WHERE id = 1"
cdc run
assert_not_contains "$T/last.err" "has no cdcpack triggers"
cdc apply --to "sqlite:$T/replica.db"
check_replica_equals_source "$T/replica.db"
assert_eq 3 "$(sqlite3 "$T/replica.db" 'SELECT count(*) FROM fresh')" "rows of fresh in the replica"
check_chain
