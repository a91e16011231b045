#!/usr/bin/env bash
# SQLite source: full load vs sqlite3 -csv | zstd -3, and the cost of the
# audit triggers on a bulk insert.
source "$(dirname "$0")/lib.sh"
cd "$W"

make_table src.db "$BENCH_ROWS"
bench_config load.conf "sqlite:$W/src.db" "file:$W/bucket" "[batch]" "max_rows = 100000000"

measure "rm -rf '$W/state' '$W/bucket'" "'$CDCPACK' -q -c '$W/load.conf' load"
ours=$MEDIAN ours_rss=$RSS
measure "rm -f '$W/peer.csv.zst'" "sqlite3 -csv '$W/src.db' 'select * from t' | zstd -3 -q >'$W/peer.csv.zst'"
row "load ${BENCH_ROWS} rows" "$ours" "sqlite3 -csv | zstd -3" "$MEDIAN" "$ours_rss" "$RSS" "<= 1.2"

# 200k inserts in one transaction, with and without the triggers.
n=$((BENCH_ROWS / 5))
ins="BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $n)
  INSERT INTO t SELECT i, 'name ' || i, 'city ' || (i % 97), i * 1.25, 'note ' || i FROM n; COMMIT;"
echo "$ins" >ins.sql
sqlite3 empty.db "PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, city TEXT, amount REAL, note TEXT);" >/dev/null
bench_config trig.conf "sqlite:$W/trig.db" "file:$W/bucket"
measure "cp '$W/empty.db' '$W/trig.db' && '$CDCPACK' -q -c '$W/trig.conf' triggers install" \
	"sqlite3 '$W/trig.db' <'$W/ins.sql'"
ours=$MEDIAN ours_rss=$RSS
measure "cp '$W/empty.db' '$W/plain.db'" "sqlite3 '$W/plain.db' <'$W/ins.sql'"
row "sqlite insert ${n} rows, triggers" "$ours" "no triggers" "$MEDIAN" "$ours_rss" "$RSS" "<= 2.0"

# An idle run: triggers installed on the 1M-row table, nothing pending.
bench_config idle.conf "sqlite:$W/src.db" "file:$W/bucket"
"$CDCPACK" -q -c idle.conf triggers install
"$CDCPACK" -q -c idle.conf run
measure "true" "'$CDCPACK' -q -c '$W/idle.conf' run"
row "idle run (nothing pending)" "$MEDIAN" "-" "0" "$RSS" "0" "<= 0.100 s"
rm -rf "$W"
