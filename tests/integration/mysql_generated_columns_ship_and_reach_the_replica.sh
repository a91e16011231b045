#!/usr/bin/env bash
# MariaDB generated columns (VIRTUAL and PERSISTENT/STORED) ship like any
# other column: the load and the changes carry their values, and MariaDB and
# SQLite replicas hold them equal to the source's.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db generated)
replica=$(mysql_fresh_db generated_replica)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, a int, g int AS (a * 2) STORED,
	v int AS (a + 1) VIRTUAL, b varchar(10));
	INSERT INTO t (id, a, b) VALUES (1, 5, 'x'), (2, 6, 'y')"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load
mysql_exec "$db" "INSERT INTO t (id, a, b) VALUES (3, 7, 'z'); UPDATE t SET a = 9 WHERE id = 1;
	DELETE FROM t WHERE id = 2"
assert_status 0 "$CDCPACK" run
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
want=$(printf '1 9 18 10 x\n3 7 14 8 z')
assert_eq "$want" "$(mysql_exec "$replica" "SELECT id, a, g, v, b FROM t ORDER BY id" | tr '\t' ' ')" "MariaDB replica"
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_eq "$want" "$(sqlite3 -separator ' ' "$T/replica.db" "SELECT id, a, g, v, b FROM t ORDER BY id")" "SQLite replica"
