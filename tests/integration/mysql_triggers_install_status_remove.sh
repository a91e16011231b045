#!/usr/bin/env bash
# triggers install creates the changelog and three triggers per table, is
# idempotent (a second install changes nothing), status reports them,
# remove drops them and keeps the changelog unless --drop-changelog. A table
# without a primary key is refused by name; one with a unique NOT NULL key
# is keyed by it, and status says so.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db triggers)
mysql_exec "$db" "
CREATE TABLE a (id int PRIMARY KEY, v varchar(10));
CREATE TABLE b (x varchar(5) NOT NULL, y int NOT NULL, z text, PRIMARY KEY (y, x));
CREATE TABLE u (code char(3) NOT NULL, n int, UNIQUE KEY code_uk (code));
CREATE TABLE nokey (n int, m int);"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket" \
	'[capture]' 'tables = a, b, u'
export CDCPACK_CONFIG=$T/cdcpack.conf

triggers() { mysql_exec "$db" "SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME FROM information_schema.TRIGGERS
	WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1, 2" | tr '\t' ' '; }

assert_status 0 "$CDCPACK" triggers install
assert_eq "a cdcpack_changelog_a_ad
a cdcpack_changelog_a_ai
a cdcpack_changelog_a_au
b cdcpack_changelog_b_ad
b cdcpack_changelog_b_ai
b cdcpack_changelog_b_au
u cdcpack_changelog_u_ad
u cdcpack_changelog_u_ai
u cdcpack_changelog_u_au" "$(triggers)" "triggers after install"
assert_eq "cdcpack_changelog
cdcpack_changelog_owner
cdcpack_changelog_schema" "$(mysql_exec "$db" "SHOW TABLES LIKE 'cdcpack%'")" "own tables"
assert_eq "InnoDB" "$(mysql_exec "$db" "SELECT ENGINE FROM information_schema.TABLES
	WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'cdcpack_changelog'")" "changelog engine"

# Idempotent: the same columns keep the same version.
assert_status 0 "$CDCPACK" triggers install
assert_eq "a 1
b 1
u 1" "$(mysql_exec "$db" 'SELECT tbl, MAX(ver) FROM cdcpack_changelog_schema GROUP BY tbl ORDER BY tbl' | tr '\t' ' ')" \
	"versions after a second install"

mysql_exec "$db" "INSERT INTO a VALUES (1, 'x'), (2, 'y'); UPDATE u SET n = 1;
	INSERT INTO b VALUES ('k', 1, 'z')"
assert_status 0 "$CDCPACK" triggers status
assert_contains "$T/last.out" "installed"
grep -E '^a +installed +no-drift +pending=2$' "$T/last.out" >/dev/null ||
	fail "status of a: $(cat "$T/last.out")"
grep -E '^b +installed +no-drift +pending=1$' "$T/last.out" >/dev/null ||
	fail "status of b: $(cat "$T/last.out")"
assert_contains "$T/last.out" "keyed by unique index code_uk"
assert_contains "$T/last.out" "TRUNCATE"

assert_status 0 "$CDCPACK" --json status
jq -e '.oldest_pending | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[.][0-9]{3}Z$")' "$T/last.out" \
	>/dev/null || fail "status --json oldest_pending: $(cat "$T/last.out")"

assert_status 0 "$CDCPACK" --json triggers status
jq -e '[.. | objects | select(.name == "a")][0] | .installed == true and .pending == 2' \
	"$T/last.out" >/dev/null || fail "--json status: $(cat "$T/last.out")"

# A table without any key is refused, by name, with what to do.
write_config "$T/nokey.conf" "$(mysql_url "$db")" "file:$T/bucket" '[capture]' 'tables = nokey'
assert_status 2 "$CDCPACK" -c "$T/nokey.conf" triggers install
assert_contains "$T/last.err" "nokey"
assert_contains "$T/last.err" "no primary key"
assert_eq "0" "$(mysql_exec "$db" "SELECT COUNT(*) FROM information_schema.TRIGGERS
	WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = 'nokey'")" "triggers on nokey"

assert_status 0 "$CDCPACK" triggers remove a
assert_eq "6" "$(triggers | wc -l)" "triggers left after removing a"
assert_status 0 "$CDCPACK" triggers status
grep -E '^a +not-installed' "$T/last.out" >/dev/null || fail "status after remove: $(cat "$T/last.out")"
assert_status 0 "$CDCPACK" triggers remove
assert_eq "" "$(triggers)" "triggers after remove"
assert_eq "3" "$(mysql_changelog_count "$db")" "changelog rows kept by remove"
assert_status 0 "$CDCPACK" triggers remove --drop-changelog
assert_eq "" "$(mysql_exec "$db" "SHOW TABLES LIKE 'cdcpack%'")" "own tables after --drop-changelog"
