#!/usr/bin/env bash
# mode = binlog: a run whose acknowledged position is the log's end (its
# file the last the server lists, and that file's size: nothing written
# past it) opens no dump connection (issue 14: what an idle run costs the
# server and the host); it never skips what is past the position: a
# transaction still open during such a run ships after its commit, a run
# after a FLUSH BINARY LOGS reads on into the new file, and every change
# ships once (the replicas equal the source).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_idle_end)
mysql_exec "$db" "CREATE TABLE t(id INT PRIMARY KEY, name VARCHAR(40)); INSERT INTO t VALUES (1, 'a')"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
export CDCPACK_CONFIG=$T/cdcpack.conf
rep=$(mysql_fresh_db binlog_idle_end_rep)
no_dump="at the log's end: no dump"
# settled: MariaDB writes a Binlog_checkpoint event into the current file
# once the file before it is durable, possibly a moment after a FLUSH (here
# or in an earlier test): a run that reads it moves past it, one that
# starts before it would not be at the log's end. Wait for it.
settled() {
	local file i
	file=$(mysql_root -N -e "SHOW MASTER STATUS" | cut -f1)
	for i in $(seq 100); do
		mysql_root -N -e "SHOW BINLOG EVENTS IN '$file'" | grep -q "Binlog_checkpoint.*$file" && return 0
		sleep 0.1
	done
	fail "no Binlog_checkpoint for $file"
}
settled
assert_status 0 "$CDCPACK" run

assert_status 0 "$CDCPACK" -v run
assert_contains "$T/last.err" "$no_dump"
assert_contains "$T/last.out" "nothing to publish"

mysql_exec "$db" "INSERT INTO t VALUES (2, 'b')"
assert_status 0 "$CDCPACK" -v run
assert_not_contains "$T/last.err" "$no_dump"
assert_contains "$T/last.out" "rows=1"

# A transaction open while a run reads: not in the log yet (written at
# its commit), so the log's end has not moved; it ships after the commit.
{
	echo "BEGIN; INSERT INTO t VALUES (3, 'open'); SELECT 1;"
	while [ ! -e "$T/commit" ]; do sleep 0.1; done
	echo "COMMIT;"
} | $(mysql_client_cmd "$db") -N --unbuffered >"$T/open.out" &
writer=$!
for _ in $(seq 600); do [ -s "$T/open.out" ] && break; sleep 0.1; done # up to 60 s (a loaded machine)
[ -s "$T/open.out" ] || fail "the open transaction did not start"
assert_status 0 "$CDCPACK" -v run
assert_contains "$T/last.err" "$no_dump"
assert_contains "$T/last.out" "nothing to publish"
touch "$T/commit"
wait "$writer"
assert_status 0 "$CDCPACK" -v run
assert_not_contains "$T/last.err" "$no_dump"
assert_contains "$T/last.out" "rows=1"

# A new log file after the position: the position is no longer the end.
mysql_root -e "FLUSH BINARY LOGS"
settled
assert_status 0 "$CDCPACK" -v run
assert_not_contains "$T/last.err" "$no_dump"
mysql_exec "$db" "INSERT INTO t VALUES (4, 'd'); UPDATE t SET name = 'bb' WHERE id = 2"
binlog_until_idle
assert_status 0 "$CDCPACK" -v run
assert_contains "$T/last.err" "$no_dump"
printf '%s\n' 'I,2,b' 'I,3,open' 'I,4,d' 'U,2,bb' >want.csv
binlog_cdc_rows "$T/bucket" t >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "changes of t (< expected, > published)"; }
binlog_same "after idle runs, an open transaction and a new log file" "$rep"
echo ok
