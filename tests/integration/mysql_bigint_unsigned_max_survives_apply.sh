#!/usr/bin/env bash
# BIGINT UNSIGNED beyond INT64_MAX (up to 18446744073709551615) travels as
# exact digits: in the load and cdc files, and into a MySQL replica, where
# rounding through a double would make 18446744073709551615 out of range.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db unsigned)
mysql_exec "$db" "CREATE TABLE u (id bigint unsigned PRIMARY KEY, v bigint unsigned);
	INSERT INTO u VALUES (18446744073709551615, 9223372036854775808)"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load
mysql_exec "$db" "INSERT INTO u VALUES (18446744073709551614, 18446744073709551615);
	UPDATE u SET v = 18446744073709551613 WHERE id = 18446744073709551615"
assert_status 0 "$CDCPACK" run

load=$(find "$T/bucket/cdc" -name '*-00000001-*.tar.zst')
cdc=$(find "$T/bucket/cdc" -name '*-00000002-*.tar.zst')
assert_eq "18446744073709551615,9223372036854775808" "$(tar -xOf "$load" u/LOAD00000001.csv)" \
	"load file"
assert_eq "I,18446744073709551614,18446744073709551615
U,18446744073709551615,18446744073709551613" "$(tar -xOf "$cdc" --wildcards 'u/2*.csv')" "cdc file"

replica=$(mysql_fresh_db unsigned_replica)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_eq "$(mysql_dump "$db" u)" "$(mysql_dump "$replica" u)" "replica rows"
assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$replica")"

# Into a SQLite replica: values above INT64_MAX stay exact digits (a column
# without INTEGER affinity keeps them as text), the others stay integers,
# and two keys above INT64_MAX remain two rows.
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_eq "text|18446744073709551614|text|18446744073709551615
text|18446744073709551615|text|18446744073709551613" \
	"$(sqlite3 "$T/replica.db" 'SELECT typeof(id), id, typeof(v), v FROM u ORDER BY id')" \
	"SQLite replica rows"
assert_status 0 "$CDCPACK" verify --against "sqlite:$T/replica.db"
mysql_exec "$db" "INSERT INTO u VALUES (7, 9223372036854775807)"
assert_status 0 "$CDCPACK" run
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_eq "integer|7|integer|9223372036854775807" \
	"$(sqlite3 "$T/replica.db" 'SELECT typeof(id), id, typeof(v), v FROM u WHERE id = 7')" \
	"values that fit stay integers"
assert_eq 3 "$(sqlite3 "$T/replica.db" 'SELECT count(*) FROM u')" "SQLite replica row count"
