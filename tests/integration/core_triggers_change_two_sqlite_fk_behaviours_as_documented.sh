#!/usr/bin/env bash
# README "What the application sees" (tests/torture/FINDINGS.md F40): once a
# SQLite table has a trigger (cdcpack's or any), SQLite runs its statements
# with a statement journal, and two app-visible behaviours change: an
# INSERT failing on an immediate foreign key leaves last_insert_rowid() at
# the rowid it tried, and inside a transaction it no longer leaves the
# deferred foreign-key count raised (the COMMIT succeeds). Checked without
# the triggers, with cdcpack's, and with a trigger of the application's
# own, so the README's claim that it is SQLite's stays true.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

schema="CREATE TABLE p(id INTEGER PRIMARY KEY);
CREATE TABLE c(id INTEGER PRIMARY KEY, pid REFERENCES p(id), did REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED);
INSERT INTO p VALUES(1); INSERT INTO c VALUES(2, 1, NULL);"
# app DB: last_insert_rowid() after the failed INSERT, then the COMMIT's outcome
app() {
	python3 - "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA foreign_keys = ON")
c.execute("BEGIN")
try:
    c.execute("INSERT INTO c VALUES(9, 8, 99)")
except sqlite3.IntegrityError:
    pass
print(c.execute("SELECT last_insert_rowid()").fetchone()[0], end=" ")
try:
    c.execute("COMMIT")
    print("commit")
except sqlite3.IntegrityError as e:
    print("commit failed:", e)
PY
}
sqlite3 "$T/plain.db" "$schema"
assert_eq "0 commit failed: FOREIGN KEY constraint failed" "$(app "$T/plain.db")" "without triggers"

sql "$schema"
core_config
cdc triggers install
assert_eq "9 commit" "$(app "$SRC_DB")" "with cdcpack's triggers"

sqlite3 "$T/own.db" "$schema CREATE TRIGGER own AFTER INSERT ON c WHEN 0 BEGIN SELECT 1; END;"
assert_eq "9 commit" "$(app "$T/own.db")" "with the application's own trigger"
