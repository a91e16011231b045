#!/usr/bin/env bash
# The same logical rows in MySQL and SQLite, each spelt the engine's way,
# compare equal: DECIMAL '1.50' = REAL 1.5, DECIMAL beyond a double = the
# same digits as text, FLOAT = the REAL it was written as, -0.0 = 0,
# DATETIME(3) '...59.120' = '...T23:59:59.12Z', TIMESTAMP in UTC = '+00:00',
# TIME '-01:02:03' = '-1:02:03', YEAR = integer, BIGINT UNSIGNED above
# INT64_MAX = its digits, bytes, utf8mb4 text. A real change is found by
# key, and the sql output (MySQL dialect) applied to MySQL makes both equal.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db canon)
mysql_exec "$db" "
CREATE TABLE vals(id INT PRIMARY KEY, price DECIMAL(10,2), big DECIMAL(30,10), f FLOAT, d DOUBLE,
	dt DATETIME(3), ts TIMESTAMP NULL, da DATE, tm TIME, y YEAR, u BIGINT UNSIGNED,
	b VARBINARY(20), t VARCHAR(50), e ENUM('x','y'), n INT);
SET time_zone = '+00:00';
INSERT INTO vals VALUES
	(1, 1.50, 12345678901234567890.0123456789, 0.1, 0.1, '2024-02-29 23:59:59.120',
	 '2024-03-31 01:30:00', '2024-01-01', '-01:02:03', 2024, 18446744073709551615, X'00FF',
	 'h\\\\é 😀', 'y', NULL),
	(2, 0, 0, -0.0, -0.0, '2024-01-02 00:00:00', NULL, NULL, '838:59:59', 1999, 5, X'', '', NULL, 7),
	(3, -7.25, -0.5, 1e30, 1e-300, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 'x', NULL);"
url=$(mysql_url "$db")
sqlite3 lite.db "
CREATE TABLE vals(id INTEGER PRIMARY KEY, price DECIMAL(10,2), big TEXT, f REAL, d REAL,
	dt DATETIME, ts TIMESTAMP, da DATE, tm TIME, y INTEGER, u TEXT, b BLOB, t TEXT, e TEXT, n INTEGER);
INSERT INTO vals VALUES
	(1, 1.5, '12345678901234567890.012345678900', 0.1, 0.1, '2024-02-29T23:59:59.12Z',
	 '2024-03-31T01:30:00+00:00', '2024-01-01', '-1:02:03', 2024, '18446744073709551615', X'00FF',
	 'h\\é 😀', 'y', NULL),
	(2, 0, 0.0, 0.0, -0.0, '2024-01-02 00:00:00.000', NULL, NULL, '838:59:59.000', '1999', 5, X'', '', NULL, 7),
	(3, -7.25, -0.5, 1e30, 1e-300, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 'x', NULL);"

assert_status 0 "$CDCPACK" diff "$url" sqlite:lite.db
assert_status 0 "$CDCPACK" diff sqlite:lite.db "$url"

# One real difference per row: found by key, nothing else.
sqlite3 lite.db "UPDATE vals SET price = 1.51 WHERE id = 1; UPDATE vals SET n = NULL WHERE id = 2;
	UPDATE vals SET e = 'y' WHERE id = 3;"
assert_status 1 "$CDCPACK" diff --format rows "$url" sqlite:lite.db
assert_eq "U vals id=1|U vals id=2|U vals id=3" "$(paste -sd'|' "$T/last.out")" "changed rows"

# sql in MySQL's dialect turns the MySQL side into the SQLite one.
sqlite3 lite.db "DELETE FROM vals WHERE id = 2;
	INSERT INTO vals VALUES (4, 99.99, '-1', 2.5, -2.5, '2030-06-01 12:00:00.5', '2030-06-01 12:00:00',
		'2030-06-01', '12:00:00', 2030, '9223372036854775808', X'5C27', 'back\\slash ''q''', 'x', 4);"
assert_status 1 "$CDCPACK" diff --format sql "$url" sqlite:lite.db
cp "$T/last.out" change.sql
assert_contains change.sql "SET time_zone = '+00:00';"
assert_contains change.sql "DELETE FROM \`vals\` WHERE \`id\` = 2;"
mysql_root -D "$db" <change.sql || fail "the statements do not apply to MySQL: $(cat change.sql)"
assert_status 0 "$CDCPACK" diff "$url" sqlite:lite.db
assert_eq "$(sqlite3 lite.db "SELECT hex(t) FROM vals WHERE id = 4") 5C27" \
	"$(mysql_exec "$db" "SELECT HEX(t), HEX(b) FROM vals WHERE id = 4" | tr '\t' ' ')" \
	"text with a backslash, and bytes"

# MySQL <-> MySQL: a copy compares equal, a change is found.
db2=$(mysql_fresh_db canon_copy)
mysql_exec "$db2" "CREATE TABLE vals LIKE \`$db\`.vals; INSERT INTO vals SELECT * FROM \`$db\`.vals;"
assert_status 0 "$CDCPACK" diff "$url" "$(mysql_url "$db2")"
mysql_exec "$db2" "UPDATE vals SET f = 0.2 WHERE id = 1"
assert_status 1 "$CDCPACK" diff --format rows "$url" "$(mysql_url "$db2")"
assert_eq "U vals id=1" "$(cat "$T/last.out")" "MySQL <-> MySQL change"
