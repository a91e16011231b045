#!/usr/bin/env bash
# verify says why a table differs when its rows match but its columns do
# not: the columns only in the source (a difference: exit 1) and those only
# in the replica (allowed), per table, in text and in --json.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT); INSERT INTO t VALUES (1, 'x', 'y');
     CREATE TABLE u (k TEXT PRIMARY KEY); INSERT INTO u VALUES ('one');"
core_config
cdc triggers install
cdc load
cdc apply --to "sqlite:$T/replica.db"
cdc verify --against "sqlite:$T/replica.db"

sqlite3 "$T/replica.db" "ALTER TABLE t DROP COLUMN b; ALTER TABLE u ADD COLUMN mine TEXT;"
cdc_status 1 verify --against "sqlite:$T/replica.db"
assert_contains "$T/last.out" "table t: columns only in the source: b"
assert_contains "$T/last.out" "table u: columns only in the replica: mine"
cdc_status 1 --json verify --against "sqlite:$T/replica.db"
assert_eq '[["t",["b"],[]],["u",[],["mine"]]]' \
	"$(jq -c '[.tables[] | [.name, .columns_only_in_source, .columns_only_in_replica]]' "$T/last.out")" \
	"--json column differences"

# An extra replica column alone is no difference, but it is said.
sqlite3 "$T/replica.db" "ALTER TABLE t ADD COLUMN b TEXT; UPDATE t SET b = 'y';"
cdc verify --against "sqlite:$T/replica.db"
assert_contains "$T/last.out" "table u: columns only in the replica: mine"
assert_contains "$T/last.out" "replica matches the source"
