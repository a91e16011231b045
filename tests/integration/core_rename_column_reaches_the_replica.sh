#!/usr/bin/env bash
# Issue 11 #10: after ALTER TABLE ... RENAME COLUMN the replica must not
# keep the old column frozen and the new one NULL. The next run ships the
# table whole as a load batch under the new column name; apply (exit 0)
# recreates the replica table with that definition, and later changes
# follow. The replica equals the source, compared by sqlite3 itself
# (column names included), incrementally and from scratch.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE r (id INTEGER PRIMARY KEY, old TEXT, n INT); INSERT INTO r VALUES (1, 'p', 1), (2, 'q', 2);"
core_config
cdc triggers install
cdc load
cdc apply --to "sqlite:$T/replica.db"

sql "UPDATE r SET n = 20 WHERE id = 2; ALTER TABLE r RENAME COLUMN old TO new; UPDATE r SET new = 'P' WHERE id = 1;"
cdc run
sql "UPDATE r SET new = 'Q' WHERE id = 2; INSERT INTO r VALUES (3, 's', 3);"
cdc run
cdc apply --to "sqlite:$T/replica.db"
assert_eq "id new n" "$(sqlite3 "$T/replica.db" "SELECT name FROM pragma_table_info('r')" | tr '\n' ' ' | sed 's/ $//')" \
	"replica columns"
assert_eq "1|P|1
2|Q|20
3|s|3" "$(sqlite3 "$T/replica.db" 'SELECT id, new, n FROM r ORDER BY id')" "r in the replica"
check_replica_equals_source "$T/replica.db"
check_chain
apply_and_compare "$T/fresh.db"
