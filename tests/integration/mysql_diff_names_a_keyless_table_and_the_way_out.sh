#!/usr/bin/env bash
# diff of MariaDB databases holding a table without a primary key and
# without a unique index on NOT NULL columns (FINDINGS.md F36): diff stops
# with exit 2 naming the table, and the message gives diff's way out
# (--table naming the other tables), which works. It used to advise only
# "[capture] exclude", a config diff does not read, and no diff doc said
# such a table stops it. A unique index on NOT NULL columns keys a table.
# Fails without the fix: the message does not name --table.
# Found by hand while writing tests/torture/torture_diff_mysql.py.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

da=$(mysql_fresh_db keyless_a)
db=$(mysql_fresh_db keyless_b)
for d in "$da" "$db"; do
	mysql_exec "$d" "CREATE TABLE nk(a INT, b VARCHAR(5));
	CREATE TABLE uq(a INT NOT NULL, b VARCHAR(5), UNIQUE KEY (a));
	CREATE TABLE pk(id INT PRIMARY KEY, v INT)"
done
mysql_exec "$da" "INSERT INTO nk VALUES (1, 'x'), (1, 'x'); INSERT INTO uq VALUES (1, 'a');
INSERT INTO pk VALUES (1, 1)"
mysql_exec "$db" "INSERT INTO nk VALUES (2, 'y'); INSERT INTO uq VALUES (1, 'b');
INSERT INTO pk VALUES (1, 2), (2, 2)"

assert_status 2 "$CDCPACK" diff "$(mysql_url "$da")" "$(mysql_url "$db")"
assert_contains "$T/last.err" "table 'nk' has no primary key"
assert_contains "$T/last.err" "diff: name the other tables with --table"
assert_status 1 "$CDCPACK" --json diff --table uq --table pk "$(mysql_url "$da")" "$(mysql_url "$db")"
assert_contains "$T/last.out" '"name":"uq","status":"compared","rows_a":1,"rows_b":1,"inserted":0,"updated":1'
assert_contains "$T/last.out" '"name":"pk","status":"compared","rows_a":1,"rows_b":2,"inserted":1,"updated":1'
