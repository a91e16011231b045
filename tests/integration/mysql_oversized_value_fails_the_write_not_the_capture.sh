#!/usr/bin/env bash
# A row image is built by MySQL string functions, capped by
# max_allowed_packet. A value too big for it must not become a hole in the
# change stream: the triggers run in strict mode, so the writer's statement
# fails instead, and `triggers status` names the limit for tables whose
# columns can reach it. Values under the limit (a few MiB) are shipped whole.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db big)
mysql_exec "$db" "CREATE TABLE big (id int PRIMARY KEY, b longblob); CREATE TABLE small (id int PRIMARY KEY, v varchar(10))"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" triggers status
assert_contains "$T/last.out" "column b can hold values beyond what a row image carries"
assert_contains "$T/last.out" "max_allowed_packet = 16 MiB"
assert_eq 1 "$(grep -c max_allowed_packet "$T/last.out")" "tables warned about the packet limit"
assert_status 0 "$CDCPACK" load

if mysql_exec "$db" "INSERT INTO big VALUES (1, REPEAT('a', 9000000))" 2>"$T/insert.err"; then
	fail "a 9 MB value was written although its image cannot be"
fi
assert_contains "$T/insert.err" "max_allowed_packet"
assert_eq 0 "$(mysql_exec "$db" 'SELECT COUNT(*) FROM big')" "rows in big after the failed write"

mysql_exec "$db" "INSERT INTO big VALUES (2, REPEAT('b', 3000000))"
assert_status 0 "$CDCPACK" run
cdc=$(find "$T/bucket/cdc" -name '*-00000002-*.tar.zst')
tar -xOf "$cdc" --wildcards 'big/2*.csv' >"$T/big.csv"
assert_eq "I,2,$(head -c 3000000 /dev/zero | tr '\0' b | od -An -tx1 -v | tr -d ' \n' | tr a-f A-F)" "$(cat "$T/big.csv")" \
	"the 3 MB value, whole"
