#!/usr/bin/env bash
# Installing triggers takes a write lock on the table; a pending write lock
# queues every writer behind it. Behind a long open transaction, install
# gives up after a short wait (exit 3, saying why) instead of stalling the
# application, and succeeds once the transaction ends.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db locks)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, v int)"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf

mkfifo "$T/fifo"
mysql_root -D "$db" <"$T/fifo" >"$T/client.out" 2>&1 &
client=$!
exec 3>"$T/fifo"
mysql_kill_on_exit $client
echo "START TRANSACTION; INSERT INTO t VALUES (1, 1);" >&3
for _ in $(seq 100); do
	open=$(mysql_exec "$db" "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_rows_modified > 0")
	[[ $open == 1 ]] && break
	sleep 0.1
done
assert_eq 1 "$open" "open transactions"

started=$SECONDS
assert_status 3 "$CDCPACK" triggers install
((SECONDS - started < 60)) || fail "install waited $((SECONDS - started)) s"
assert_contains "$T/last.err" "Lock wait timeout"
assert_contains "$T/last.err" "table t"

echo "COMMIT;" >&3
exec 3>&-
wait $client || fail "client: $(cat "$T/client.out")"
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" triggers status
grep -E '^t +installed' "$T/last.out" >/dev/null || fail "status: $(cat "$T/last.out")"
