#!/usr/bin/env bash
# Snapshot mode: a key column whose type changes (TEXT -> INTEGER) ships
# each row as I of the new key and D of the old one, and the I sorts first
# (integers before text). On a replica where both are one row, apply runs
# a snapshot batch's deletes first: the rows stay, SQLite and MySQL.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/snapshot.sh"
source "$ROOT/tests/lib/mysql.sh"

sql "CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT); INSERT INTO t VALUES ('1', 'a'), ('2', 'b');"
snapshot_config
cdc run
cdc apply --to "sqlite:$T/replica.db"
myrep=$(mysql_fresh_db snap_keytype)
cdc apply --to "$(mysql_url "$myrep")"

sql "CREATE TABLE t2 (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t2 SELECT CAST(id AS INTEGER), v FROM t;
     DROP TABLE t; ALTER TABLE t2 RENAME TO t; INSERT INTO t VALUES (3, 'c');"
cdc run
snapshot_check_chain
cdc apply --to "sqlite:$T/replica.db"
assert_eq "1|a
2|b
3|c" "$(sqlite3 "$T/replica.db" 'SELECT id, v FROM t ORDER BY CAST(id AS INTEGER)')" "SQLite replica rows"
cdc apply --to "$(mysql_url "$myrep")"
assert_eq "$(printf '1\ta\n2\tb\n3\tc')" "$(mysql_exec "$myrep" 'SELECT id, v FROM t ORDER BY CAST(id AS SIGNED)')" \
	"MySQL replica rows"

# The same from a MySQL source: MODIFY id INT on a VARCHAR key.
mkdir "$T/my" && cd "$T/my"
db=$(mysql_fresh_db snap_keytype_src)
mysql_exec "$db" "CREATE TABLE k (id varchar(10) PRIMARY KEY, v varchar(10)); INSERT INTO k VALUES ('1', 'a'), ('2', 'b')"
write_config "$T/my/cdcpack.conf" "$(mysql_url "$db")" "file:$T/my/bucket" '[capture]' 'mode = snapshot'
sed -i "s|^dir = .*|dir = $T/my/state|" "$T/my/cdcpack.conf"
export CDCPACK_CONFIG=$T/my/cdcpack.conf
cdc run
cdc apply --to "sqlite:$T/my/replica.db"
myrep2=$(mysql_fresh_db snap_keytype_rep)
cdc apply --to "$(mysql_url "$myrep2")"
mysql_exec "$db" "ALTER TABLE k MODIFY id int"
cdc run
cdc apply --to "sqlite:$T/my/replica.db"
assert_eq "1|a
2|b" "$(sqlite3 "$T/my/replica.db" 'SELECT id, v FROM k ORDER BY id')" "SQLite replica of MySQL"
cdc apply --to "$(mysql_url "$myrep2")"
assert_eq "$(printf '1\ta\n2\tb')" "$(mysql_exec "$myrep2" 'SELECT id, v FROM k ORDER BY id')" \
	"MySQL replica of MySQL"
