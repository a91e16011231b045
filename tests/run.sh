#!/usr/bin/env bash
# Runs every test: cmocka unit tests (release and ASan builds), then each
# integration script in tests/integration/, with the servers they need
# (tests/lib/service-*.sh) started first and stopped at the end.
# Last line: "N passed, N failed".
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
RUN=$(mktemp -d /tmp/cdcpack-run.XXXXXX)
passed=0
failed=0
failures=()

stop_services() {
	for svc in tests/lib/service-*.sh; do
		[[ -e $svc ]] && bash "$svc" stop "$RUN" >/dev/null 2>&1
	done
	rm -rf "$RUN"
}
trap stop_services EXIT

record() { # record NAME STATUS
	if [[ $2 -eq 0 ]]; then
		passed=$((passed + 1))
		echo "ok   $1"
	else
		failed=$((failed + 1))
		failures+=("$1")
		echo "FAIL $1"
	fi
}

run_unit() { # run_unit BINARY: each cmocka case counts
	local bin=$1 out
	out=$("$bin" 2>&1)
	local status=$?
	local p f
	p=$(grep -oP '\[  PASSED  \] \K[0-9]+' <<<"$out" | tail -1)
	f=$(grep -oP '\[  FAILED  \] \K[0-9]+' <<<"$out" | tail -1)
	p=${p:-0}
	f=${f:-0}
	if [[ $status -ne 0 && $f -eq 0 ]]; then
		f=1 # crashed before cmocka could count
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [[ $f -ne 0 ]]; then
		failures+=("$bin")
		echo "$out"
		echo "FAIL $bin ($f failed)"
	else
		echo "ok   $bin ($p cases)"
	fi
}

for flavour in release asan; do
	for bin in build/$flavour/tests/test_*; do
		[[ -x $bin ]] && run_unit "$bin"
	done
done

for svc in tests/lib/service-*.sh; do
	[[ -e $svc ]] || continue
	name=$(basename "$svc" .sh)
	if ! bash "$svc" start "$RUN" >"$RUN/$name.log" 2>&1; then
		cat "$RUN/$name.log"
		record "$name start" 1
	fi
done
for env in "$RUN"/*.env; do
	[[ -e $env ]] && source "$env"
done

TESTS=${TESTS:-tests/integration/*.sh}
for t in $TESTS; do
	[[ -e $t ]] || continue
	log="$RUN/$(basename "$t").log"
	started=$SECONDS
	timeout 600 bash "$t" >"$log" 2>&1
	status=$?
	record "$(basename "$t" .sh) ($((SECONDS - started))s)" $status
	if [[ $status -ne 0 ]]; then
		tail -n 40 "$log" | sed 's/^/    /'
	fi
done

if ((${#failures[@]})); then
	echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
