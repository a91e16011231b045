#!/usr/bin/env bash
# SQLite keys that differ only by trailing spaces or letter case ('a',
# 'a ', 'a  ', 'A') are distinct rows; a MariaDB replica that apply creates
# keeps them apart (its text columns are utf8mb4_nopad_bin: utf8mb4_bin pads
# and would merge 'a' and 'a '), through a load and later changes, in
# trigger and snapshot mode. A replica table made before (utf8mb4_bin) keeps
# working: apply warns, naming the table, the key column and the ALTER that
# fixes it; after that ALTER and a load, the replica equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"

schema="CREATE TABLE t(k TEXT PRIMARY KEY, v INT, note TEXT);
	CREATE TABLE ck(a TEXT NOT NULL, b TEXT NOT NULL, v INT, PRIMARY KEY(a, b));
	INSERT INTO t VALUES('a', 1, 'x'), ('a ', 2, 'x '), ('a  ', 3, NULL), ('A', 4, ''), (' a', 5, ' ');
	INSERT INTO ck VALUES('x', 'y', 1), ('x ', 'y', 2), ('x', 'y ', 3);"
changes="UPDATE t SET v = 20 WHERE k = 'a ';
	DELETE FROM t WHERE k = 'a';
	UPDATE t SET k = 'A ' WHERE k = 'A';
	INSERT INTO t VALUES('b', 6, 'b'), ('b ', 7, 'b ');
	UPDATE ck SET v = 30 WHERE a = 'x' AND b = 'y ';
	DELETE FROM ck WHERE a = 'x ';"

# same_rows DB: each table's rows as hex, SQLite source against MariaDB DB.
same_rows() {
	local what=$1 db=$2
	assert_eq "$(sqlite3 -separator $'\t' "$SRC_DB" "SELECT hex(k), v, hex(note) FROM t ORDER BY hex(k)")" \
		"$(mysql_exec "$db" "SELECT HEX(k), v, HEX(note) FROM t ORDER BY HEX(k)" | sed 's/\tNULL$/\t/')" \
		"$what: rows of t"
	assert_eq "$(sqlite3 -separator $'\t' "$SRC_DB" "SELECT hex(a), hex(b), v FROM ck ORDER BY 1, 2")" \
		"$(mysql_exec "$db" "SELECT HEX(a), HEX(b), v FROM ck ORDER BY 1, 2")" "$what: rows of ck"
}

for mode in trigger snapshot; do
	core_use "$T/$mode"
	sql "$schema"
	myrep=$(mysql_fresh_db "pad_$mode")
	core_start_capture $mode
	cdc apply --to "$(mysql_url "$myrep")"
	assert_eq 5 "$(mysql_exec "$myrep" 'SELECT COUNT(*) FROM t')" "$mode: rows of t after the load"
	same_rows "$mode, load" "$myrep"
	assert_eq "utf8mb4_nopad_bin utf8mb4_nopad_bin" \
		"$(mysql_exec "$myrep" "SELECT COLLATION_NAME FROM information_schema.COLUMNS
			WHERE TABLE_SCHEMA = '$myrep' AND TABLE_NAME = 't' AND COLUMN_NAME IN ('k', 'note')" | paste -sd' ')" \
		"$mode: collations of the replica's text columns"
	sql "$changes"
	cdc run
	cdc apply --to "$(mysql_url "$myrep")"
	same_rows "$mode, changes" "$myrep"
	cdc verify --against "$(mysql_url "$myrep")"
	assert_not_contains "$T/last.err" "collation"
done

# A replica table as an earlier cdcpack made it: utf8mb4_bin merges 'a' and 'a '.
old=$(mysql_fresh_db pad_old)
mysql_exec "$old" "CREATE TABLE t (k varchar(255) NOT NULL, v bigint NULL, note longtext NULL,
	PRIMARY KEY (k)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
cdc apply --to "$(mysql_url "$old")"
fix="ALTER TABLE \`t\` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin"
assert_contains "$T/last.err" "replica table t: key column k has collation utf8mb4_bin"
assert_contains "$T/last.err" "$fix"
assert_eq 1 "$(grep -c 'has collation' "$T/last.err")" "warnings (only t was made before)"
cdc_status 1 verify --against "$(mysql_url "$old")"
mysql_exec "$old" "$fix"
cdc load t
cdc apply --to "$(mysql_url "$old")"
assert_not_contains "$T/last.err" "has collation"
same_rows "replica made before, after the ALTER and a load" "$old"
cdc verify --against "$(mysql_url "$old")"
