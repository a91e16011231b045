#!/usr/bin/env bash
# apply (issue 20): a load batch of BENCH_ROWS rows into a SQLite replica vs
# sqlite3 .import of the same CSV, into a MariaDB replica vs the mariadb
# client's LOAD DATA LOCAL INFILE of it, and a cdc batch of BENCH_ROWS / 10
# mixed changes (40% U, 20% D, 40% I) into the MariaDB replica vs a
# hand-written multi-row upsert script of the same rows run by the mariadb
# client. The CSV is the batch's own change file, out of the archive.
# Last, apply from an s3:// target (the local S3 server, s3rver behind the
# SigV4-checking front): a chain of a load of BENCH_ROWS / 10 rows and 10 cdc
# batches of BENCH_ROWS / 100 changes each into a SQLite replica, vs the
# script a user would write: `aws s3 cp --recursive` of the final prefix,
# then `cdcpack apply` from that copy (a file: target).
source "$(dirname "$0")/lib.sh"
cd "$W"
bench_mariadb
ROOTCNF=$CDCPACK_TEST_MYSQL_ROOT_CNF
db() { mariadb --defaults-file="$ROOTCNF" "$@"; }
db -e "SET GLOBAL local_infile = 1"
# Over the server's socket, as the mariadb peers connect: over TCP the
# server also offers TLS, which cost a 100k-row load some 25% more here.
my="mysql://$CDCPACK_TEST_MYSQL_USER@localhost/cdc_apply?socket=$CDCPACK_TEST_MYSQL_SOCKET"
mkdb="DROP DATABASE IF EXISTS cdc_apply; CREATE DATABASE cdc_apply;"
mytable="CREATE TABLE cdc_apply.t(id BIGINT NOT NULL PRIMARY KEY, name LONGTEXT NULL, city LONGTEXT NULL, amount DOUBLE NULL, note LONGTEXT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;"

make_table src.db "$BENCH_ROWS"
bench_config src.conf "sqlite:$W/src.db" "file:$W/bucket" "[batch]" "max_rows = 100000000"
"$CDCPACK" -q -c src.conf triggers install >/dev/null
"$CDCPACK" -q -c src.conf load >/dev/null
mkdir x && zstd -dc "$(find bucket -name '*-00000001-*')" | tar -C x -x
csv=$(find "$W/x" -name 'LOAD*.csv')

# SQLite replica, load batch.
pair "apply load ${BENCH_ROWS} rows, sqlite" "sqlite3 .import" "<= 1.5; RSS <= 64 MiB" \
	"rm -f '$W/rep.db'" "'$CDCPACK' -q -c '$W/src.conf' apply --to 'sqlite:$W/rep.db'" \
	"sqlite3 '$W/peer.db' '.import --csv $csv t'" \
	"rm -f '$W/peer.db' && sqlite3 '$W/peer.db' 'CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, city TEXT, amount REAL, note TEXT)'"

# MariaDB replica, load batch.
pair "apply load ${BENCH_ROWS} rows, mariadb" "mariadb LOAD DATA LOCAL" "<= 1.5; RSS <= 64 MiB" \
	"echo '$mkdb' | mariadb --defaults-file='$ROOTCNF'" "'$CDCPACK' -q -c '$W/src.conf' apply --to '$my'" \
	"mariadb --defaults-file='$ROOTCNF' --local-infile=1 -e \"LOAD DATA LOCAL INFILE '$csv' INTO TABLE cdc_apply.t CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\\\"' ESCAPED BY ''\"" \
	"echo '$mkdb $mytable' | mariadb --defaults-file='$ROOTCNF'"

# A cdc batch of mixed changes: U of the first 40%, D of the next 20%, I of
# as many new rows (each key once, as a hand-written script would have them).
c=$((BENCH_ROWS / 10))
u=$((c * 4 / 10)) d=$((c * 2 / 10))
i=$((c - u - d))
sqlite3 src.db "UPDATE t SET name = 'renamed ' || id, amount = amount + 1 WHERE id <= $u;
  DELETE FROM t WHERE id > $u AND id <= $((u + d));
  WITH RECURSIVE n(k) AS (SELECT $BENCH_ROWS + 1 UNION ALL SELECT k + 1 FROM n WHERE k < $BENCH_ROWS + $i)
  INSERT INTO t SELECT k, 'name ' || k, 'city ' || (k % 97), k * 1.25, 'new ' || k FROM n;"
