#!/usr/bin/env bash
# A documented limit (tests/torture/FINDINGS.md F43, README "Trigger mode"):
# a MariaDB row image spells a BLOB with HEX(), and MariaDB refuses a string
# function's result over max_allowed_packet, so with the triggers a write of
# a BLOB over half max_allowed_packet fails (ERROR 1301) where it succeeds
# without them. `triggers install` names the column and the limit; the
# refused write leaves neither the row nor a changelog row (no hole); a
# value just under the limit is written and reaches the replica exactly.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db bigblob)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, b longblob)"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
packet=$(mysql_exec "$db" "SELECT @@GLOBAL.max_allowed_packet")
assert_contains "$T/last.err" "column b can hold values beyond what a row image carries: with max_allowed_packet = $((packet >> 20)) MiB, a write of a row over about $((packet >> 21)) MiB"

over=$((packet / 2 + 1024))
under=$((packet / 2 - 8192))
if mysql_exec "$db" "INSERT INTO t VALUES (1, REPEAT('h', $over))" 2>"$T/over.err"; then
	fail "a BLOB of $over bytes (over max_allowed_packet/2) was written with the triggers"
fi
assert_contains "$T/over.err" "ERROR 1301"
assert_eq 0 "$(mysql_exec "$db" "SELECT COUNT(*) FROM t")" "rows after the refused write"
assert_eq 0 "$(mysql_changelog_count "$db")" "changelog rows after the refused write"

mysql_exec "$db" "INSERT INTO t VALUES (2, REPEAT('h', $under))"
assert_status 0 "$CDCPACK" run
rep=$(mysql_fresh_db bigblob_r)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$rep")"
assert_eq "2	$under	$(mysql_exec "$db" "SELECT MD5(b) FROM t")" \
	"$(mysql_exec "$rep" "SELECT id, LENGTH(b), MD5(b) FROM t")" "the replica's row"
