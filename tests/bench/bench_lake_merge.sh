#!/usr/bin/env bash
# Issue 13's closing figures: DuckDB's merge (examples/lake/merge.sql through
# tests/s3/lake_merge.mjs, @duckdb/node-api) over the lake of a BENCH_ROWS
# table (default 1M) plus 1% changes (half updates, a quarter inserts, a
# quarter deletes) in one cdc run; the merge's row count is checked against
# the source's. Then the bucket's keys, as `aws s3 ls --recursive` lists
# them (a file: target holds the same keys as S3), to stderr.
# Needs tests/s3's npm packages (npm ci --prefix tests/s3).
# BENCH_LAKE_COMPRESSION: gzip (default) or none.
source "$(dirname "$0")/lib.sh"
cd "$W"

comp=${BENCH_LAKE_COMPRESSION:-gzip}
lake=('[lake]' 'prefix = dms/' "compression = $comp" 'date_partition = YYYYMMDD')
make_table src.db "$BENCH_ROWS"
bench_config lake.conf "sqlite:$W/src.db" "file:$W/bucket" \
	"[batch]" "max_rows = 100000000" "${lake[@]}"
rm -rf state bucket
"$CDCPACK" -q -c lake.conf triggers install >/dev/null
"$CDCPACK" -q -c lake.conf load >/dev/null
n=$BENCH_ROWS
sqlite3 src.db "UPDATE t SET amount = amount + 1, note = 'changed ' || id WHERE id % 200 = 0;
  DELETE FROM t WHERE id % 400 = 1;
  INSERT INTO t SELECT id + $n, name, city, amount, note FROM t WHERE id % 400 = 2;" >/dev/null
"$CDCPACK" -q -c lake.conf run >/dev/null
want=$(sqlite3 src.db "SELECT count(*) FROM t")
changes=$(sqlite3 src.db "SELECT ($n / 200) + ($n / 400) + ($n / 400)")
cols=id,name,city,amount,note
merge="LAKE_MERGE_COUNT=1 node '$ROOT/tests/s3/lake_merge.mjs' '$ROOT/examples/lake/merge.sql' '$W/bucket/dms/src/t' $cols id"
got=$(bash -c "$merge" 2>/dev/null)
[[ $got == "$want" ]] || { echo "merge counted $got rows, the source holds $want" >&2; exit 1; }
measure true "$merge"
row "duckdb merge (query, count), ${BENCH_ROWS} rows + ${changes} changes (lake, $comp)" "$MEDIAN" "-" 0 "$RSS" 0 "none set"
# aws s3 ls --recursive: date time size key.
(cd bucket && find . -type f ! -path './_cdcpack/*' -printf '%TY-%Tm-%Td %TH:%TM:%.2TS %10s %P\n' | sort -k4) >&2
rm -rf src.db* state bucket
