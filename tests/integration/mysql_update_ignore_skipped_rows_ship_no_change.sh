#!/usr/bin/env bash
# tests/torture/FINDINGS.md F12. UPDATE IGNORE skips a row
# whose new values collide (primary key, secondary UNIQUE key, foreign key),
# yet MariaDB still fires the table's AFTER UPDATE trigger for it: the
# changelog then holds a change the source never made (a key change ships
# as D + I), and apply makes the replica lose a row and overwrite another.
# The source is unchanged, so the replica must be too. Rows the same
# statement did change ship, and so do multi-row key shifts (each row's
# trigger sees its old key already left) and case-only key changes under a
# *_ci collation.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db updign)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, v int);
CREATE TABLE u (id int PRIMARY KEY, e int UNIQUE, v int);
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (id int PRIMARY KEY, pid int, FOREIGN KEY (pid) REFERENCES p (id));
INSERT INTO t VALUES (1, 10), (2, 20);
INSERT INTO u VALUES (1, 1, 10), (2, 2, 20);
INSERT INTO p VALUES (1);
INSERT INTO c VALUES (1, 1);
CREATE TABLE s (id int PRIMARY KEY, v int);
INSERT INTO s VALUES (1, 1), (2, 2), (3, 3);
CREATE TABLE k (name varchar(10) COLLATE utf8mb4_general_ci PRIMARY KEY, v int);
INSERT INTO k VALUES ('a', 1), ('b', 2);
CREATE TABLE w (id int PRIMARY KEY, name varchar(10) UNIQUE, bin varbinary(8) UNIQUE,
  d double UNIQUE, dt datetime(3) UNIQUE, dec1 decimal(6,2) UNIQUE, tx text, bl blob);
INSERT INTO w VALUES (1, 'x', 'x', 1.5, '2024-01-01 00:00:00.001', 1.25, 't1', 'b1'),
  (2, 'y', 'y', 2.5, '2024-01-02 00:00:00.002', 2.25, 't2', 'b2');"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load

before=$(for t in t u p c w; do mysql_dump "$db" $t; done)
# Each statement is skipped with a warning: the source does not change.
# In w, each skipped row differs from the stored one only in columns of one
# kind (text, binary, DOUBLE, DATETIME, DECIMAL): the update trigger
# compares each kind by its own expression.
mysql_exec "$db" "UPDATE IGNORE t SET id = 2, v = 99 WHERE id = 1;
UPDATE IGNORE u SET e = 2, v = 99 WHERE id = 1;
UPDATE IGNORE c SET pid = 7 WHERE id = 1;
UPDATE IGNORE w SET name = 'y', tx = 'changed' WHERE id = 1;
UPDATE IGNORE w SET bin = 'y', bl = 'changed' WHERE id = 1;
UPDATE IGNORE w SET d = 2.5 WHERE id = 1;
UPDATE IGNORE w SET dt = '2024-01-02 00:00:00.002' WHERE id = 1;
UPDATE IGNORE w SET dec1 = 2.25 WHERE id = 1;"
assert_eq "$before" "$(for t in t u p c w; do mysql_dump "$db" $t; done)" "source after UPDATE IGNORE"

assert_status 0 "$CDCPACK" run
replica=$(mysql_fresh_db updign_r)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
for t in t u c w; do
	assert_eq "$(mysql_dump "$db" $t)" "$(mysql_dump "$replica" $t)" "replica table $t"
done
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_eq "$(printf '1|10\n2|20')" "$(sqlite3 "$T/replica.db" "SELECT * FROM t ORDER BY id")" \
	"SQLite replica table t"

# Then statements that change some rows and skip others, key shifts (each
# row's trigger finds its old key left), and a case-only key change.
mysql_exec "$db" "UPDATE IGNORE u SET e = 3, v = 30 ORDER BY id;
UPDATE IGNORE t SET id = id + 1, v = v + 1 ORDER BY id;
UPDATE s SET id = id + 1 ORDER BY id DESC;
UPDATE IGNORE s SET id = id + 1 ORDER BY id;
UPDATE IGNORE k SET name = 'B' WHERE name = 'a';
UPDATE IGNORE k SET name = 'A', v = 10 WHERE name = 'a';
UPDATE IGNORE c SET pid = 8, id = 2 WHERE id = 1;"
assert_eq "$(printf '1\t3\t30\n2\t2\t20')" "$(mysql_dump "$db" u)" "source u after a partial UPDATE IGNORE"
assert_eq "$(printf '1\t10\n3\t21')" "$(mysql_dump "$db" t)" "source t after a partial key shift"
assert_eq "$(printf '2\t1\n3\t2\n5\t3')" "$(mysql_dump "$db" s)" "source s after the key shifts"
assert_eq "$(printf '1\t1')" "$(mysql_dump "$db" c)" "source c after a skipped key change"
assert_eq "$(printf 'A\t10\nb\t2')" "$(mysql_dump "$db" k)" "source k after the case-only key change"
assert_status 0 "$CDCPACK" run
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
for t in t u c s; do
	assert_eq "$(mysql_dump "$db" $t)" "$(mysql_dump "$replica" $t)" "replica table $t after the partial updates"
done
assert_eq "$(mysql_exec "$db" 'SELECT HEX(name), v FROM k ORDER BY 1')" \
	"$(mysql_exec "$replica" 'SELECT HEX(name), v FROM k ORDER BY 1')" "replica table k"
assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$replica")"
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_eq "$(printf '1|10\n3|21')" "$(sqlite3 "$T/replica.db" "SELECT * FROM t ORDER BY id")" \
	"SQLite replica table t after the partial key shift"
assert_eq "$(printf 'A|10\nb|2')" "$(sqlite3 "$T/replica.db" "SELECT * FROM k ORDER BY name")" \
	"SQLite replica table k (the case-only key change)"
