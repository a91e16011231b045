#!/usr/bin/env bash
# MySQL source: a run killed (SIGKILL) inside its acknowledgement
# transaction (mid-ack-txn: the batch's changelog rows deleted, not
# committed). The server rolls the transaction back with the connection, so
# every row of the batch is still in the changelog; the next run finishes
# the batch (recovered, acknowledged) and ships each change once.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db mid_ack_txn)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, v varchar(20))"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$BUCKET"
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load

mysql_exec "$db" "INSERT INTO t VALUES (1, 'one'), (2, 'two'); UPDATE t SET v = 'uno' WHERE id = 1"
crashed mid-ack-txn
assert_eq 3 "$(mysql_changelog_count "$db")" "changelog rows after a kill inside the ack transaction (all or none deleted)"

mysql_exec "$db" "DELETE FROM t WHERE id = 2"
assert_status 0 "$CDCPACK" --json run
assert_eq 1 "$(jq .recovered "$T/last.out")" "batches the run after the kill recovered"
assert_eq 0 "$(mysql_changelog_count "$db")" "changelog rows after the rerun"
check_cdc_rows "cdc rows after a kill at mid-ack-txn" 'I,1,one' 'I,2,two' 'U,1,uno' 'D,2,two'
