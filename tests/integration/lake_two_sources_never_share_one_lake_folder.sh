#!/usr/bin/env bash
# Two sources sharing one bucket never disturb each other (issue 18): the
# lake's <schema> folder is the MySQL database name, or a SQLite source's
# [source] name, so a SQLite source named like a MySQL database (or two
# databases of one name on two servers) would write the same lake keys
# (<schema>/<table>/LOAD00000001.csv) under one [lake] prefix. The first
# source to ship claims the folder (_cdcpack/claims/lake/...); the second
# is refused, exit 3, naming the folder and its owner, before it writes
# anything, and the first keeps running. With its own [lake] prefix the
# second ships, and each lake folder holds its own source's rows only.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db lake_share)
mysql_exec "$db" "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO t VALUES (1, 'mysql');"
my_conf=$T/my.conf
write_config "$my_conf" "$(mysql_url "$db")" "file:$T/bucket" '[lake]' 'prefix = dms/'
sed -i -e 's|^url = mysql:.*|&\nname = mysrc|' -e "s|^dir = .*|dir = $T/mystate|" "$my_conf"
CDCPACK_CONFIG=$my_conf cdc triggers install
CDCPACK_CONFIG=$my_conf cdc load
[[ -f $T/bucket/_cdcpack/claims/lake/dms/$db.json ]] || fail "no lake claim: $(find "$T/bucket/_cdcpack")"

# A SQLite source whose [source] name is the database's name.
core_use "$T/lite"
BUCKET=$T/bucket
core_config '[lake]' 'prefix = dms/'
sed -i "s|^name = src|name = $db|; s|^url = file:.*|url = file:$T/bucket|" "$CDCPACK_CONFIG"
sql "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'sqlite');"
cdc triggers install
before=$(cd "$T/bucket" && find . -type f | sort)
cdc_status 3 load
assert_contains "$T/last.err" "the lake folder dms/$db/ at file:$T/bucket belongs to source 'mysrc'"
assert_contains "$T/last.err" "its own [lake] prefix"
assert_eq "$before" "$(cd "$T/bucket" && find . -type f | sort)" "objects after the refused load"
cdc_status 3 run

# The first source is undisturbed.
mysql_exec "$db" "INSERT INTO t VALUES (2, 'mysql 2')"
CDCPACK_CONFIG=$my_conf cdc run
grep -rqx 'I,2,mysql 2' "$T/bucket/dms/$db/t" || fail "the mysql change is not in its lake folder"
! grep -rq sqlite "$T/bucket/dms/$db" || fail "sqlite rows in the mysql lake folder"

# Its own lake prefix: the second source ships.
sed -i 's|^prefix = dms/|prefix = dms2/|' "$CDCPACK_CONFIG"
cdc load
assert_eq "1,sqlite" "$(cat "$T/bucket/dms2/$db/t/LOAD00000001.csv")" "sqlite rows in its own lake folder"
echo "ok"
