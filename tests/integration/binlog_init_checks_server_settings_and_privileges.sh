#!/usr/bin/env bash
# [capture] mode = binlog: the config takes it for mysql:// sources only;
# `init` checks the server's binary log settings (binlog_format=ROW,
# binlog_row_image=FULL, changed here at runtime with SET GLOBAL), the
# user's REPLICATION SLAVE and BINLOG MONITOR privileges, and text columns
# in character sets the log does not hold as UTF-8, each missing one refused
# with exit 2 naming it and what fixes it; a run checks them too.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db binlog_init)
mysql_exec "$db" "CREATE TABLE people(id INT PRIMARY KEY, name VARCHAR(40))"
user=cdc_binlog
for host in localhost 127.0.0.1; do
	mysql_root -e "DROP USER IF EXISTS '$user'@'$host';
		CREATE USER '$user'@'$host' IDENTIFIED BY '$CDCPACK_TEST_MYSQL_PASSWORD';
		GRANT SELECT ON \`$db\`.* TO '$user'@'$host';"
done
restore() {
	mysql_root -e "SET GLOBAL binlog_format = 'ROW'; SET GLOBAL binlog_row_image = 'FULL';
		DROP USER IF EXISTS '$user'@'localhost'; DROP USER IF EXISTS '$user'@'127.0.0.1'" || true
}
trap '_rc=$?; restore; (exit $_rc); cleanup_tmp' EXIT
grant() {
	local host
	for host in localhost 127.0.0.1; do mysql_root -e "GRANT $1 ON *.* TO '$user'@'$host'"; done
}

url="mysql://$user@$CDCPACK_TEST_MYSQL_HOST:$CDCPACK_TEST_MYSQL_PORT/$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
export CDCPACK_CONFIG=$T/cdcpack.conf

# No replication privilege at all: both named, and the GRANT that gives them.
assert_status 2 "$CDCPACK" init
assert_contains "$T/last.err" "user $user lacks the privilege REPLICATION SLAVE, BINLOG MONITOR"
assert_contains "$T/last.err" "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '$user'@'...'"
assert_not_contains "$T/last.err" "binlog_format"

grant 'REPLICATION SLAVE'
assert_status 2 "$CDCPACK" init
assert_contains "$T/last.err" "lacks the privilege BINLOG MONITOR needed to read the binary log"
assert_contains "$T/last.err" "GRANT BINLOG MONITOR ON *.* TO '$user'@'...'"
assert_not_contains "$T/last.err" "REPLICATION SLAVE"

grant 'BINLOG MONITOR'
assert_status 0 "$CDCPACK" init
assert_contains "$T/last.out" "mode       binlog"

# The server's settings, changed at runtime: each named with its fix.
mysql_root -e "SET GLOBAL binlog_format = 'STATEMENT'"
assert_status 2 "$CDCPACK" init
assert_contains "$T/last.err" "binlog_format is STATEMENT, binlog capture needs ROW: SET GLOBAL binlog_format = 'ROW'"
assert_not_contains "$T/last.err" "binlog_row_image"
mysql_root -e "SET GLOBAL binlog_row_image = 'MINIMAL'"
assert_status 2 "$CDCPACK" init
assert_contains "$T/last.err" "binlog_format is STATEMENT"
assert_contains "$T/last.err" "binlog_row_image is MINIMAL, binlog capture needs FULL: SET GLOBAL binlog_row_image = 'FULL'"
mysql_root -e "SET GLOBAL binlog_format = 'ROW'; SET GLOBAL binlog_row_image = 'FULL'"
assert_status 0 "$CDCPACK" init

# A run checks the same, and publishes nothing when refused.
mysql_root -e "SET GLOBAL binlog_row_image = 'MINIMAL'"
assert_status 2 "$CDCPACK" run
assert_contains "$T/last.err" "binlog_row_image is MINIMAL, binlog capture needs FULL"
[[ -z $(find "$T/bucket" -name '*.tar*' 2>/dev/null) ]] || fail "a refused run published"
mysql_root -e "SET GLOBAL binlog_row_image = 'FULL'"
assert_status 0 "$CDCPACK" run
[[ -z $(mysql_exec "$db" "SHOW TRIGGERS") ]] || fail "binlog mode must not create triggers"

# A text column the log holds in another character set than UTF-8.
mysql_exec "$db" "CREATE TABLE legacy(id INT PRIMARY KEY, t VARCHAR(10) CHARACTER SET latin1, u TEXT)"
assert_status 2 "$CDCPACK" init
assert_contains "$T/last.err" "table legacy: column t is in character set latin1, which binlog mode does not convert to UTF-8 yet"
assert_not_contains "$T/last.err" "column u"
mysql_exec "$db" "ALTER TABLE legacy CONVERT TO CHARACTER SET utf8mb4"
assert_status 0 "$CDCPACK" init

# No binary log outside MySQL/MariaDB: the key is named.
sqlite3 "$T/shop.db" "CREATE TABLE t(id INTEGER PRIMARY KEY)"
write_config "$T/lite.conf" "sqlite:$T/shop.db" "file:$T/bucket" '[capture]' 'mode = binlog'
assert_status 2 "$CDCPACK" -c "$T/lite.conf" init
assert_contains "$T/last.err" "[capture] mode: binlog applies to mysql:// sources only"
echo ok
