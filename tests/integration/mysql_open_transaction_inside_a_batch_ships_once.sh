#!/usr/bin/env bash
# run.sh: alone (timing: its concurrent writes must land inside a fault point's delay)
# A transaction holding a changelog seq INSIDE a batch's range (an early
# commit below it, a late one above it, both shipped), and committing while
# that batch's acknowledgement waits (the run held at after-publish): the
# acknowledgement deletes exactly the seqs the batch carried, never a range
# stretched over the gap, so the late transaction's row survives it and the
# next run ships it, once.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db inside)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, v varchar(20))"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load

mysql_exec "$db" "INSERT INTO t VALUES (1, 'below')"
# The open transaction: a client reading its statements from a fifo.
mkfifo "$T/fifo"
mysql_root -D "$db" <"$T/fifo" >"$T/client.out" 2>&1 &
client=$!
exec 3>"$T/fifo"
mysql_kill_on_exit $client
echo "START TRANSACTION; INSERT INTO t VALUES (2, 'inside');" >&3
for _ in $(seq 100); do
	open=$(mysql_exec "$db" "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_rows_modified > 0")
	[[ $open == 1 ]] && break
	sleep 0.1
done
assert_eq 1 "$open" "open transactions holding the inside insert"
mysql_exec "$db" "INSERT INTO t VALUES (3, 'above')"

# The run reads 1 and 3, publishes, and waits before acknowledging.
: >"$T/run.err"
# (3>&-: the run must not hold the client's fifo open, or the client would
# not end before the run does.)
CDCPACK_FAULT=delay:after-publish:3000 "$CDCPACK" run >"$T/run.out" 2>"$T/run.err" 3>&- &
runner=$!
for _ in $(seq 200); do
	[[ $(<"$T/run.err") == *"delay at after-publish"* ]] && break
	kill -0 $runner 2>/dev/null || break
	sleep 0.05
done
[[ $(<"$T/run.err") == *"delay at after-publish"* ]] || fail "the run never reached after-publish: $(cat "$T/run.err")"
echo "COMMIT;" >&3
exec 3>&-
wait $client || fail "the inside client failed: $(cat "$T/client.out")"
assert_eq 1 "$(mysql_exec "$db" "SELECT COUNT(*) FROM cdcpack_changelog WHERE new_image LIKE '%inside%'")" \
	"the inside row in the changelog once committed, while the ack waits"
kill -0 $runner 2>/dev/null || fail "the run ended before the late commit: the ack did not wait on it"
wait $runner || fail "the held run failed: $(cat "$T/run.err")"

assert_eq 1 "$(mysql_changelog_count "$db")" "changelog rows after acknowledging batch 2 (the inside row stays)"
# Batch 2 spans the gap: its first and last seq are 1 and 3, without 2.
m2=$(tar -xOf "$(find "$T/bucket/cdc" -name '*-00000002-*.tar.zst')" manifest.json)
first=$(jq '.tables[0].first_seq' <<<"$m2")
last=$(jq '.tables[0].last_seq' <<<"$m2")
inside=$(mysql_exec "$db" "SELECT seq FROM cdcpack_changelog WHERE new_image LIKE '%inside%'")
((first < inside && inside < last)) ||
	fail "the inside row took seq [$inside], batch 2 spans $first..$last: the gap is not inside the batch"

assert_status 0 "$CDCPACK" run
assert_status 0 "$CDCPACK" run # idle
rows() { tar -xOf "$(find "$T/bucket/cdc" -name "*-0000000$1-*.tar.zst")" --wildcards 't/2*.csv'; }
assert_eq "I,1,below
I,3,above" "$(rows 2)" "batch 2"
assert_eq "I,2,inside" "$(rows 3)" "batch 3 (the inside transaction)"
assert_eq "" "$(find "$T/bucket/cdc" -name '*-00000004-*')" "a batch from the idle run"
assert_eq 0 "$(mysql_changelog_count "$db")" "changelog rows left"
replica=$(mysql_fresh_db inside_replica)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_eq "1	below
2	inside
3	above" "$(mysql_dump "$replica" t)" "replica"
