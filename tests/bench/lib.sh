# Sourced by tests/bench/bench_*.sh. Each measurement runs the same command
# BENCH_RUNS times (default 3) and reports the median wall time and the
# largest peak RSS. Rows go to $BENCH_OUT as TSV:
#   name <tab> cdcpack_s <tab> peer <tab> peer_s <tab> ratio <tab> cdcpack_rss_kib <tab> peer_rss_kib <tab> goal
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CDCPACK=${CDCPACK_BIN:-$ROOT/bin/cdcpack}
BENCH_ROWS=${BENCH_ROWS:-1000000}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_OUT=${BENCH_OUT:-/dev/stdout}
W=${BENCH_DIR:-$(mktemp -d /tmp/cdcpack-bench.XXXXXX)}

# measure SETUP CMD: runs SETUP (untimed) then CMD, BENCH_RUNS times.
# Sets MEDIAN (seconds) and RSS (KiB, the largest seen).
measure() {
	local setup=$1 cmd=$2 times=() rss=0 i t r
	for ((i = 0; i < BENCH_RUNS; i++)); do
		bash -c "$setup" >/dev/null 2>&1
		/usr/bin/time -f '%e %M' -o "$W/time.out" bash -c "$cmd" >/dev/null 2>"$W/err.out" ||
			{ cat "$W/err.out" >&2; echo "bench command failed: $cmd" >&2; return 1; }
		read -r t r <"$W/time.out"
		times+=("$t")
		((r > rss)) && rss=$r
	done
	MEDIAN=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	RSS=$rss
}

# row NAME OURS_S PEER_NAME PEER_S OURS_RSS PEER_RSS GOAL
row() {
	local ratio
	ratio=$(awk -v a="$2" -v b="$4" 'BEGIN { printf (b > 0 ? "%.2f" : "n/a"), (b > 0 ? a / b : 0) }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$ratio" "$5" "$6" "$7" >>"$BENCH_OUT"
}

# make_table DB ROWS: t(id INTEGER PRIMARY KEY, name TEXT, city TEXT, amount REAL, note TEXT)
make_table() {
	sqlite3 "$1" "PRAGMA journal_mode=WAL;
	  CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, city TEXT, amount REAL, note TEXT);
	  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
	  INSERT INTO t SELECT i, 'name ' || i, 'city ' || (i % 97), i * 1.25,
	    CASE WHEN i % 10 = 0 THEN NULL ELSE 'note, with \"quotes\" ' || i END FROM n;" >/dev/null
}

bench_config() { # bench_config FILE SOURCE_URL TARGET_URL [extra lines]
	local f=$1 s=$2 t=$3
	shift 3
	{
		printf '[source]\nurl = %s\n[state]\ndir = %s\n[target]\nurl = %s\n' "$s" "$W/state" "$t"
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$f"
}
