#!/usr/bin/env bash
# The long concurrency hunt (`make torture-concurrent`): CONC_SEEDS seeds x
# every configuration below, CONC_SECONDS seconds of writers each (see
# tests/torture/README "Concurrent writers"). Starts a private mariadbd
# (tests/lib/service-mariadb.sh) unless the environment already names one.
# Prints each case's verdict and, for a failure, its rerun line; last line
# "N cases passed, N failed".
#   CONC_SEEDS      number of seeds (default 2)
#   CONC_SEED_BASE  first seed is BASE+1 (default 2000; use $(date +%s) for new ones)
#   CONC_SECONDS    seconds of writers per case (default 10)
#   CONC_CONFIGS    ";"-separated concurrent.py flag sets (default: the eight below)
#   CONC_LOG        directory for each case's log (default: a temp dir, kept)
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
seeds=${CONC_SEEDS:-2}
base=${CONC_SEED_BASE:-2000}
seconds=${CONC_SECONDS:-10}
logs=${CONC_LOG:-$(mktemp -d /tmp/cdcpack-conc-logs.XXXXXX)}
mkdir -p "$logs"
default="--source mysql --mode trigger --writers 5 --long-p 0.4 --reconcile --partial-loads
;--source mysql --mode trigger --every --partial-loads
;--source mysql --mode binlog --writers 5 --reconcile --partial-loads
;--source mysql --mode binlog --every --long-p 0.4
;--source mysql --mode snapshot --partial-loads
;--source sqlite --mode trigger --journal wal --reconcile --partial-loads
;--source sqlite --mode trigger --journal delete --partial-loads --every
;--source sqlite --mode snapshot --partial-loads"
IFS=';' read -r -a configs <<<"$(tr '\n' ' ' <<<"${CONC_CONFIGS:-$default}")"

source tests/torture/mariadb_env.sh

passed=0
failed=0
started=$SECONDS
echo "concurrent: $seeds seed(s) from $((base + 1)) x ${#configs[@]} configuration(s) x ${seconds}s; logs in $logs"
for ((i = 1; i <= seeds; i++)); do
	seed=$((base + i))
	for c in "${configs[@]}"; do
		read -r -a flags <<<"$c"
		log=$logs/$seed$(tr -d ' .-' <<<"$c").log
		t0=$SECONDS
		if python3 tests/torture/concurrent.py --seed "$seed" --seconds "$seconds" "${flags[@]}" \
			>"$log" 2>&1; then
			passed=$((passed + 1))
			echo "ok   seed $seed $c ($((SECONDS - t0))s)"
		else
			failed=$((failed + 1))
			echo "FAIL seed $seed $c ($((SECONDS - t0))s): $log"
			grep -m1 -A4 '^FAILED' "$log" | cut -c1-300 | sed 's/^/    /'
			grep -m1 '^rerun:' "$log" | sed 's/^/    /'
		fi
	done
done
echo "concurrent: $((passed + failed)) cases in $((SECONDS - started))s"
echo "$passed cases passed, $failed failed"
[[ $failed -eq 0 ]]
