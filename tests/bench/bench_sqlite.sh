#!/usr/bin/env bash
# SQLite source: full load vs sqlite3 -csv | zstd -3 on three tables (the
# easy one of short decimals, issue 16's random-REAL one and a text-heavy one
# with BLOBs), the cost of the audit triggers on a bulk insert (one
# transaction, 1,000-row transactions, and those written a row a statement),
# and an idle run (the many-tables idle run is
# tests/bench/bench_idle_tables.sh).
# BENCH_TEXT_ROWS sizes the text-heavy table (default BENCH_ROWS / 5).
source "$(dirname "$0")/lib.sh"
cd "$W"

make_table src.db "$BENCH_ROWS"
bench_config load.conf "sqlite:$W/src.db" "file:$W/bucket" "[batch]" "max_rows = 100000000"

measure "rm -rf '$W/state' '$W/bucket'" "'$CDCPACK' -q -c '$W/load.conf' load"
ours=$MEDIAN ours_rss=$RSS
measure "rm -f '$W/peer.csv.zst'" "sqlite3 -csv '$W/src.db' 'select * from t' | zstd -3 -q >'$W/peer.csv.zst'"
row "load ${BENCH_ROWS} rows" "$ours" "sqlite3 -csv | zstd -3" "$MEDIAN" "$ours_rss" "$RSS" "<= 1.2"

# Issue 16's random-REAL table: the same load, on full-precision doubles.
make_real_table real.db "$BENCH_ROWS"
bench_config real.conf "sqlite:$W/real.db" "file:$W/bucket" "[batch]" "max_rows = 100000000"
pair "load ${BENCH_ROWS} rows, random REAL" "sqlite3 -csv | zstd -3" "<= 0.8 (0.5); RSS <= 64 MiB" \
	"rm -rf '$W/state' '$W/bucket'" "'$CDCPACK' -q -c '$W/real.conf' load" \
	"sqlite3 -csv '$W/real.db' 'select * from t' | zstd -3 -q >'$W/peer.csv.zst'" "rm -f '$W/peer.csv.zst'"
rm -f real.db*

# A text-heavy table with some BLOBs. sqlite3 -csv writes a BLOB's raw bytes
# (cut at the first NUL), so the peer spells it hex(); cdcpack writes base64.
text_rows=${BENCH_TEXT_ROWS:-$((BENCH_ROWS / 5))}
make_text_table text.db "$text_rows"
bench_config text.conf "sqlite:$W/text.db" "file:$W/bucket" "[batch]" "max_rows = 100000000"
pair "load ${text_rows} rows, text-heavy + BLOBs ($(($(stat -c %s text.db) / 1048576)) MiB)" \
	"sqlite3 -csv | zstd -3" "none set" \
	"rm -rf '$W/state' '$W/bucket'" "'$CDCPACK' -q -c '$W/text.conf' load" \
	"sqlite3 -csv '$W/text.db' 'select id, title, body, tags, hex(payload) from t' | zstd -3 -q >'$W/peer.csv.zst'" \
	"rm -f '$W/peer.csv.zst'"
rm -rf text.db* state bucket peer.csv.zst

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

# The same number of inserts as 1,000-row transactions in WAL mode (200 of
# them at BENCH_ROWS=1000000), on the random-REAL table's shape (the REAL is
# the fractional part of i * golden ratio, a full-precision double).
sqlite3 empty6.db "PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, city TEXT, amount REAL, note TEXT, day TEXT);" >/dev/null
txns=$(((n + 999) / 1000))
for ((k = 0; k < txns; k++)); do
	echo "BEGIN; WITH RECURSIVE n(i) AS (SELECT $((k * 1000 + 1)) UNION ALL SELECT i + 1 FROM n WHERE i < $((k * 1000 + 1000)))
  INSERT INTO t SELECT i, 'name ' || i, 'city ' || (i % 97), (i * 0.6180339887498949 - CAST(i * 0.6180339887498949 AS INTEGER)) * 1000,
    substr('lorem ipsum, dolor \"sit\" amet consectetur', 1, i % 41), date(2457024 + i % 4000) FROM n; COMMIT;"
done >txn.sql
bench_config trig6.conf "sqlite:$W/trig6.db" "file:$W/bucket"
pair "sqlite insert ${n} rows, ${txns} x 1000-row txns, WAL, triggers" "no triggers" "<= 1.9" \
	"rm -rf '$W/state' '$W/trig6.db'* && cp '$W/empty6.db' '$W/trig6.db' && '$CDCPACK' -q -c '$W/trig6.conf' triggers install" \
	"sqlite3 '$W/trig6.db' <'$W/txn.sql'" "sqlite3 '$W/plain6.db' <'$W/txn.sql'" \
	"rm -f '$W/plain6.db'* && cp '$W/empty6.db' '$W/plain6.db'"

# The same rows and transactions written the way most applications write:
# one prepared INSERT stepped per row (Python's executemany), so SQLite
# starts the trigger's statement-level work (AUTOINCREMENT's sqlite_sequence
# read and write, in changelogs that have it) at every row.
cat >rowwise.py <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
n = int(sys.argv[2])
text = 'lorem ipsum, dolor "sit" amet consectetur'
def rows(lo, hi):
    for i in range(lo, hi + 1):
        f = i * 0.6180339887498949
        yield (i, 'name %d' % i, 'city %d' % (i % 97), (f - int(f)) * 1000, text[: i % 41], i)
for lo in range(1, n + 1, 1000):
    db.execute("BEGIN")
    db.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, date(2457024 + ? % 4000))",
                   rows(lo, min(lo + 999, n)))
    db.execute("COMMIT")
PY
pair "trigger overhead, one INSERT statement per row: ${n} rows, ${txns} x 1000-row txns, WAL" "no triggers" "none" \
	"rm -rf '$W/state' '$W/trig6.db'* && cp '$W/empty6.db' '$W/trig6.db' && '$CDCPACK' -q -c '$W/trig6.conf' triggers install" \
	"python3 '$W/rowwise.py' '$W/trig6.db' $n" "python3 '$W/rowwise.py' '$W/plain6.db' $n" \
	"rm -f '$W/plain6.db'* && cp '$W/empty6.db' '$W/plain6.db'"
rm -rf trig6.db* plain6.db* state rowwise.py

# An idle run: triggers installed on the 1M-row table, nothing pending.
bench_config idle.conf "sqlite:$W/src.db" "file:$W/bucket"
"$CDCPACK" -q -c idle.conf triggers install >/dev/null
"$CDCPACK" -q -c idle.conf run >/dev/null
measure "true" "'$CDCPACK' -q -c '$W/idle.conf' run"
row "idle run (nothing pending)" "$MEDIAN" "-" "0" "$RSS" "0" "<= 0.100 s"

rm -rf "$W"
