#!/usr/bin/env bash
# AUTO_INCREMENT hands out changelog seqs at insert, not at commit. A real
# transaction takes the lower seq and stays open while a later write
# commits and is shipped; once it commits, the next run ships it, exactly
# once (acknowledging never deletes "everything below the last seq").
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db late)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, v varchar(20))"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load

# The late transaction: a client reading its statements from a fifo.
mkfifo "$T/fifo"
mysql_root -D "$db" <"$T/fifo" >"$T/client.out" 2>&1 &
client=$!
exec 3>"$T/fifo"
mysql_kill_on_exit $client
echo "START TRANSACTION; INSERT INTO t VALUES (1, 'late');" >&3
for _ in $(seq 100); do
	open=$(mysql_exec "$db" "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_rows_modified > 0")
	[[ $open == 1 ]] && break
	sleep 0.1
done
assert_eq 1 "$open" "open transactions holding the late insert"

mysql_exec "$db" "INSERT INTO t VALUES (2, 'early')"
assert_status 0 "$CDCPACK" run
echo "COMMIT;" >&3
exec 3>&-
wait $client || fail "the late client failed: $(cat "$T/client.out")"
assert_status 0 "$CDCPACK" run
assert_status 0 "$CDCPACK" run # idle: nothing new

# cdc files of batches 2 and 3, and their seq ranges
cdc_rows() { tar -xOf "$(find "$T/bucket/cdc" -name "*-0000000$1-*.tar.zst")" --wildcards 't/2*.csv'; }
manifest() { tar -xOf "$(find "$T/bucket/cdc" -name "*-0000000$1-*.tar.zst")" manifest.json; }
assert_eq "I,2,early" "$(cdc_rows 2)" "batch 2 (the early commit)"
assert_eq "I,1,late" "$(cdc_rows 3)" "batch 3 (the late commit)"
late_seq=$(manifest 3 | jq '.tables[0].first_seq')
early_seq=$(manifest 2 | jq '.tables[0].first_seq')
((late_seq < early_seq)) || fail "the late row took seq $late_seq, the early one $early_seq: no late commit happened"
assert_eq "" "$(find "$T/bucket/cdc" -name '*-00000004-*')" "a batch from the idle run"
assert_eq 0 "$(mysql_changelog_count "$db")" "changelog rows left"

replica=$(mysql_fresh_db late_replica)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_eq "1	late
2	early" "$(mysql_dump "$replica" t)" "replica"
