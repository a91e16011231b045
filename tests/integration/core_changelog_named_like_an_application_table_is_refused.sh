#!/usr/bin/env bash
# `[capture] changelog` set to the name of an application table (or of
# <changelog>_schema held by one): init, triggers install/remove/status, run
# and load refuse with exit 2 naming the key and the table, and touch
# nothing: the application table keeps its columns and the application's
# INSERTs keep working.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_db "$SRC_DB"
sql "CREATE TABLE orders(id INTEGER PRIMARY KEY, item TEXT);
     CREATE TABLE audit(id INTEGER PRIMARY KEY, what TEXT);"
before=$(sqlite3 "$SRC_DB" .schema)

core_config "[capture]" "changelog = orders"
for cmd in init "triggers install" "triggers status" "triggers remove --drop-changelog" run load; do
	# shellcheck disable=SC2086 # the command's words
	cdc_status 2 $cmd
	assert_contains "$T/last.err" "changelog = orders"
	assert_contains "$T/last.err" "'orders'"
done
assert_eq "$before" "$(sqlite3 "$SRC_DB" .schema)" "source schema after the refusals"
sql "INSERT INTO orders(item) VALUES('still works'); INSERT INTO Persons VALUES(500, 'A', 'B')"
assert_eq 0 "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'")" "triggers"

# The schema table's name is the changelog's plus _schema.
core_config "[capture]" "changelog = aud"
sql "ALTER TABLE audit RENAME TO aud_schema"
cdc_status 2 triggers install
assert_contains "$T/last.err" "changelog = aud"
assert_contains "$T/last.err" "'aud_schema'"
assert_eq 0 "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM sqlite_schema WHERE name = 'aud'")" "changelog created"

# A name of its own still works, and so does an existing cdcpack changelog.
core_config "[capture]" "changelog = cdcpack_log"
cdc init
cdc triggers install
cdc triggers install
cdc load
sql "INSERT INTO orders(item) VALUES('captured')"
cdc run
check_chain
apply_and_compare "$T/replica.db"