"$CDCPACK" -q -c src.conf run >/dev/null
cp -r bucket loadonly && rm -f "$(find loadonly -name '*-00000002-*')"
bench_config only.conf "sqlite:$W/src.db" "file:$W/loadonly" "[batch]" "max_rows = 100000000"
python3 - "$W/src.db" "$u" "$d" "$BENCH_ROWS" >"$W/upsert.sql" <<'PY'
import sqlite3, sys
db, u, d, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
con = sqlite3.connect(db)
def lit(v):
    if v is None:
        return "NULL"
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + v.replace("\\", "\\\\").replace("'", "''") + "'"
out = ["USE cdc_apply;", "START TRANSACTION;"]
ids = list(range(u + 1, u + d + 1))
for s in range(0, len(ids), 1000):
    out.append("DELETE FROM t WHERE id IN (%s);" % ",".join(map(str, ids[s:s + 1000])))
rows = con.execute("SELECT * FROM t WHERE id <= ? OR id > ? ORDER BY id", (u, n)).fetchall()
for s in range(0, len(rows), 1000):
    vals = ",".join("(" + ",".join(lit(v) for v in r) + ")" for r in rows[s:s + 1000])
    out.append("INSERT INTO t VALUES %s ON DUPLICATE KEY UPDATE name = VALUES(name), "
               "city = VALUES(city), amount = VALUES(amount), note = VALUES(note);" % vals)
out.append("COMMIT;")
print("\n".join(out))
PY
setup="echo '$mkdb' | mariadb --defaults-file='$ROOTCNF' && '$CDCPACK' -q -c '$W/only.conf' apply --to '$my'"
pair "apply cdc ${c} mixed changes, mariadb" "mariadb multi-row upsert script" "<= 2.0; RSS <= 64 MiB" \
	"$setup" "'$CDCPACK' -q -c '$W/src.conf' apply --to '$my'" \
	"mariadb --defaults-file='$ROOTCNF' <'$W/upsert.sql'" "$setup"

# apply from S3: the chain published to the local S3 server by a source of
# its own (a state dir of its own), 11 batches.
mkdir -p "$W/s3run" && bash "$ROOT/tests/lib/service-s3.sh" start "$W/s3run" >"$W/s3.log" 2>&1 || { cat "$W/s3.log" >&2; exit 1; }
trap 'bash "$ROOT/tests/lib/service-s3.sh" stop "$W/s3run" >/dev/null 2>&1; bash "$ROOT/tests/lib/service-mariadb.sh" stop "$W/run" >/dev/null 2>&1; rm -rf "$W"' EXIT
source "$W/s3run/s3.env"
export AWS_ACCESS_KEY_ID=$CDCPACK_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CDCPACK_TEST_S3_SECRET_KEY
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=
aws="/usr/bin/aws --endpoint-url '$CDCPACK_TEST_S3_ENDPOINT' --region '$CDCPACK_TEST_S3_REGION' s3"
s3rows=$((BENCH_ROWS / 10)) s3changes=$((BENCH_ROWS / 100))
make_table s3src.db "$s3rows"
printf '[source]\nurl = sqlite:%s\n[state]\ndir = %s\n[target]\nurl = %s\nendpoint = %s\nregion = %s\n[batch]\nmax_rows = 100000000\n' \
	"$W/s3src.db" "$W/s3state" "s3://$CDCPACK_TEST_S3_BUCKET/applys3" "$CDCPACK_TEST_S3_ENDPOINT" \
	"$CDCPACK_TEST_S3_REGION" >s3.conf
"$CDCPACK" -q -c s3.conf triggers install >/dev/null
"$CDCPACK" -q -c s3.conf load >/dev/null
for ((r = 1; r <= 10; r++)); do
	# a tenth of the changes new rows, the rest updates spread over the table
	sqlite3 s3src.db "UPDATE t SET amount = amount + $r WHERE (id + $r) % $((s3rows / s3changes)) = 0;
	  WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < $((s3changes / 10)))
	  INSERT INTO t(name, city, amount, note) SELECT 'run $r ' || k, 'city', k, NULL FROM n;"
	"$CDCPACK" -q -c s3.conf run >/dev/null
done
printf '[source]\nurl = sqlite:%s\n[state]\ndir = %s\n[target]\nurl = file:%s\n' \
	"$W/s3src.db" "$W/s3state" "$W/s3copy" >s3copy.conf
pair "apply 11 batches from s3:// ($s3rows-row load, 10 x $s3changes changes), sqlite" \
	"aws s3 cp --recursive + apply from the copy" "<= 1.0" \
	"rm -f '$W/s3rep.db'*" "'$CDCPACK' -q -c '$W/s3.conf' apply --to 'sqlite:$W/s3rep.db'" \
	"$aws cp --only-show-errors --recursive 's3://$CDCPACK_TEST_S3_BUCKET/applys3/' '$W/s3copy/' && '$CDCPACK' -q -c '$W/s3copy.conf' apply --to 'sqlite:$W/s3peer.db'" \
	"rm -rf '$W/s3copy' '$W/s3peer.db'*"
