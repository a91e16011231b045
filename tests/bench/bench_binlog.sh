#!/usr/bin/env bash
# MariaDB source, binlog capture (issue 14): what capture costs the writer,
# and how fast cdcpack ships rows from the log.
# - write overhead: BENCH_ROWS/5 rows in 1,000-row transactions, binary log
#   on in both, with cdcpack capturing in binlog mode (runs back to back
#   while the writer writes, a process each; then one 'run --every 1s', as
#   a user schedules it) vs nobody capturing; trigger mode's cost on the
#   same insert next to it (triggers installed vs not, nobody capturing);
# - capture throughput: one 'cdcpack run' shipping those rows from the log
#   (read over the replication protocol, decoded, packaged, published) vs
#   'mariadb-binlog --read-from-remote-server --verbose' decoding the same
#   log file to /dev/null (rows as pseudo-SQL, over the same protocol).
source "$(dirname "$0")/lib.sh"
cd "$W"
bench_mariadb
root="mariadb --defaults-file=$CDCPACK_TEST_MYSQL_ROOT_CNF"
for host in localhost 127.0.0.1; do
	echo "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'cdc'@'$host';" | $root
done
url="mysql://$CDCPACK_TEST_MYSQL_USER@$CDCPACK_TEST_MYSQL_HOST:$CDCPACK_TEST_MYSQL_PORT/cdc_bench"
ddl="DROP DATABASE IF EXISTS cdc_bench; CREATE DATABASE cdc_bench;
  CREATE TABLE cdc_bench.t(id INT PRIMARY KEY, name VARCHAR(64), city VARCHAR(32), amount DOUBLE, note VARCHAR(128)) ENGINE=InnoDB;"
echo "$ddl" >ddl.sql
bench_config trig.conf "$url" "file:$W/tbucket" "[batch]" "max_rows = 100000000"
bench_config bin.conf "$url" "file:$W/bucket" "[batch]" "max_rows = 100000000" "[capture]" "mode = binlog"

n=$((BENCH_ROWS / 5))
mysql_txn_inserts "$n" >bulk.sql

# The capturing side: 'cdcpack run' back to back until told to stop (each
# run a line in loop.runs, its errors in loop.log), at the niceness
# BENCH_CAPTURE_NICE (default 0; 19 is how a background job shares a
# database host: on this 2-core machine the capture otherwise takes CPU
# from the writer, which is not a cost the server pays).
cat >capture_loop.sh <<LOOP
echo \$\$ >'$W/loop.pid'
while [ ! -e '$W/stop' ]; do nice -n ${BENCH_CAPTURE_NICE:-0} '$CDCPACK' -q -c '$W/bin.conf' run >/dev/null 2>>'$W/loop.log' || exit 1; echo >>'$W/loop.runs'; done
LOOP
stop_loop="touch '$W/stop'; while [ -e '$W/loop.pid' ] && kill -0 \$(cat '$W/loop.pid') 2>/dev/null; do sleep 0.1; done; rm -f '$W/loop.pid'"
# The capturing side as a user schedules it: one 'cdcpack run --every 1s'
# (the shortest interval), a process and a connection kept across cycles.
stop_every="[ -e '$W/every.pid' ] && kill -TERM \$(cat '$W/every.pid') 2>/dev/null; while [ -e '$W/every.pid' ] && kill -0 \$(cat '$W/every.pid') 2>/dev/null; do sleep 0.1; done; rm -f '$W/every.pid'"
fresh="$stop_loop; $stop_every; rm -rf '$W/state' '$W/bucket' '$W/tbucket'; $root <'$W/ddl.sql'"
loaded="$fresh && '$CDCPACK' -q -c '$W/bin.conf' load"
capturing="$loaded && rm -f '$W/stop' && (setsid bash '$W/capture_loop.sh' </dev/null >/dev/null 2>&1 &) && sleep 0.5"
every="$loaded && (setsid nice -n ${BENCH_CAPTURE_NICE:-0} '$CDCPACK' -q -c '$W/bin.conf' run --every 1s </dev/null >>'$W/every.out' 2>>'$W/every.log' & echo \$! >'$W/every.pid') && sleep 0.5"
insert="$root <'$W/bulk.sql'"
pair "mariadb insert ${n} rows, 1000/txn, binlog capture running" "binlog on, no capture" "<= 1.05" \
	"$capturing" "$insert" "$insert" "$fresh"
bash -c "$stop_loop"
grep -q . loop.log 2>/dev/null && { echo "capture loop failed:" >&2; cat loop.log >&2; exit 1; }
echo "binlog capture: $(wc -l <loop.runs) runs during the $BENCH_RUNS capturing inserts" >&2
pair "mariadb insert ${n} rows, 1000/txn, binlog capture by run --every 1s" "binlog on, no capture" "<= 1.05" \
	"$every" "$insert" "$insert" "$fresh"
bash -c "$stop_every"
grep -qv '^$' every.log 2>/dev/null && { echo "run --every failed:" >&2; cat every.log >&2; exit 1; }
echo "binlog capture by run --every 1s: $(grep -c . every.out) cycles reported during the $BENCH_RUNS capturing inserts" >&2
pair "mariadb insert ${n} rows, 1000/txn, triggers" "no triggers" "<= 2.0" \
	"$fresh && '$CDCPACK' -q -c '$W/trig.conf' triggers install" "$insert" "$insert" "$fresh"

# Capture throughput: the rows written after a load, shipped by one run.
bash -c "$fresh"
echo "FLUSH BINARY LOGS" | $root
"$CDCPACK" -q -c bin.conf load >/dev/null
file=$(echo "SHOW MASTER STATUS" | $root -N | cut -f1)
$root <bulk.sql
cp -a state state.template
pair "binlog run shipping ${n} rows" "mariadb-binlog -v to /dev/null" "-" \
	"rm -rf '$W/state' '$W/bucket' && cp -a '$W/state.template' '$W/state'" \
	"'$CDCPACK' -q -c '$W/bin.conf' run" \
	"MYSQL_PWD='$CDCPACK_TEST_MYSQL_PASSWORD' mariadb-binlog --no-defaults --read-from-remote-server --host='$CDCPACK_TEST_MYSQL_HOST' --port='$CDCPACK_TEST_MYSQL_PORT' --user='$CDCPACK_TEST_MYSQL_USER' -v '$file' >/dev/null"
shipped=$(find bucket/cdc -name '*.tar.zst' -exec tar -xOf {} --wildcards 't/*' \; | wc -l)
[ "$shipped" = "$n" ] || { echo "the run shipped $shipped rows, not $n" >&2; exit 1; }
echo "binlog capture: $n rows per run; rows/s = $n / the run's seconds" >&2
