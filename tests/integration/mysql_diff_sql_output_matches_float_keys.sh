#!/usr/bin/env bash
# `diff --format sql` in MariaDB's dialect must reach rows keyed by a FLOAT
# column (FINDINGS.md F37). A FLOAT key was written as the float's fewest
# digits (0.1, 1e-45, 3.4e+38), which MariaDB compares with the column's
# float widened to a double (0.10000000149011612): DELETE and UPDATE
# matched no row, silently. WHERE now spells the float's exact double; SET
# and VALUES keep the fewest digits (they store the same float). Integral
# floats (13, 16777216) and 0 matched before and still do.
# Fails without the fix: after the statements diff still finds the rows.
# Found by `python3 tests/torture/torture_diff_mysql.py --mode mm --seed 1011`.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

da=$(mysql_fresh_db floatkey_a)
db=$(mysql_fresh_db floatkey_b)
for d in "$da" "$db"; do
	mysql_exec "$d" "CREATE TABLE f(k FLOAT PRIMARY KEY, v INT);
	CREATE TABLE c(n INT, k FLOAT, v INT, PRIMARY KEY (k, n))"
done
mysql_exec "$da" "INSERT INTO f VALUES (0.1, 1), (1e-45, 2), (3.4e38, 3), (13, 4), (-2.5e-7, 5);
INSERT INTO c VALUES (1, 0.3333333333, 1), (2, 16777217, 2)"
mysql_exec "$db" "INSERT INTO f VALUES (0.1, 10), (13, 4), (-2.5e-7, 50), (0.7, 7);
INSERT INTO c VALUES (1, 0.3333333333, 10)"

assert_status 1 "$CDCPACK" diff --format sql "$(mysql_url "$da")" "$(mysql_url "$db")"
cp "$T/last.out" change.sql
mysql_exec "$da" "$(cat change.sql)" || fail "the statements do not apply to A: $(cat change.sql)"
assert_status 0 "$CDCPACK" diff "$(mysql_url "$da")" "$(mysql_url "$db")"
for t in f c; do
	got=$(mysql_exec "$da" "SELECT CAST(k AS DOUBLE), v FROM \`$t\` ORDER BY 1, 2")
	want=$(mysql_exec "$db" "SELECT CAST(k AS DOUBLE), v FROM \`$t\` ORDER BY 1, 2")
	[ "$got" = "$want" ] || fail "$t after the statements: $got, B: $want"
done
