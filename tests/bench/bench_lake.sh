#!/usr/bin/env bash
# The cost of the lake step (issue 13): the same load, and the same cdc run
# (1% of the rows updated), with [lake] (gzip, date folders) and without;
# each pair alternates on the same data. Then DuckDB's merge
# (examples/lake/merge.sql through tests/s3/lake_merge.mjs) over the lake of
# the table plus its changes. Needs tests/s3's npm packages (npm ci --prefix
# tests/s3) for the merge row. BENCH_LAKE_COMPRESSION: gzip (default) or none.
source "$(dirname "$0")/lib.sh"
cd "$W"

lake=('[lake]' 'prefix = dms/' "compression = ${BENCH_LAKE_COMPRESSION:-gzip}" 'date_partition = YYYYMMDD')
make_table src.db "$BENCH_ROWS"
bench_config plain.conf "sqlite:$W/src.db" "file:$W/bucket" "[batch]" "max_rows = 100000000"
bench_config lake.conf "sqlite:$W/src.db" "file:$W/bucket" "[batch]" "max_rows = 100000000" "${lake[@]}"
pair "load ${BENCH_ROWS} rows, lake (${BENCH_LAKE_COMPRESSION:-gzip}) on / off" "lake off" "<= 1.2" \
	"rm -rf '$W/state' '$W/bucket'" "'$CDCPACK' -q -c '$W/lake.conf' load" \
	"'$CDCPACK' -q -c '$W/plain.conf' load" "rm -rf '$W/state' '$W/bucket'"

# One template: triggers, a load with the lake, 1% of the rows updated.
changes=$((BENCH_ROWS / 100))
rm -rf state bucket
"$CDCPACK" -q -c lake.conf triggers install
"$CDCPACK" -q -c lake.conf load
sqlite3 src.db "UPDATE t SET amount = amount + 1 WHERE id % 100 = 0" >/dev/null
tar -cf template.tar src.db state bucket
restore="cd '$W' && rm -rf src.db* state bucket && tar -xf template.tar"
pair "cdc run, ${changes} changes, lake (${BENCH_LAKE_COMPRESSION:-gzip}) on / off" "lake off" "<= 1.2" \
	"$restore" "'$CDCPACK' -q -c '$W/lake.conf' run" "'$CDCPACK' -q -c '$W/plain.conf' run" "$restore"

bash -c "$restore"
"$CDCPACK" -q -c lake.conf run
cols=id,name,city,amount,note
measure true "LAKE_MERGE_COUNT=1 node '$ROOT/tests/s3/lake_merge.mjs' '$ROOT/examples/lake/merge.sql' '$W/bucket/dms/src/t' $cols id"
row "duckdb merge (query, count), ${BENCH_ROWS} rows + ${changes} changes (lake, ${BENCH_LAKE_COMPRESSION:-gzip})" "$MEDIAN" "-" 0 "$RSS" 0 "none set"
rm -rf src.db* state bucket template.tar
