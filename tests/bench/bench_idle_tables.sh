#!/usr/bin/env bash
# Many tables (issue 18 item 15): BENCH_TABLES tables of one row each
# (default 2000), `triggers install` over all of them, then an idle `run`
# (nothing pending, the source unchanged: not opened), a run after a write
# of no row (the source opened), and `status`, against the floor every SQLite connection
# pays before its first statement, the application's too: a bare sqlite3
# that loads the schema (every table's and trigger's SQL is parsed at open).
# Issue 18's goal: an idle run under 1 s at 10,000 tables. Each row also
# names the median CPU seconds (user + sys), the figure that means something
# on a loaded machine. BENCH_INSTALL_RUNS (default BENCH_RUNS) times install.
source "$(dirname "$0")/lib.sh"
cd "$W"

tables=${BENCH_TABLES:-2000}
for ((k = 1; k <= tables; k++)); do
	printf 'CREATE TABLE t%05d(id INTEGER PRIMARY KEY, name TEXT, amount REAL); INSERT INTO t%05d VALUES (1, %s, 1.5);\n' "$k" "$k" "'x'"
done | { echo "PRAGMA journal_mode=WAL; BEGIN;"; cat; echo "COMMIT;"; } | sqlite3 bare.db >/dev/null
bench_config many.conf "sqlite:$W/many.db" "file:$W/bucket"
floor="sqlite3 '$W/many.db' 'select count(*) from sqlite_schema'"

measure "true" "sqlite3 '$W/bare.db' 'select count(*) from sqlite_schema'"
row "sqlite3 schema load, ${tables} tables, no triggers (cpu $CPU_MEDIAN s)" "$MEDIAN" "-" "0" "$RSS" "0" "report"

BENCH_RUNS=${BENCH_INSTALL_RUNS:-$BENCH_RUNS} measure "rm -rf '$W/state' '$W/bucket' '$W'/many.db* && cp '$W/bare.db' '$W/many.db'" \
	"'$CDCPACK' -q -c '$W/many.conf' triggers install"
row "triggers install, ${tables} tables (cpu $CPU_MEDIAN s)" "$MEDIAN" "-" "0" "$RSS" "0" "report"

# The chain's first run claims the changelog (a write to the source), so
# the second opens the source again; it records the stamp the idle runs
# find unchanged (docs/design.md §4, "Idle runs"), with the config named
# as the measured runs name it (its path is part of the stamp).
"$CDCPACK" -q -c "$W/many.conf" run >/dev/null
"$CDCPACK" -q -c "$W/many.conf" run >/dev/null
measure "true" "$floor"
peer=$MEDIAN peer_rss=$RSS peer_cpu=$CPU_MEDIAN
measure "true" "'$CDCPACK' -q -c '$W/many.conf' run"
row "idle run, ${tables} tables with triggers, source unchanged (cpu $CPU_MEDIAN s, floor $peer_cpu s)" "$MEDIAN" \
	"sqlite3 schema load (floor)" "$peer" "$RSS" "$peer_rss" "<= 1 s at 10000 tables"
# A write that changes no row (user_version) before each: the run opens the
# source and pays the floor, as it does after any write.
measure "sqlite3 '$W/many.db' \"PRAGMA user_version = \$RANDOM\"" "'$CDCPACK' -q -c '$W/many.conf' run"
row "run after a write of no row, ${tables} tables with triggers (cpu $CPU_MEDIAN s, floor $peer_cpu s)" "$MEDIAN" \
	"sqlite3 schema load (floor)" "$peer" "$RSS" "$peer_rss" "report"
measure "true" "'$CDCPACK' -q -c '$W/many.conf' status"
row "status, ${tables} tables with triggers (cpu $CPU_MEDIAN s)" "$MEDIAN" \
	"sqlite3 schema load (floor)" "$peer" "$RSS" "$peer_rss" "report"
rm -rf "$W"
