#!/usr/bin/env bash
# A writer keeps inserting, updating and deleting (autocommit and multi-row
# transactions) while `load` takes its snapshot and while several runs
# capture: the load -> cdc handoff and every run lose nothing and duplicate
# nothing, so the replica rebuilt from the archives equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db writer)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, n int, v varchar(40));
CREATE TABLE c (a int, b int, PRIMARY KEY (a, b));
INSERT INTO t SELECT seq, 0, CONCAT('seed ', seq) FROM seq_1_to_500;"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket" '[batch]' 'max_rows = 700'
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" triggers install

writer_sql() {
	for i in $(seq 501 2500); do
		echo "INSERT INTO t VALUES ($i, 0, 'new $i');"
		echo "UPDATE t SET n = n + 1, v = 'upd $i' WHERE id = $((i - 400));"
		if ((i % 3 == 0)); then
			echo "START TRANSACTION; DELETE FROM t WHERE id = $((i - 450));"
			echo "INSERT INTO c VALUES ($i, 1), ($i, 2); UPDATE c SET b = 3 WHERE a = $((i - 3)) AND b = 2; COMMIT;"
		fi
		echo "DO SLEEP(0.002);"
	done
	echo "SELECT 'writer done';"
}
writer_sql | mysql_root -D "$db" >"$T/writer.out" 2>&1 &
writer=$!
mysql_kill_on_exit $writer

# The load waits inside its snapshot while the writer goes on.
sleep 0.3
CDCPACK_FAULT=delay:after-capture:700 "$CDCPACK" load >"$T/load.out" 2>&1 ||
	fail "load failed: $(cat "$T/load.out")"
for _ in 1 2 3; do
	sleep 0.5
	"$CDCPACK" run >>"$T/runs.out" 2>&1 || fail "run failed: $(cat "$T/runs.out")"
done
wait $writer || fail "the writer failed: $(cat "$T/writer.out")"
assert_contains "$T/writer.out" "writer done"
assert_status 0 "$CDCPACK" run --max-batches 100

batches=$(find "$T/bucket/cdc" -name '*.tar.zst' | wc -l)
((batches >= 4)) || fail "only $batches batches: the writer did not overlap the runs"

replica=$(mysql_fresh_db writer_replica)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_eq "$(mysql_dump "$db" t | md5sum)" "$(mysql_dump "$replica" t | md5sum)" "table t"
assert_eq "$(mysql_dump "$db" c | md5sum)" "$(mysql_dump "$replica" c | md5sum)" "table c"
assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$replica")"

# No change is in two batches: every change the writer makes is unique
# (each id is inserted, updated and deleted at most once), so a duplicate
# line across the cdc files is a change shipped twice.
for a in $(find "$T/bucket/cdc" -name '*.tar.zst'); do
	tar -xOf "$a" --wildcards 't/2*.csv' 'c/2*.csv' 2>/dev/null || true
done | sort >"$T/changes"
(($(wc -l <"$T/changes") > 3000)) || fail "only $(wc -l <"$T/changes") changes shipped"
uniq -d "$T/changes" >"$T/dups"
assert_eq "" "$(head -5 "$T/dups")" "changes shipped twice"
