#!/usr/bin/env bash
# Hashed diff and snapshot capture (issue 6) on two BENCH_ROWS-row SQLite
# databases that differ in 1% of their rows (a third updated, a third
# deleted, a third inserted):
# - cdcpack diff A B against SQLite's own sqldiff A B (goal <= 1.0, stretch
#   0.5; peak RSS <= 64 MiB whatever the size);
# - a snapshot-mode run shipping that 1% against a bare
#   `sqlite3 db 'select *' >/dev/null` scan of the same table (goal <= 1.5).
# Standalone: BENCH_ROWS=1000000 bash tests/bench/bench_diff.sh
source "$(dirname "$0")/lib.sh"
cd "$W"

make_table a.db "$BENCH_ROWS"
cp a.db b.db
sqlite3 b.db "
  UPDATE t SET amount = amount + 1, note = 'changed' WHERE id % 300 = 1;
  DELETE FROM t WHERE id % 300 = 2;
  INSERT INTO t SELECT id + $BENCH_ROWS, name, city, amount, note FROM t WHERE id % 300 = 3;
  PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null

# diff: both are read-only and need no setup.
pair "diff ${BENCH_ROWS} rows, 1% changed" "sqldiff" "<= 1.0 (0.5); RSS <= 64 MiB" "true" \
	"'$CDCPACK' -q diff sqlite:'$W/a.db' sqlite:'$W/b.db'; test \$? -eq 1" \
	"sqldiff '$W/a.db' '$W/b.db' >/dev/null"

# Snapshot run: the stored snapshot is A's (made once, copied back before
# each run), the source is B; the run captures, packs, stages, publishes
# and acknowledges the 1% as one cdc batch.
bench_config snap.conf "sqlite:$W/src.db" "file:$W/bucket" "[capture]" "mode = snapshot" \
	"[batch]" "max_rows = 100000000"
cp a.db src.db
"$CDCPACK" -q -c snap.conf run >/dev/null
cp -a state state.base
cp -a bucket bucket.base
cp b.db src.db
pair "snapshot run, ${BENCH_ROWS} rows, 1% changed" "sqlite3 select *" "<= 1.5" \
	"rm -rf '$W/state' '$W/bucket' && cp -a '$W/state.base' '$W/state' && cp -a '$W/bucket.base' '$W/bucket'" \
	"'$CDCPACK' -q -c '$W/snap.conf' run" "sqlite3 '$W/src.db' 'select * from t' >/dev/null"
snap=$(find "$W/state.base/snapshot" -name '*.snap' -printf '%s\n' | head -1)
echo "stored snapshot of ${BENCH_ROWS} rows: ${snap} bytes" >&2
rm -rf "$W"
