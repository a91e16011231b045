#!/usr/bin/env bash
# make bench: every tests/bench/bench_*.sh on the same machine in one run,
# printed as one table of ratios (medians of BENCH_RUNS runs, default 3).
# BENCH_ROWS sets the table size (default 1000000). Nothing here asserts.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
export BENCH_OUT=$out
for b in "$ROOT"/tests/bench/bench_*.sh; do
	echo "running $(basename "$b") ..." >&2
	bash "$b" || echo "$(basename "$b") failed" >&2
done
printf '\ncdcpack bench: BENCH_ROWS=%s, median of %s runs, %s, %s cores\n\n' \
	"${BENCH_ROWS:-1000000}" "${BENCH_RUNS:-3}" "$(uname -srm)" "$(nproc)"
{
	printf 'measure\tcdcpack s\tpeer\tpeer s\tratio\tcdcpack RSS KiB\tpeer RSS KiB\tgoal\n'
	cat "$out"
} | column -t -s $'\t'
rm -f "$out"
