#!/usr/bin/env bash
# The update trigger logs a U only when the row at the key holds NEW
# (tests/torture/FINDINGS.md F12: MariaDB fires it for rows UPDATE IGNORE
# skips). A false "differs" would lose a change, so every type cdcpack
# carries is updated here from a +05:00 session, each value to another one
# (FLOAT, DOUBLE, DECIMAL, BIT, JSON, TIMESTAMP, BLOB, NULL <-> value), with
# a generated column, ON UPDATE CURRENT_TIMESTAMP, a case-insensitive key,
# and a no-op update: every change reaches the replica. A no-op update of
# a row with ON UPDATE CURRENT_TIMESTAMP (g, id 2) must ship nothing:
# MariaDB's NEW holds a new timestamp the row never gets, which the
# earlier trigger shipped (verify found g differing on main's binary).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

mysql_types_fixture updtypes
mysql_exec "$db" "CREATE TABLE g (id int PRIMARY KEY, a int, twice int AS (a * 2) VIRTUAL,
  st int AS (a + 1) STORED, changed timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
  ON UPDATE CURRENT_TIMESTAMP(6), v varchar(10));
CREATE TABLE ci (k varchar(10) COLLATE utf8mb4_general_ci PRIMARY KEY, v int);
INSERT INTO g (id, a, v) VALUES (1, 1, 'x'), (2, 2, NULL);
INSERT INTO ci VALUES ('a', 1), ('b', 2);"
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load g ci

blob2=$(head -c 200000 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
mysql_exec "$db" "
SET time_zone = '+05:00';
UPDATE types SET ti = 127, bu = 18446744073709551615, bs = 0, f = 0.1, d = 0.1,
  dec1 = 0.0000000001, dt = '1970-01-01 00:00:00.000001', ts = '2024-10-27 01:30:00.5',
  tm = '00:00:00.01', da = '1000-01-01', y = 1901, b = b'0000000001', e = 'print', s = '',
  j = '{\"b\": 1e2, \"c\": null}', vc = 'é 😀', tx = NULL, bl = UNHEX('$blob2'),
  bin = UNHEX('FF'), vb = NULL WHERE id = 1;
UPDATE types SET d = -0.0, f = -0.0, vc = NULL, tx = 'now text', bl = NULL WHERE id = 2;
UPDATE types SET d = 1.7976931348623157e308, f = 1e-45, vc = '' WHERE id = 5;
UPDATE types SET ts = NULL, j = '[]' WHERE id = 100;
UPDATE types SET vc = vc WHERE id = 1;
UPDATE g SET a = 10, v = 'y' WHERE id = 1;
UPDATE g SET v = 'z' WHERE id = 2;
UPDATE g SET a = a WHERE id = 2;
UPDATE ci SET v = 10 WHERE k = 'a';
UPDATE ci SET k = 'B', v = 20 WHERE k = 'b';"
assert_status 0 "$CDCPACK" run

canon='SELECT id, ti, bu, bs, CAST(f AS DOUBLE), d, dec1, dt, UNIX_TIMESTAMP(ts), tm, da, y, HEX(b),
  e, s, j, HEX(vc), HEX(tx), MD5(bl), LENGTH(bl), HEX(bin), HEX(vb), vc IS NULL FROM types ORDER BY id'
replica=$(mysql_fresh_db updtypes_r)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_eq "$(mysql_exec "$db" "$canon")" "$(mysql_exec "$replica" "$canon")" "MySQL replica types"
assert_eq "$(mysql_exec "$db" 'SELECT id, a, twice, st, v FROM g ORDER BY id')" \
	"$(mysql_exec "$replica" 'SELECT id, a, twice, st, v FROM g ORDER BY id')" "MySQL replica g"
assert_eq "$(mysql_exec "$db" 'SELECT HEX(k), v FROM ci ORDER BY 1')" \
	"$(mysql_exec "$replica" 'SELECT HEX(k), v FROM ci ORDER BY 1')" "MySQL replica ci"
assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$replica")"
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_eq "$(printf 'B|20\na|10')" "$(sqlite3 "$T/replica.db" "SELECT k, v FROM ci ORDER BY k")" \
	"SQLite replica ci (the case-only key change shipped as D + I)"
assert_eq "$(printf '1|10|y\n2|2|z')" "$(sqlite3 "$T/replica.db" "SELECT id, a, v FROM g ORDER BY id")" \
	"SQLite replica g"
