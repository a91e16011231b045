#!/usr/bin/env bash
# An idle run does not ask about each table's triggers again while nothing
# they depend on moved since the last check that found them all current
# (src/capture/capture_trigger.c: the stamp of the schema version, the recorded trigger
# versions, the captured tables and the changelog, kept in the state dir;
# issue 18 item 15, 10,000 tables). This proves the shortcut hides nothing:
# DDL by another connection between two runs (a column added, a trigger
# dropped, a table renamed) and a change of the captured tables are each
# seen by the next run, and a run that had something to say or rebuilt
# triggers checks again next time rather than remembering the schema. The
# idle runs here open the source (cdc_opened): an untouched one is not
# opened at all (core_idle_run_leaves_unchanged_source_closed.sh).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sqlite3 "$SRC_DB" "CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT);
	CREATE TABLE b(id INTEGER PRIMARY KEY, v TEXT);
	CREATE TABLE c(id INTEGER PRIMARY KEY, v TEXT);
	CREATE TABLE spare(id INTEGER PRIMARY KEY, v TEXT);
	INSERT INTO a VALUES(1, 'one');"
core_config "[capture]" "exclude = spare"
cdc -q triggers install a b c
skipped="schema unchanged since the last check"

# load checks and remembers; an idle run after it skips the checks
cdc -v load
assert_not_contains "$T/last.err" "$skipped"
cdc_opened -v run
assert_contains "$T/last.err" "$skipped"
cdc_opened -v run
assert_contains "$T/last.err" "$skipped"

# a column added between two runs is drift: rebuilt, and the change ships
sql "ALTER TABLE b ADD COLUMN w TEXT; INSERT INTO b VALUES(1, 'new', 'w');"
cdc -v run
assert_not_contains "$T/last.err" "$skipped"
assert_contains "$T/last.err" "schema drift on table b"
sql "INSERT INTO b VALUES(2, 'after', 'w2');"
cdc run
assert_eq '["id","v","w"]' "$(manifest "$(published | tail -n 1)" | jq -c '[.tables[0].columns[].name]')" \
	"b's columns in the batch after the rebuild"
cdc_opened -v run
assert_contains "$T/last.err" "$skipped"

# a trigger dropped by another connection: every run says so until fixed
sql "DROP TRIGGER $(triggers_of c DELETE)"
for attempt in 1 2; do
	cdc -v run
	assert_not_contains "$T/last.err" "$skipped"
	assert_contains "$T/last.err" "table c has no cdcpack triggers"
done
cdc -q triggers install c
cdc -v run
assert_not_contains "$T/last.err" "has no cdcpack triggers"
cdc_opened -v run
assert_contains "$T/last.err" "$skipped"

# a table renamed between two runs: its triggers are rebuilt under its name
sql "ALTER TABLE a RENAME TO a2"
cdc -v run
assert_not_contains "$T/last.err" "$skipped"
assert_contains "$T/last.err" "table a2 was renamed"
sql "INSERT INTO a2 VALUES(2, 'two');"
cdc run
assert_eq a2 "$(manifest "$(published | tail -n 1)" | jq -r '.tables[0].name')" \
	"the renamed table's change ships under its name"
cdc_opened -v run
assert_contains "$T/last.err" "$skipped"

# the captured tables changed (no DDL): the table no longer excluded is checked
core_config
cdc -v run
assert_not_contains "$T/last.err" "$skipped"
assert_contains "$T/last.err" "table spare has no cdcpack triggers"
check_chain
