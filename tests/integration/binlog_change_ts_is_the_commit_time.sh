#!/usr/bin/env bash
# mode = binlog: each change's ts (jsonl) is its transaction's commit time
# as the binary log records it (the GTID event's header, in seconds), not
# the time of the run: a session's SET timestamp makes the log's time
# known in advance. A transaction's changes all carry the time of its
# COMMIT, a TRUNCATE its own.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_ts)
mysql_exec "$db" "CREATE TABLE t(id INT PRIMARY KEY, v VARCHAR(10))"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog' '[batch]' 'format = jsonl'
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" run
mysql_exec "$db" "SET timestamp = 1700000000; INSERT INTO t VALUES (1, 'a');
SET timestamp = 1700000100; START TRANSACTION; INSERT INTO t VALUES (2, 'b');
UPDATE t SET v = 'B' WHERE id = 2; SET timestamp = 1700000200; COMMIT;
SET timestamp = 1700086400; TRUNCATE t"
assert_status 0 "$CDCPACK" run
binlog_cdc_rows "$T/bucket" t | jq -r '"\(.op) \(.key.id // "-") \(.ts)"' >got.txt
printf '%s\n' 'I 1 2023-11-14T22:13:20.000Z' 'I 2 2023-11-14T22:16:40.000Z' \
	'U 2 2023-11-14T22:16:40.000Z' 'T - 2023-11-15T22:13:20.000Z' >want.txt
cmp -s want.txt got.txt || { diff want.txt got.txt >&2; fail "change times (< expected, > published)"; }
echo ok
