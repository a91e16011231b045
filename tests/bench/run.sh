#!/usr/bin/env bash
# make bench: every tests/bench/bench_*.sh on the same machine in one run,
# printed as one table of ratios (medians of BENCH_RUNS runs, default 3).
# BENCH_ROWS sets the table size (default 1000000); BENCH_TEXT_ROWS (the
# text-heavy table, default BENCH_ROWS / 5), BENCH_BLOB_CHANGES (the S3 BLOB
# run, default BENCH_ROWS / 10) and BENCH_TABLES (the many-tables idle run,
# default 2000) size the others. Nothing here asserts.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
export BENCH_OUT=$out
for b in "$ROOT"/tests/bench/bench_*.sh; do
	echo "running $(basename "$b") ..." >&2
	bash "$b" || echo "$(basename "$b") failed" >&2
done
rows=${BENCH_ROWS:-1000000}
printf '\ncdcpack bench: BENCH_ROWS=%s BENCH_TEXT_ROWS=%s BENCH_BLOB_CHANGES=%s BENCH_TABLES=%s, median of %s runs, %s, %s cores, load average %s\n\n' \
	"$rows" "${BENCH_TEXT_ROWS:-$((rows / 5))}" "${BENCH_BLOB_CHANGES:-$((rows / 10))}" \
	"${BENCH_TABLES:-2000}" "${BENCH_RUNS:-3}" "$(uname -srm)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
{
	printf 'measure\tcdcpack s\tpeer\tpeer s\tratio\tcdcpack RSS KiB\tpeer RSS KiB\tgoal\n'
	cat "$out"
} | column -t -s $'\t'
rm -f "$out"
