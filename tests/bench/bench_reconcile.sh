#!/usr/bin/env bash
# Reconcile (issue 15) of a BENCH_ROWS-row SQLite table in trigger mode
# with nothing to repair, against a bare `sqlite3 db 'select *' >/dev/null`
# scan of the same table (goal <= 1.5, as snapshot mode; peak RSS <= 64 MiB),
# and the published state's size in the state dir (published.db, after a
# checkpoint) per million rows.
# Standalone: BENCH_ROWS=1000000 bash tests/bench/bench_reconcile.sh
source "$(dirname "$0")/lib.sh"
cd "$W"

make_table src.db "$BENCH_ROWS"
bench_config rec.conf "sqlite:$W/src.db" "file:$W/bucket" "[batch]" "max_rows = 100000000" \
	"[capture]" "reconcile = manual"
"$CDCPACK" -q -c rec.conf triggers install >/dev/null
"$CDCPACK" -q -c rec.conf load >/dev/null
pair "reconcile ${BENCH_ROWS} rows, nothing to repair" "sqlite3 select *" "<= 1.5; RSS <= 64 MiB" \
	"true" "'$CDCPACK' -q -c '$W/rec.conf' reconcile" "sqlite3 '$W/src.db' 'select * from t' >/dev/null"
sqlite3 "$W/state/published.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
size=$(stat -c %s "$W/state/published.db")
awk -v s="$size" -v n="$BENCH_ROWS" 'BEGIN { printf "published state of %d rows: %d bytes (%.1f MiB per million rows)\n", n, s, s / n * 1e6 / 1048576 }' >&2
rm -rf "$W"
