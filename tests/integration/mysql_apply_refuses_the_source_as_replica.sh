#!/usr/bin/env bash
# apply --to the source's own MySQL database (same server and database,
# over TCP or the socket) or to any database holding cdcpack's changelog is
# refused with exit 2 before anything is written there.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db refuse_src)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, v varchar(20)); INSERT INTO t VALUES (1, 'a')"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load
mysql_exec "$db" "INSERT INTO t VALUES (2, 'unpublished')"
before=$(mysql_dump "$db" t)

localhost_url="mysql://$CDCPACK_TEST_MYSQL_USER@localhost:$CDCPACK_TEST_MYSQL_PORT/$db"
for to in "$(mysql_url "$db")" "$localhost_url" "$(mysql_socket_url "$db")"; do
	assert_status 2 "$CDCPACK" apply --to "$to"
	assert_contains "$T/last.err" "source"
	assert_eq "$before" "$(mysql_dump "$db" t)" "source rows after apply --to $to"
	assert_eq "1" "$(mysql_changelog_count "$db")" "pending changes"
	assert_eq "0" "$(mysql_exec "$db" "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$db' AND TABLE_NAME = 'cdcpack_applied'")" "bookkeeping table in the source"
done

# Another captured database is no replica either.
other=$(mysql_fresh_db refuse_other)
mysql_exec "$other" "CREATE TABLE cdcpack_changelog (seq bigint PRIMARY KEY)"
assert_status 2 "$CDCPACK" apply --to "$(mysql_url "$other")"
assert_contains "$T/last.err" "changelog table cdcpack_changelog"

replica=$(mysql_fresh_db refuse_replica)
assert_status 0 "$CDCPACK" run
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_eq "$(mysql_dump "$db" t)" "$(mysql_dump "$replica" t)" "replica rows"
