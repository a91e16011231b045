#!/usr/bin/env bash
# The long torture run (`make torture`): TORTURE_SEEDS seeds x every
# (source, replica, mode, format) combination, TORTURE_STEPS steps each.
# Starts a private mariadbd (tests/lib/service-mariadb.sh) unless the
# environment already names one. Prints each case's verdict and, for a
# failure, the command that reruns it; last line "N cases passed, N failed".
#   TORTURE_SEEDS      number of seeds (default 2)
#   TORTURE_SEED_BASE  first seed is BASE+1 (default 1000; use $(date +%s) for new ones)
#   TORTURE_STEPS      steps per case (default 15)
#   TORTURE_OPS        --ops for every case (default: the default op classes)
#   TORTURE_COMBOS     "src:rep:mode:fmt ..." (default: all 20; binlog with a mysql source only)
#   TORTURE_LOG        directory for each case's log (default: a temp dir, kept)
#   TORTURE_TARGET     file | s3 (default file; s3 starts a private S3 test server
#                      unless the environment names one)
#   TORTURE_LAKE       1: every case also writes the lake and checks it (--lake);
#                      the default combinations are then the csv ones
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
seeds=${TORTURE_SEEDS:-2}
base=${TORTURE_SEED_BASE:-1000}
steps=${TORTURE_STEPS:-15}
ops=${TORTURE_OPS:-default}
target=${TORTURE_TARGET:-file}
lake=()
[[ ${TORTURE_LAKE:-0} == 1 ]] && lake=(--lake)
logs=${TORTURE_LOG:-$(mktemp -d /tmp/cdcpack-torture-logs.XXXXXX)}
mkdir -p "$logs"
combos=${TORTURE_COMBOS:-}
if [[ -z $combos ]]; then
	for s in sqlite mysql; do
		for r in sqlite mysql; do
			for m in trigger snapshot binlog; do
				[[ $m == binlog && $s != mysql ]] && continue # binlog: MariaDB sources only
				for f in jsonl csv; do
					[[ ${#lake[@]} -gt 0 && $f != csv ]] && continue # the lake merge reads CSV
					combos+=" $s:$r:$m:$f"
				done
			done
		done
	done
fi

source tests/torture/mariadb_env.sh
[[ $target != s3 || -n ${CDCPACK_TEST_S3_ENDPOINT:-} ]] || start_service s3

passed=0
failed=0
started=$SECONDS
echo "torture: $seeds seed(s) from $((base + 1)) x $(wc -w <<<"$combos") combination(s) x $steps steps, target $target${lake:+ with the lake}; logs in $logs"
for ((i = 1; i <= seeds; i++)); do
	seed=$((base + i))
	for c in $combos; do
		IFS=: read -r s r m f <<<"$c"
		log=$logs/$seed-$s-$r-$m-$f.log
		t0=$SECONDS
		if python3 tests/torture/torture.py --seed "$seed" --steps "$steps" --source "$s" \
			--replica "$r" --mode "$m" --format "$f" --ops "$ops" --target "$target" \
			"${lake[@]}" --no-keep-failed >"$log" 2>&1; then
			passed=$((passed + 1))
			echo "ok   seed $seed $s->$r $m $f ($((SECONDS - t0))s)"
		else
			failed=$((failed + 1))
			echo "FAIL seed $seed $s->$r $m $f ($((SECONDS - t0))s): $log"
			grep -m1 -A6 '^FAILED' "$log" | sed 's/^/    /'
			grep -m1 '^rerun:' "$log" | sed 's/^/    /'
		fi
	done
done
echo "torture: $((passed + failed)) cases x $steps steps in $((SECONDS - started))s"
echo "$passed cases passed, $failed failed"
[[ $failed -eq 0 ]]
