#!/usr/bin/env bash
# A bounded slice of the concurrency harness (tests/torture/concurrent.py,
# tests/torture/README "Concurrent writers"): writer threads commit short
# and long transactions (a changelog seq taken before a run reads, the
# commit after it acknowledged higher ones), rollbacks, upserts and key
# changes WHILE runs capture, package and acknowledge, some killed or held
# at fault points; then the chain applied to fresh replicas equals the
# source (each engine's own dump) and each change is in the archives once.
# Two fixed seeds, then one case from the clock (its seed printed: rerun it
# with that seed), then the self-check that a lost replica row is reported.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

conc() { # conc ARGS...: one case; its output is shown when it fails
	local got=0
	python3 "$ROOT/tests/torture/concurrent.py" --bin "$CDCPACK" --tmpdir "$T" --max-rows 0 "$@" \
		>"$T/case.out" 2>&1 || got=$?
	if ((got != 0)); then
		cat "$T/case.out" >&2
		fail "concurrent.py $* exited $got"
	fi
}

conc --seed 11 --seconds 2 --source sqlite --mode trigger --journal wal --reconcile
conc --seed 12 --seconds 2 --source mysql --mode trigger --writers 4 --long-p 0.4
seed=$(date +%s)
case $((seed % 4)) in
0) args=(--source sqlite --mode trigger --journal delete --every --partial-loads) ;;
1) args=(--source mysql --mode trigger --reconcile --partial-loads) ;;
2) args=(--source mysql --mode binlog --every) ;;
3) args=(--source mysql --mode snapshot --partial-loads) ;;
esac
echo "clock seed $seed: ${args[*]}"
conc --seed "$seed" --seconds 2 "${args[@]}"

conc --seed 13 --seconds 1 --source sqlite --mode trigger --self-check
assert_contains "$T/case.out" "divergence reported as it must be"
