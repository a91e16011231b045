#!/usr/bin/env bash
# README "What the application sees" (tests/torture/FINDINGS.md F45): on a
# MariaDB table that is no foreign-key parent, a REPLACE of a row by an
# identical one counts 1 affected row without a DELETE trigger (the row is
# left) and 2 with one (MariaDB deletes and inserts to fire it); cdcpack's
# delete trigger makes it 2. The table's content is the same either way,
# and the replica gets the row.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db replrc)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, v varchar(4)); INSERT INTO t VALUES (6, 'x')"
count() { mysql_exec "$db" "REPLACE INTO t VALUES (6, 'x'); SELECT ROW_COUNT()"; }
assert_eq 1 "$(count)" "ROW_COUNT() without the triggers"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load
assert_eq 2 "$(count)" "ROW_COUNT() with the triggers"
assert_eq "6	x" "$(mysql_exec "$db" "SELECT * FROM t")" "the table"
assert_status 0 "$CDCPACK" run
rep=$(mysql_fresh_db replrc_r)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$rep")"
assert_eq "6	x" "$(mysql_exec "$rep" "SELECT * FROM t")" "the replica"
