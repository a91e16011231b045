#!/usr/bin/env bash
# MariaDB source: the cost of the audit triggers (1,000-row transactions and
# single-row autocommit inserts) and the full load vs mariadb -B | zstd -3.
source "$(dirname "$0")/lib.sh"
cd "$W"
# Every commit synced, as on a production server: per-commit costs are real.
bench_mariadb
db() { mariadb --defaults-file="$CDCPACK_TEST_MYSQL_ROOT_CNF" "$@"; }
url="mysql://$CDCPACK_TEST_MYSQL_USER@$CDCPACK_TEST_MYSQL_HOST:$CDCPACK_TEST_MYSQL_PORT/cdc_bench"
ddl="DROP DATABASE IF EXISTS cdc_bench; CREATE DATABASE cdc_bench;
  CREATE TABLE cdc_bench.t(id INT PRIMARY KEY, name VARCHAR(64), city VARCHAR(32), amount DOUBLE, note VARCHAR(128)) ENGINE=InnoDB;"
bench_config my.conf "$url" "file:$W/bucket" "[batch]" "max_rows = 100000000"

# 200 transactions of 1,000 rows (BENCH_ROWS/5 rows in all).
n=$((BENCH_ROWS / 5))
mysql_txn_inserts "$n" >bulk.sql
measure "echo '$ddl' | mariadb --defaults-file='$CDCPACK_TEST_MYSQL_ROOT_CNF' && '$CDCPACK' -q -c '$W/my.conf' triggers install" \
	"mariadb --defaults-file='$CDCPACK_TEST_MYSQL_ROOT_CNF' <'$W/bulk.sql'"
ours=$MEDIAN
measure "echo '$ddl' | mariadb --defaults-file='$CDCPACK_TEST_MYSQL_ROOT_CNF'" \
	"mariadb --defaults-file='$CDCPACK_TEST_MYSQL_ROOT_CNF' <'$W/bulk.sql'"
row "mariadb insert ${n} rows, 1000/txn, triggers" "$ours" "no triggers" "$MEDIAN" "-" "-" "<= 2.0"

# The same rows updated in 1,000-row transactions (one UPDATE each): the
# update trigger reads each row back (README "Triggers", F12).
python3 - "$n" >update.sql <<'PY'
import sys
n = int(sys.argv[1])
print("USE cdc_bench;")
for s in range(1, n + 1, 1000):
    print(f"BEGIN; UPDATE t SET amount = amount + 1, note = CONCAT(note, 'x') WHERE id BETWEEN {s} AND {s + 999}; COMMIT;")
PY
load="echo '$ddl' | mariadb --defaults-file='$CDCPACK_TEST_MYSQL_ROOT_CNF' && mariadb --defaults-file='$CDCPACK_TEST_MYSQL_ROOT_CNF' <'$W/bulk.sql'"
pair "mariadb update ${n} rows, 1000/txn, triggers" "no triggers" "none" \
	"$load && '$CDCPACK' -q -c '$W/my.conf' triggers install" \
	"mariadb --defaults-file='$CDCPACK_TEST_MYSQL_ROOT_CNF' <'$W/update.sql'" \
	"mariadb --defaults-file='$CDCPACK_TEST_MYSQL_ROOT_CNF' <'$W/update.sql'" "$load"

# Single-row autocommit inserts.
m=$((BENCH_ROWS / 200))
python3 - "$m" >single.sql <<'PY'
import sys
print("USE cdc_bench;")
for i in range(1, int(sys.argv[1]) + 1):
    print(f"INSERT INTO t VALUES ({i},'name {i}','city {i % 97}',{i * 1.25},'note {i}');")
PY
measure "echo '$ddl' | mariadb --defaults-file='$CDCPACK_TEST_MYSQL_ROOT_CNF' && '$CDCPACK' -q -c '$W/my.conf' triggers install" \
	"mariadb --defaults-file='$CDCPACK_TEST_MYSQL_ROOT_CNF' <'$W/single.sql'"
ours=$MEDIAN
measure "echo '$ddl' | mariadb --defaults-file='$CDCPACK_TEST_MYSQL_ROOT_CNF'" \
	"mariadb --defaults-file='$CDCPACK_TEST_MYSQL_ROOT_CNF' <'$W/single.sql'"
row "mariadb ${m} autocommit inserts, triggers" "$ours" "no triggers" "$MEDIAN" "-" "-" "<= 1.1"

# Full load of BENCH_ROWS rows.
echo "$ddl" | db
python3 - "$BENCH_ROWS" <<'PY' | db
import sys
n = int(sys.argv[1])
print("USE cdc_bench;")
for start in range(1, n + 1, 5000):
    rows = ",".join(f"({i},'name {i}','city {i % 97}',{i * 1.25},'note {i}')"
                    for i in range(start, min(start + 5000, n + 1)))
    print(f"INSERT INTO t VALUES {rows};")
PY
measure "rm -rf '$W/state' '$W/bucket'" "'$CDCPACK' -q -c '$W/my.conf' load"
ours=$MEDIAN ours_rss=$RSS
measure "true" "mariadb --defaults-file='$CDCPACK_TEST_MYSQL_ROOT_CNF' -B -N -e 'select * from cdc_bench.t' | zstd -3 -q >'$W/peer.tsv.zst'"
row "mariadb load ${BENCH_ROWS} rows" "$ours" "mariadb -B | zstd -3" "$MEDIAN" "$ours_rss" "$RSS" "<= 1.2"
