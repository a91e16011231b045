#!/usr/bin/env bash
# MariaDB: `triggers remove a --drop-changelog` is refused while b's triggers
# still write to the changelog (exit 2 naming b); b's writes keep working and
# its change ships. A table out of [capture] tables with triggers is named by
# run and triggers status; removing its triggers then dropping works.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db drop_changelog)
mysql_exec "$db" "CREATE TABLE a (id int PRIMARY KEY, v varchar(10));
	CREATE TABLE b (id int PRIMARY KEY, v varchar(10))"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load
mysql_exec "$db" "INSERT INTO b VALUES (1, 'unshipped')"
assert_status 2 "$CDCPACK" triggers remove a --drop-changelog
assert_contains "$T/last.err" "the triggers of b still write to the changelog cdcpack_changelog"
mysql_exec "$db" "INSERT INTO a VALUES (2, 'x'); INSERT INTO b VALUES (2, 'x')"
assert_eq 3 "$(mysql_changelog_count "$db")" "changelog rows"

write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket" '[capture]' 'tables = a'
assert_status 0 "$CDCPACK" run
assert_contains "$T/last.err" "table b is not captured"
assert_status 0 "$CDCPACK" triggers status
assert_contains "$T/last.out" "cdcpack triggers remove b"
assert_status 0 "$CDCPACK" triggers remove b
assert_status 0 "$CDCPACK" triggers remove --drop-changelog
assert_eq "" "$(mysql_exec "$db" "SHOW TABLES LIKE 'cdcpack%'")" "own tables after the drop"
mysql_exec "$db" "INSERT INTO a VALUES (3, 'x'); INSERT INTO b VALUES (3, 'x')"
