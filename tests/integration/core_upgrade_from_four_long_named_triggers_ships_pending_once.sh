#!/usr/bin/env bash
# An earlier cdcpack made four triggers a table, named
# <changelog>_<table>_ai/_au/_ak/_ad; this one makes three with short names
# (cdc_i_/cdc_u_/cdc_d_ and a hash of changelog and table), so that SQLite's
# schema load, which every connection pays, walks fewer and shorter
# names. A database upgraded in place keeps every change: the changes
# the old triggers logged ship once, `triggers status` names the old
# triggers, `run` and `triggers install` replace them (in the transaction
# that creates the new ones, so no change is logged twice or missed), and
# `triggers remove` removes them too. An upgrade under a writer logs each of
# its inserts once.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE b(k TEXT PRIMARY KEY NOT NULL, n INT);
     CREATE TABLE c(id INTEGER PRIMARY KEY, w TEXT);
     INSERT INTO a VALUES (1, 'one'); INSERT INTO b VALUES ('x', 1); INSERT INTO c VALUES (1, 'c1');"
core_config
cdc triggers install
cdc load

# What the earlier cdcpack left: its triggers, and changes they logged.
legacy() { # legacy: every table's triggers as the earlier cdcpack made them
	sql "BEGIN; $(drop_triggers_sql a) $(drop_triggers_sql b) $(drop_triggers_sql c)
	     $(legacy_triggers_sql a id v) $(legacy_triggers_sql b k n) $(legacy_triggers_sql c id w) COMMIT;"
}
legacy
sql "INSERT INTO a VALUES (2, 'two'); UPDATE a SET v = 'uno' WHERE id = 1;
     UPDATE b SET k = 'y' WHERE k = 'x'; DELETE FROM a WHERE id = 2; UPDATE c SET w = 'c2';"
assert_eq 6 "$(sqlite3 "$SRC_DB" 'SELECT count(*) FROM cdcpack_changelog')" "changes the old triggers logged"

cdc triggers status
assert_contains "$T/last.out" "its triggers were made by an earlier cdcpack (four, named cdcpack_changelog_a_ai.._ad"
assert_not_contains "$T/last.out" "renamed"
cdc run
assert_contains "$T/last.err" "table a: rebuilding its triggers, made by an earlier cdcpack"
for t in a b c; do
	assert_eq "cdc_d_ cdc_i_ cdc_u_" "$(triggers_of $t | cut -c1-6 | paste -sd' ')" "table $t's triggers after the run"
done
check_cdc_rows "the changes the old triggers logged, once (a batch lists them by table)" \
	'I,2,two' 'U,1,uno' 'D,2,two' 'D,x,1' 'I,y,1' 'U,1,c2'

sql "INSERT INTO a VALUES (3, 'three'); UPDATE b SET n = 2; UPDATE a SET id = 10 WHERE id = 1;
     DELETE FROM c;"
cdc run
check_cdc_rows "then the new triggers' changes, each once" \
	'I,2,two' 'U,1,uno' 'D,2,two' 'D,x,1' 'I,y,1' 'U,1,c2' \
	'I,3,three' 'D,1,uno' 'I,10,uno' 'U,y,2' 'D,1,c2'
cdc triggers status
assert_not_contains "$T/last.out" "earlier cdcpack"
apply_and_compare "$T/replica.db"

# `triggers install` replaces them as well, with changes pending.
legacy
sql "INSERT INTO a VALUES (4, 'four');"
cdc triggers install a
assert_eq "cdc_d_ cdc_i_ cdc_u_" "$(triggers_of a | cut -c1-6 | paste -sd' ')" "table a's triggers after install"
sql "INSERT INTO a VALUES (5, 'five');"
assert_eq "4 5" "$(sqlite3 "$SRC_DB" "SELECT group_concat(n1, ' ') FROM cdcpack_changelog WHERE tbl = 'a'")" \
	"a's pending changes, each logged once"

# `triggers remove` finds the earlier cdcpack's triggers too.
cdc triggers remove b
assert_eq "" "$(triggers_of b)" "table b's triggers after remove"
cdc triggers install
cdc run
apply_and_compare "$T/replica.db"

# Upgraded while an application writes: every insert is logged by the old
# triggers or the new ones, never both, never neither.
legacy
for ((i = 100; i < 400; i++)); do
	echo "INSERT INTO c VALUES ($i, 'w$i');"
done | sqlite3 -cmd ".timeout 30000" "$SRC_DB" >/dev/null &
writer=$!
cdc run
wait "$writer"
cdc run
assert_eq "cdc_d_ cdc_i_ cdc_u_" "$(triggers_of c | cut -c1-6 | paste -sd' ')" "table c's triggers after the run"
cdc_rows | grep -E '^I,[0-9]+,w[0-9]+$' | sort | uniq -c | awk '$1 != 1' >"$T/twice"
assert_eq "" "$(cat "$T/twice")" "the writer's rows logged more than once"
assert_eq 300 "$(cdc_rows | grep -cE '^I,[0-9]+,w[0-9]+$')" "the writer's rows, each shipped once"
