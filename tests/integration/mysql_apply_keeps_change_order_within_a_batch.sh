#!/usr/bin/env bash
# apply sends a MariaDB replica runs of upserts and of deletes as multi-row
# statements (issue 20); change order still holds within one batch. Keys
# deleted and re-inserted, updated several times, inserted then deleted, of
# a one-column key and a two-column one, interleaved with runs of changes of
# other keys, all in one cdc batch: the replica ends as the source is.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"

sql "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, b BLOB);
	CREATE TABLE ck(a TEXT NOT NULL, n INTEGER NOT NULL, v TEXT, PRIMARY KEY(a, n));
	WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 50)
	INSERT INTO t SELECT i, 'v ' || i, randomblob(i) FROM s;
	INSERT INTO ck VALUES ('x', 1, 'x1'), ('x', 2, 'x2'), ('y', 1, 'y1'), ('x ', 1, 'x 1');"
core_start_capture trigger
rep=$(mysql_fresh_db order)
cdc apply --to "$(mysql_url "$rep")"

# Key 1: deleted, re-inserted, updated three times, deleted, inserted again.
# Key 2: updated then deleted. Key 3: deleted then re-inserted. Key 100:
# inserted then updated twice. Key 101: inserted then deleted. Between
# them, runs of upserts and deletes of other keys; ck the same by (a, n).
sql "DELETE FROM t WHERE id = 1;
	UPDATE t SET v = 'run ' || id WHERE id BETWEEN 10 AND 20;
	INSERT INTO t VALUES (1, 're-inserted', x'00');
	UPDATE t SET v = 'u1' WHERE id = 1;
	DELETE FROM t WHERE id BETWEEN 30 AND 35;
	UPDATE t SET v = 'u2', b = x'ff00' WHERE id = 1;
	UPDATE t SET v = 'u3' WHERE id = 1;
	UPDATE t SET v = 'two' WHERE id = 2;
	DELETE FROM t WHERE id IN (1, 2, 3);
	INSERT INTO t VALUES (3, 'three again', NULL), (100, 'new', x'01');
	UPDATE t SET v = 'run2 ' || id WHERE id BETWEEN 12 AND 40;
	INSERT INTO t VALUES (1, 'final', x'2700'), (101, 'gone', NULL);
	UPDATE t SET v = 'newer' WHERE id = 100;
	DELETE FROM t WHERE id = 101;
	UPDATE t SET v = '' WHERE id = 100;
	INSERT INTO t VALUES (30, 'back', x'');
	DELETE FROM ck WHERE a = 'x' AND n = 1;
	UPDATE ck SET v = 'y1 changed' WHERE a = 'y';
	INSERT INTO ck VALUES ('x', 1, 'x1 again'), ('z', 9, 'z');
	UPDATE ck SET v = 'x1 changed' WHERE a = 'x' AND n = 1;
	DELETE FROM ck WHERE a = 'x ' OR a = 'z';
	INSERT INTO ck VALUES ('x ', 1, 'x 1 again');
	UPDATE ck SET v = 'x2 changed' WHERE a = 'x' AND n = 2;
	DELETE FROM ck WHERE a = 'x' AND n = 2;"
cdc run
assert_eq 2 "$(published_count)" "batches: the load and one cdc batch"
assert_eq 7 "$(cdc_rows | grep -c '^[IUD],1,')" "changes of key 1 in the batch"
cdc apply --to "$(mysql_url "$rep")"
assert_eq "$(sqlite3 -separator $'\t' "$SRC_DB" "SELECT id, hex(v), CASE WHEN b IS NULL THEN 'NULL' ELSE hex(b) END FROM t ORDER BY id")" \
	"$(mysql_exec "$rep" "SELECT id, HEX(v), IFNULL(HEX(b), 'NULL') FROM t ORDER BY id")" "rows of t"
assert_eq "$(sqlite3 -separator $'\t' "$SRC_DB" "SELECT hex(a), n, hex(v) FROM ck ORDER BY 1, 2")" \
	"$(mysql_exec "$rep" "SELECT HEX(a), n, HEX(v) FROM ck ORDER BY 1, 2")" "rows of ck"
cdc verify --against "$(mysql_url "$rep")"
