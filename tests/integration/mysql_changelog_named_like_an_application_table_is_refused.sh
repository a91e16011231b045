#!/usr/bin/env bash
# MariaDB: `[capture] changelog` naming an application table is refused by
# init and triggers install (exit 2, naming the key and the table); the
# table is not ALTERed and the application's INSERTs keep working. A user
# table with a reserved name (cdcpack_applied) named in tables is refused as
# reserved.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db changelog_clash)
mysql_exec "$db" "CREATE TABLE orders (id int PRIMARY KEY, item varchar(20));
	CREATE TABLE a (id int PRIMARY KEY, v varchar(10));
	CREATE TABLE cdcpack_applied (id int PRIMARY KEY)"
before=$(mysql_exec "$db" "SHOW CREATE TABLE orders")
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket" '[capture]' 'changelog = orders'
export CDCPACK_CONFIG=$T/cdcpack.conf
for cmd in init "triggers install"; do
	# shellcheck disable=SC2086 # the command's words
	assert_status 2 "$CDCPACK" $cmd
	assert_contains "$T/last.err" "changelog = orders"
	assert_contains "$T/last.err" "'orders'"
done
assert_eq "$before" "$(mysql_exec "$db" "SHOW CREATE TABLE orders")" "orders after the refusals"
mysql_exec "$db" "INSERT INTO orders VALUES (1, 'still works'); INSERT INTO a VALUES (1, 'x')"
assert_eq 0 "$(mysql_exec "$db" "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()")" "triggers"

write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket" '[capture]' 'tables = a, cdcpack_applied'
assert_status 2 "$CDCPACK" triggers install
assert_contains "$T/last.err" "'cdcpack_applied' has a name cdcpack reserves"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" triggers install
