#!/usr/bin/env bash
# tests/torture/FINDINGS.md F25 (fixed), the MariaDB -> SQLite replica case.
# A MariaDB source keyed by a DECIMAL column, applied to a SQLite replica:
# apply declares the replica's column "decimal text(10,2)" (README's type
# table: exact text, TEXT affinity), so SQLite holds the keys as text
# ('10.00' before '9.50' by bytes) while diff compares them as numbers; the
# SQLite scan orders such a DECIMAL-class key by value (sqlite_keyorder.c),
# so verify of the source against the replica apply itself made passes, and
# a change made in the replica is found. A DECIMAL key with two different
# digit counts is enough.
# Found by `python3 tests/torture/torture_diff_mysql.py --mode cross`; fails
# with the binary before F25's fix (main at 069b51e): exit 3, "keys must come
# in ascending order".
source keyed by
# a DECIMAL column, applied to a SQLite replica: apply declares the replica's
# column "decimal text(10,2)" (README's type table: exact text, TEXT
# affinity), so SQLite hands the keys over in byte order ('10.00' before
# '9.50'), diff compares them as numbers, and verify stops (exit 3, "keys
# must come in ascending order") on a replica apply itself made and that
# holds the source's rows exactly. A DECIMAL key with two different digit
# counts is enough.
# Found by `python3 tests/torture/torture_diff_mysql.py --mode cross` (met
# as F25) and reproduced by hand.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db deckey)
mysql_exec "$db" "CREATE TABLE p(k DECIMAL(10,2) PRIMARY KEY, v INT); INSERT INTO p VALUES (9.5, 1), (10, 2)"
printf '[source]\nurl = %s\nname = src\n[target]\nurl = file:%s/bucket\n[state]\ndir = %s/state\n' \
	"$(mysql_url "$db")" "$T" "$T" >cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/r.db"
assert_status 0 "$CDCPACK" verify --against "sqlite:$T/r.db"
sqlite3 r.db "UPDATE p SET v = 3 WHERE k = '9.50'"
assert_status 1 "$CDCPACK" verify --against "sqlite:$T/r.db"
