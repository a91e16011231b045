#!/usr/bin/env bash
# Every MySQL type cdcpack promises to carry (docs/design.md §8, issue 5) survives
# source -> load + cdc archives -> a MySQL replica, unchanged:
# BLOB/BINARY bytes (a 300 KB LONGBLOB included), DECIMAL exact, DATETIME/
# TIMESTAMP/TIME with fractions (a TIMESTAMP written from a +05:00 session
# arrives in UTC), DATE, YEAR, BIT, ENUM/SET, JSON, BIGINT UNSIGNED,
# FLOAT/DOUBLE bit-exact, utf8mb4 with 4-byte characters, NULL vs ''. Also
# composite keys, a key change (D + I), and names with spaces.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

mysql_types_fixture types

# The key change shipped as D(old) + I(new), the case change of a key too.
cdc=$(find "$T/bucket/cdc" -name '*-00000002-*.tar.zst')
tar -xOf "$cdc" --wildcards 'odd name/2*.csv' >"$T/odd.csv"
assert_eq "D,a,1,one
I,A,1,one
U,b,2,deux
I,c,3," "$(cat "$T/odd.csv")" "odd name cdc file"
tar -xOf "$cdc" --wildcards 'types/2*.csv' | cut -c1-40 >"$T/types.csv"
assert_contains "$T/types.csv" "D,4,"
assert_contains "$T/types.csv" "I,5,"

# A canonical view of a MySQL table: bytes as hex, FLOAT widened exactly.
canon='SELECT id, ti, bu, bs, CAST(f AS DOUBLE), d, dec1, dt, ts, tm, da, y, HEX(b), e, s, j,
  HEX(vc), HEX(tx), MD5(bl), LENGTH(bl), HEX(bin), HEX(vb), vc IS NULL FROM types ORDER BY id'

replica=$(mysql_fresh_db types_replica)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_eq "$(mysql_exec "$db" "$canon")" "$(mysql_exec "$replica" "$canon")" "MySQL replica types"
assert_eq "$(mysql_exec "$db" 'SELECT * FROM `odd name` ORDER BY 2')" \
	"$(mysql_exec "$replica" 'SELECT * FROM `odd name` ORDER BY 2')" "MySQL replica odd name"
assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$replica")"

