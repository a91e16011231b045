#!/usr/bin/env bash
# MariaDB: one batch whose changelog seqs have more gaps than one DELETE
# statement takes ranges (256): each rolled-back insert leaves a gap in the
# AUTO_INCREMENT seqs, so 300 committed inserts between 300 rolled-back ones
# make 300 ranges. The acknowledgement deletes every one of them (no range
# lost between two statements): the changelog is empty after the run, and
# the next run ships nothing again.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db many_gaps)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, v varchar(20))"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load

for i in $(seq 300); do
	echo "INSERT INTO t VALUES ($i, 'kept');"
	echo "START TRANSACTION; INSERT INTO t VALUES ($((i + 1000)), 'gone'); ROLLBACK;"
done >"$T/writes.sql"
mysql_exec "$db" "$(cat "$T/writes.sql")"
assert_eq 300 "$(mysql_changelog_count "$db")" "changelog rows before the run"
assert_eq 598 "$(mysql_exec "$db" 'SELECT MAX(seq) - MIN(seq) FROM cdcpack_changelog')" \
	"seq span of the 300 changes (a gap between each two)"

assert_status 0 "$CDCPACK" run
assert_eq 0 "$(mysql_changelog_count "$db")" "changelog rows left after the acknowledgement"
cdc=$(find "$T/bucket/cdc" -name '*-00000002-*.tar.zst')
[[ -n $cdc ]] || fail "the run published no batch 2"
assert_eq 300 "$(tar -xOf "$cdc" --wildcards 't/*.csv' | grep -c '^I,')" "inserts in batch 2"
assert_eq 1 "$(find "$T/bucket/cdc" -name '*-00000002-*.tar.zst' | wc -l)" "batch 2 archives"
assert_status 0 "$CDCPACK" run
assert_eq 0 "$(find "$T/bucket/cdc" -name '*-00000003-*.tar.zst' | wc -l)" "batches after an idle run"
