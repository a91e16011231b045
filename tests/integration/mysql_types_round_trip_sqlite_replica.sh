#!/usr/bin/env bash
# Every MySQL type cdcpack promises to carry (docs/design.md §8, issue 5) survives
# source -> load + cdc archives -> a SQLite replica, value by value:
# BLOB/BINARY bytes (a 300 KB LONGBLOB included), DECIMAL exact, DATETIME/
# TIMESTAMP/TIME with fractions (a TIMESTAMP written from a +05:00 session
# arrives in UTC), DATE, YEAR, BIT, ENUM/SET, JSON, BIGINT UNSIGNED,
# FLOAT/DOUBLE bit-exact, utf8mb4 with 4-byte characters, NULL vs ''. Also
# composite keys, a key change (D + I), and names with spaces.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

mysql_types_fixture types_sqlite

assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_status 0 "$CDCPACK" verify --against "sqlite:$T/replica.db"
q() { sqlite3 "$T/replica.db" "$1"; }
assert_eq "integer|-128" "$(q 'SELECT typeof(ti), ti FROM types WHERE id=1')" "tinyint"
assert_eq "9223372036854775807" "$(q 'SELECT bu FROM types WHERE id=1')" "bigint unsigned"
assert_eq "-9223372036854775808" "$(q 'SELECT bs FROM types WHERE id=1')" "bigint min"
# FLOAT 1.0000001 arrives as its own fewest digits (README "Formats"), not
# as the double 1.0000001192092896 it widens to.
assert_eq "real|1.0000001000000001|1.0000000000000002" \
	"$(q "SELECT typeof(f), printf('%!.17g', f), printf('%!.17g', d) FROM types WHERE id=1")" \
	"float and double"
# Exact bits: SQLite's shell prints the smallest subnormal as 4.94065645841247e-324.
assert_eq "real|1|real|1" \
	"$(q "SELECT (SELECT typeof(d) FROM types WHERE id=2), (SELECT d = 1e308 FROM types WHERE id=2),
	      (SELECT typeof(d) FROM types WHERE id=5), (SELECT d = 4.9406564584124654e-324 FROM types WHERE id=5)")" \
	"double extremes"
assert_eq "-12345678901234567890.0123456789" "$(q 'SELECT dec1 FROM types WHERE id=1')" "decimal"
assert_eq "2024-02-29 23:59:59.123456|2024-03-30 22:30:00.123|-838:59:59.99|2024-01-01|2024" \
	"$(q 'SELECT dt, ts, tm, da, y FROM types WHERE id=1')" "temporal types (TIMESTAMP in UTC)"
assert_eq "blob|0201|b c|x,y" "$(q 'SELECT typeof(b), hex(b), e, s FROM types WHERE id=1')" \
	"bit, enum, set"
assert_eq '{"a": [1, 2.5, "\u00e9"]}' "$(q 'SELECT j FROM types WHERE id=1')" "json"
assert_eq "$(printf 'h\xc3\xa9llo \xf0\x9f\x98\x80 "q" \\ ,\nz')" \
	"$(q 'SELECT vc FROM types WHERE id=1')" "utf8mb4 text"
assert_eq "${blob^^}" "$(q 'SELECT hex(bl) FROM types WHERE id=1')" "300 KB longblob"
assert_eq "00010000||blob" "$(q "SELECT hex(bin), hex(vb), typeof(vb) FROM types WHERE id=1")" \
	"binary padding and empty varbinary"
assert_eq "text|text|0" "$(q 'SELECT typeof(vc), typeof(tx), length(bl) FROM types WHERE id=2')" \
	"empty strings stay empty strings"
assert_eq "" "$(q 'SELECT id FROM types WHERE id IN (3, 4)')" "deleted and re-keyed rows"
assert_eq "1|2|5|100" "$(q 'SELECT group_concat(id, "|") FROM (SELECT id FROM types ORDER BY id)')" \
	"ids"
