#!/usr/bin/env bash
# SQLite triggers write row images into untyped changelog columns (o1..oN,
# n1..nN). Changes an earlier cdcpack's triggers wrote as quote()d text are
# still shipped exactly, in order with the new ones; `triggers install`
# replaces such triggers without a new schema version. A table wider than
# 900 columns (the changelog would pass SQLite's column limit) keeps text
# images. Replicas rebuilt by apply equal the source, value for value.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, r REAL, b BLOB);
     INSERT INTO t VALUES (1, 'one', 1.5, x'00ff');"
core_config
cdc triggers install
cdc load

# What an earlier cdcpack left: text-image triggers, a changelog without the
# image columns, and changes pending in it.
img() { # img ROW: the quote()d text image of t's ROW (OLD or NEW)
	echo "quote($1.\"id\")||','||quote($1.\"v\")||','||quote($1.\"r\")||','||quote($1.\"b\")"
}
log() { # log OP OLD NEW: the changelog insert of an earlier trigger
	echo "INSERT INTO \"cdcpack_changelog\"(op, tbl, ver, old, new) VALUES('$1', 't', 1, $2, $3);"
}
drop=
for k in 1 2 3 4; do drop+="ALTER TABLE cdcpack_changelog DROP COLUMN o$k; ALTER TABLE cdcpack_changelog DROP COLUMN n$k; "; done
sql "$(drop_triggers_sql t) $drop
     CREATE TRIGGER cdcpack_changelog_t_ai AFTER INSERT ON t BEGIN $(log I NULL "$(img NEW)") END;
     CREATE TRIGGER cdcpack_changelog_t_au AFTER UPDATE ON t WHEN OLD.id IS NEW.id
       BEGIN $(log U "$(img OLD)" "$(img NEW)") END;
     CREATE TRIGGER cdcpack_changelog_t_ak AFTER UPDATE ON t WHEN NOT (OLD.id IS NEW.id)
       BEGIN $(log D "$(img OLD)" NULL) $(log I NULL "$(img NEW)") END;
     CREATE TRIGGER cdcpack_changelog_t_ad AFTER DELETE ON t BEGIN $(log D "$(img OLD)" NULL) END;"
sql "INSERT INTO t VALUES (2, 'two', 0.1, NULL); UPDATE t SET v = 'uno', r = 1e300 WHERE id = 1;
     UPDATE t SET id = 20 WHERE id = 2; INSERT INTO t VALUES (3, '3', 3, x'');"
assert_eq "text" "$(sqlite3 "$SRC_DB" "SELECT DISTINCT typeof(new) FROM cdcpack_changelog WHERE op = 'I'")" \
	"images the earlier triggers wrote"

cdc triggers install
assert_eq "1" "$(sqlite3 "$SRC_DB" "SELECT group_concat(ver) FROM cdcpack_changelog_schema WHERE tbl = 't'")" \
	"schema versions of t after the triggers were replaced"
assert_eq 3 "$(triggers_of t | grep -c '^cdc_[iud]_')" "triggers replacing the earlier ones"
sqlite3 "$SRC_DB" "SELECT sql FROM sqlite_schema WHERE name = '$(triggers_of t INSERT)'" >ai.sql
grep -q 'quote(' ai.sql && fail "triggers still write text images: $(cat ai.sql)"
sql "DELETE FROM t WHERE id = 3; INSERT INTO t VALUES (4, 'four', -2.5, x'0102');
     UPDATE t SET b = NULL WHERE id = 20;"
assert_eq "3|null" "$(sqlite3 "$SRC_DB" "SELECT count(*), ifnull(group_concat(new), 'null') FROM cdcpack_changelog WHERE seq > 5")" \
	"the new triggers' changes carry no text image"

cdc run
check_cdc_rows "changes of both trigger layouts, in order" \
	'I,2,two,0.1,' 'U,1,uno,1e+300,00FF' 'D,2,two,0.1,' 'I,20,two,0.1,' "I,3,3,3.0,X''" \
	"D,3,3,3.0,X''" "I,4,four,-2.5,X'0102'" 'U,20,two,0.1,'
assert_eq 0 "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'")" "changelog rows left"
apply_and_compare "$T/replica.db"

# Tables of 900 columns (typed images, the most the changelog takes) and
# 901 (text images), same round trip. Compared by EXCEPT over whole rows:
# the per-value comparison of check_replica_equals_source would not fit in
# a command line.
core_use "$T/wide"
wide() { # wide NAME N: CREATE TABLE NAME(id, c1..cN-1)
	echo "CREATE TABLE $1(id INTEGER PRIMARY KEY, $(seq -f 'c%g' 1 $(($2 - 1)) | paste -sd, -));"
}
sql "$(wide w900 900) $(wide w901 901)"
for w in w900 w901; do
	sql "INSERT INTO $w(id, c1, c899) VALUES (1, 'a', 1.25);"
done
core_config
cdc triggers install
cdc load
for w in w900 w901; do
	sql "INSERT INTO $w(id, c2, c898) VALUES (2, x'00', -7); UPDATE $w SET c899 = 'z' WHERE id = 1;
	     DELETE FROM $w WHERE id = 2; INSERT INTO $w(id, c3) VALUES (3, 0.5);"
done
quoted() { sqlite3 "$SRC_DB" "SELECT count(*) FROM sqlite_schema WHERE name = '$(triggers_of "$1" INSERT)' AND sql LIKE '%quote(%'"; }
assert_eq "0 1" "$(quoted w900) $(quoted w901)" "triggers writing text images (w900, w901)"
assert_eq "w900:null w901:text" \
	"$(sqlite3 "$SRC_DB" "SELECT tbl || ':' || typeof(new) FROM cdcpack_changelog WHERE op = 'I' GROUP BY tbl ORDER BY tbl" | paste -sd' ')" \
	"images of the wide tables"
cdc run
assert_eq "I U D I I U D I" "$(cdc_rows | cut -c1 | paste -sd' ')" "ops of the wide tables"
cdc apply --to "sqlite:$T/wide/replica.db"
cdc verify --against "sqlite:$T/wide/replica.db"
for w in w900 w901; do
	assert_eq "2 0 0" "$(sqlite3 "$SRC_DB" "ATTACH '$T/wide/replica.db' AS r;
		SELECT (SELECT count(*) FROM r.$w),
		       (SELECT count(*) FROM (SELECT * FROM main.$w EXCEPT SELECT * FROM r.$w)),
		       (SELECT count(*) FROM (SELECT * FROM r.$w EXCEPT SELECT * FROM main.$w))" | tr '|' ' ')" \
		"$w: replica rows, rows only in the source, only in the replica"
done
