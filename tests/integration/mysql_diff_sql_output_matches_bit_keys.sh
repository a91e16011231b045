#!/usr/bin/env bash
# `diff --format sql` in MariaDB's dialect must reach rows keyed by a BIT
# column (FINDINGS.md F35). Blobs went as X'03FF', which MariaDB compares
# with a BIT column as a string read as a DECIMAL: the DELETE matched no
# row (silently) and the UPDATE failed under strict mode ("Truncated
# incorrect DECIMAL value"). They go as 0x03FF now (X'' when empty), which a
# BIT column reads as its number and a binary column as its bytes: a
# VARBINARY key (with an empty and a zero-byte key) and a BINARY(4) key
# pair by bytes too.
# Fails without the fix: the UPDATE is refused, then the DELETE leaves the row.
# Found by `python3 tests/torture/torture_diff_mysql.py --mode mm --seed 2`.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

da=$(mysql_fresh_db bitkey_a)
db=$(mysql_fresh_db bitkey_b)
for d in "$da" "$db"; do
	mysql_exec "$d" "CREATE TABLE b(k BIT(10) PRIMARY KEY, v INT);
	CREATE TABLE vb(k VARBINARY(8) PRIMARY KEY, v INT);
	CREATE TABLE fb(k BINARY(4), n BIT(3), v INT, PRIMARY KEY (n, k))"
done
mysql_exec "$da" "INSERT INTO b VALUES (b'1111111111', 1), (5, 2), (0, 3), (b'1000000000', 4);
INSERT INTO vb VALUES (X'', 1), (X'00', 2), (X'6100', 3);
INSERT INTO fb VALUES (X'61', 7, 1), (X'FF000001', 0, 2)"
mysql_exec "$db" "INSERT INTO b VALUES (5, 20), (0, 3), (b'1000000000', 40), (b'11', 5);
INSERT INTO vb VALUES (X'', 10), (X'6100', 30);
INSERT INTO fb VALUES (X'61', 7, 10)"

assert_status 1 "$CDCPACK" diff --format sql "$(mysql_url "$da")" "$(mysql_url "$db")"
cp "$T/last.out" change.sql
mysql_exec "$da" "$(cat change.sql)" || fail "the statements do not apply to A: $(cat change.sql)"
assert_status 0 "$CDCPACK" diff "$(mysql_url "$da")" "$(mysql_url "$db")"
for t in b vb fb; do
	got=$(mysql_exec "$da" "SELECT HEX(k), v FROM \`$t\` ORDER BY 1, 2")
	want=$(mysql_exec "$db" "SELECT HEX(k), v FROM \`$t\` ORDER BY 1, 2")
	[ "$got" = "$want" ] || fail "$t after the statements: $got, B: $want"
done
