#!/usr/bin/env bash
# `diff --format sql` must apply to A (FINDINGS.md F24). A key that differs
# from one of A's only by case (NOCASE) or trailing spaces (RTRIM) pairs by
# bytes, so it is a DELETE of A's key and an INSERT of B's; under the
# column's collation the two are one key, so the INSERT failed ("UNIQUE
# constraint failed") when it came before the DELETE (byte order: 'A' <
# 'a'). Each table's INSERTs now follow its DELETEs and UPDATEs, also past
# the 64 KiB an INSERT run spills to a temp file (table big). MySQL: a *_ci
# key column, the same.
# Fails without the fix: the INSERT of 'A' is refused by sqlite3.
# Found by `python3 tests/torture/torture_diff.py --seed 1 --cases 40`.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

schema="CREATE TABLE nc(k TEXT COLLATE NOCASE PRIMARY KEY, v);
CREATE TABLE rt(k TEXT COLLATE RTRIM, n INT, v, PRIMARY KEY (k, n)) WITHOUT ROWID;
CREATE TABLE big(k TEXT COLLATE NOCASE PRIMARY KEY, v);"
sqlite3 a.db "$schema
INSERT INTO nc VALUES ('a', 1), ('b', 2), ('x', 3);
INSERT INTO rt VALUES ('b', 1, 'one'), ('c ', 2, 'two');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO big SELECT printf('k%05d', i), i FROM n;"
sqlite3 b.db "$schema
INSERT INTO nc VALUES ('A', 1), ('b', 20), ('X', 3);
INSERT INTO rt VALUES ('b ', 1, 'one'), ('c', 2, 'two');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO big SELECT printf('K%05d', i), i FROM n;"

assert_status 1 "$CDCPACK" diff --format sql sqlite:a.db sqlite:b.db
cp "$T/last.out" change.sql
[ "$(stat -c %s change.sql)" -gt $((2 * 65536)) ] || fail "big's inserts do not spill"
sqlite3 a.db <change.sql || fail "the statements do not apply to A: $(head -c 2000 change.sql)"
assert_status 0 "$CDCPACK" diff sqlite:a.db sqlite:b.db
SRC_DB=$T/b.db check_replica_equals_source "$T/a.db"
# Within each table the DELETE of a key comes before the INSERT of its other spelling.
del=$(grep -n "^DELETE FROM \"nc\" WHERE \"k\" = 'a';" change.sql | cut -d: -f1)
ins=$(grep -n "^INSERT INTO \"nc\" (\"k\", \"v\") VALUES ('A', 1);" change.sql | cut -d: -f1)
if [ -z "$del" ] || [ -z "$ins" ] || [ "$del" -ge "$ins" ]; then
	fail "nc: DELETE at ${del:-?}, INSERT at ${ins:-?}"
fi

if [ -n "${CDCPACK_TEST_MYSQL_ROOT_CNF:-}" ]; then
	source "$ROOT/tests/lib/mysql.sh"
	da=$(mysql_fresh_db ci_a)
	db=$(mysql_fresh_db ci_b)
	for d in "$da" "$db"; do
		mysql_exec "$d" "CREATE TABLE ci(k VARCHAR(20) PRIMARY KEY, v INT) COLLATE utf8mb4_general_ci"
	done
	mysql_exec "$da" "INSERT INTO ci VALUES ('a', 1), ('b', 2)"
	mysql_exec "$db" "INSERT INTO ci VALUES ('A', 1), ('b ', 2)"
	assert_status 1 "$CDCPACK" diff --format sql "$(mysql_url "$da")" "$(mysql_url "$db")"
	mysql_exec "$da" "$(cat "$T/last.out")"
	assert_status 0 "$CDCPACK" diff "$(mysql_url "$da")" "$(mysql_url "$db")"
fi
