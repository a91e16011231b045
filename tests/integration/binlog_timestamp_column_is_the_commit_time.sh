#!/usr/bin/env bash
# [batch] timestamp_column and cdc_ops in binlog mode (issue 13 item 3): a
# cdc row's timestamp is its transaction's commit time, as the binary log
# records it (whole seconds: .000000), the same for every row of the
# transaction, and taken at commit, not at the statement (a transaction
# that sleeps before committing gets the later second); load rows get the
# load's time. cdc_ops = inserts_and_updates leaves the delete out, and a
# SQLite replica built by apply holds what the files hold.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_ts)
mysql_exec "$db" "CREATE TABLE t(id INT PRIMARY KEY, name VARCHAR(20), b VARBINARY(10));
	INSERT INTO t VALUES (1, 'a', 0x00ff), (2, 'b', NULL);"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog' \
	'[batch]' 'timestamp_column = commit_ts' 'cdc_ops = inserts_and_updates'
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" run
load=$(find "$T/bucket/cdc" -name '*-00000001-*.tar.zst')
created=$(tar -xOf "$load" manifest.json | jq -r .batch.created)
created=${created/T/ }
assert_eq "1,a,00FF,${created%Z}000"$'\n'"2,b,,${created%Z}000" "$(tar -xOf "$load" t/LOAD00000001.csv)" \
	"load rows carry the load's time"

# The statements run before the sleep; the commit comes after it.
started=$(mysql_exec "$db" "SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s')")
committed=$(mysql_exec "$db" "START TRANSACTION; INSERT INTO t VALUES (3, 'c', 0x1234);
	UPDATE t SET name = 'A' WHERE id = 1; DELETE FROM t WHERE id = 2; DO SLEEP(1.5);
	SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s'); COMMIT;")
after=$(mysql_exec "$db" "SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s')")
assert_status 0 "$CDCPACK" run
binlog_cdc_rows "$T/bucket" t >"$T/cdc.csv"
mapfile -t times < <(awk -F, '{ print $NF }' "$T/cdc.csv" | sort -u)
assert_eq 1 "${#times[@]}" "one commit time for the transaction's rows: ${times[*]}"
[[ ${times[0]} == *.000000 ]] || fail "commit time ${times[0]} is not whole seconds"
t=${times[0]%.000000}
[[ $t > $started && ! $t < $committed && ! $t > $after ]] ||
	fail "commit time $t is not the commit's (statements from $started, commit at $committed, done by $after)"
assert_eq "I,3,c,1234,${times[0]}"$'\n'"U,1,A,00FF,${times[0]}" "$(cat "$T/cdc.csv")" "cdc rows (the delete left out)"

assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_eq $'1|A|00FF\n2|b|\n3|c|1234' "$(sqlite3 "$T/replica.db" 'SELECT id, name, hex(b) FROM t ORDER BY id')" \
	"the replica keeps the row deleted at the source"
assert_status 1 "$CDCPACK" verify --against "sqlite:$T/replica.db"
