#!/usr/bin/env bash
# Update triggers an earlier cdcpack installed compare keys with the key
# column's collation (OLD.k IS NEW.k: 'Ab' -> 'AB' is no key change under
# NOCASE). `triggers status` says so, and the next run rebuilds them, after
# which a case-only key change ships as D + I and the replica keeps no old
# row.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE n(k TEXT PRIMARY KEY COLLATE NOCASE, v INT); INSERT INTO n VALUES('Ab', 1), ('cd', 2)"
core_config
cdc triggers install
cdc load
# The triggers as an earlier cdcpack wrote them (four, the update ones
# comparing keys with the old WHEN), written the way an upgrade finds them.
legacy_triggers_sql n k v |
	sed -E 's/typeof\(OLD\."k"\) IS typeof\(NEW\."k"\) AND (OLD\."k" IS NEW\."k") COLLATE BINARY/\1/' >"$T/old.sql"
assert_eq 2 "$(grep -c 'WHEN \(NOT (\)\?OLD."k" IS NEW."k"' "$T/old.sql")" "old-form triggers written"
sql "$(drop_triggers_sql n) $(cat "$T/old.sql")"

cdc triggers status
assert_contains "$T/last.out" "its triggers were made by an earlier cdcpack and compare keys by the key column's collation"
cdc run
assert_contains "$T/last.err" "table n: rebuilding its triggers, made by an earlier cdcpack"
assert_eq 1 "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND instr(sql, 'typeof(OLD.\"k\")')")" \
	"update trigger rebuilt"
cdc triggers status
assert_not_contains "$T/last.out" "earlier cdcpack"

sql "UPDATE n SET k = 'AB' WHERE k = 'Ab'; UPDATE n SET v = 20 WHERE k = 'CD'"
cdc run
check_cdc_rows "cdc rows after the rebuild" 'D,Ab,1' 'I,AB,1' 'U,cd,20'
apply_and_compare "$T/replica.db"
cdc run
assert_not_contains "$T/last.err" "rebuilding"
