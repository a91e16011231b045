#!/usr/bin/env bash
# README "What the application sees" (tests/torture/FINDINGS.md F44):
# cdcpack's trigger on a table an application trigger writes adds a level of
# trigger nesting, so a chain of the application's triggers that reaches
# SQLITE_LIMIT_TRIGGER_DEPTH (SQLITE_MAX_TRIGGER_DEPTH, 1000 by default)
# fails with "too many levels of trigger recursion" once the triggers are
# installed. The limit is lowered to 1 on the writer's connection so a
# chain of one application trigger shows it.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

schema="CREATE TABLE p(id INTEGER PRIMARY KEY);
CREATE TABLE audit(id INTEGER PRIMARY KEY, ref INT);
CREATE TRIGGER app AFTER INSERT ON p BEGIN INSERT INTO audit(ref) VALUES(NEW.id); END;"
# app DB: an INSERT into p on a connection whose trigger depth limit is 1
app() {
	python3 - "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.setlimit(sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH, 1)
try:
    c.execute("INSERT INTO p VALUES(1)")
    print("ok", c.execute("SELECT count(*) FROM audit").fetchone()[0])
except sqlite3.OperationalError as e:
    print(e)
PY
}
sqlite3 "$T/plain.db" "$schema"
assert_eq "ok 1" "$(app "$T/plain.db")" "without cdcpack's triggers"
sql "$schema"
core_config
cdc triggers install
assert_eq "too many levels of trigger recursion" "$(app "$SRC_DB")" "with cdcpack's triggers"
