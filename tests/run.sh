#!/usr/bin/env bash
# Runs every test: cmocka unit tests (release and ASan builds), the check
# that every mutant of tests/mutate/catalogue still applies, then each
# integration script in tests/integration/, with the servers they need
# (tests/lib/service-*.sh) started first and stopped at the end, then a
# subset of the integration scripts again against the ASan+UBSan binary
# (ASAN_TESTS, below).
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

# The mutation catalogue still fits the source (tests/mutate/README): every
# mutant's original text occurs exactly once in its file, and every test it
# names exists. No build, under a second; one test of the run, failing with
# the names of the stale mutants, so that code moved under a mutant is seen
# by whoever moved it, not by the next `make mutate`.
check_mutants() {
	local out status stale
	out=$(MUTATE_CHECK=1 python3 tests/mutate/run.py 2>&1)
	status=$?
	stale=$(awk '$1 == "stale" { printf " %s", $2 }' <<<"$out")
	record "mutate catalogue${stale:+ (stale:$stale)}" $status
	if [[ $status -ne 0 ]]; then
		sed 's/^/    /' <<<"$out"
	fi
}
check_mutants

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

run_integration() { # run_integration LABEL SCRIPT: one test, its log in $RUN
	local label=$1 t=$2 log="$RUN/$1.log" started=$SECONDS status
	timeout 600 bash "$t" >"$log" 2>&1
	status=$?
	if [[ -n ${SAN_DIR:-} ]] && compgen -G "$SAN_DIR/*" >/dev/null; then
		# a sanitizer report fails the test even when the test passed
		{
			echo "sanitizer reports:"
			head -n 60 "$SAN_DIR"/*
		} >>"$log"
		status=1
	fi
	record "$label ($((SECONDS - started))s)" $status
	if [[ $status -ne 0 ]]; then
		tail -n 40 "$log" | sed 's/^/    /'
	fi
}

TESTS=${TESTS:-tests/integration/*.sh}
for t in $TESTS; do
	[[ -e $t ]] || continue
	run_integration "$(basename "$t" .sh)" "$t"
done

# The sanitizer pass: the tests in ASAN_TESTS run a second time against
# bin/cdcpack-asan (ASan+UBSan, -fno-sanitize-recover=all), reported as
# "asan:NAME". ASan and LeakSanitizer write their reports to files under
# $RUN/sanitizer/NAME/, never into the test's output, and any report fails
# the test even when the test passed (a process killed by a test leaves no
# leak report). UBSan halts the program at its first report with exit
# status 87, which no test expects (gcc's UBSan runtime ignores log_path
# beside ASan, so its report goes to the test's stderr). ASAN_TESTS=all
# runs every test of TESTS, ASAN_TESTS=none none, ASAN_TESTS="GLOB..."
# those; the default is the tests of TESTS in the subset below: one or two
# per module and path (parsers of outside input, error paths, each driver,
# recovery at every fault point), sized to keep `make test` within CI's
# time (README, "Testing").
I=tests/integration
ASAN_DEFAULT="$I/cli_help_man_and_exit_codes.sh $I/core_exit_codes_and_messages.sh
	$I/core_apply_until_gap_and_corruption.sh $I/core_awkward_values_round_trip_bit_exact.sh
	$I/core_schema_drift_add_column_rebuilds_triggers.sh $I/core_run_every_stops_cleanly_on_sigterm.sh
	$I/diff_*.sh $I/disk_full_state_dir_*.sh $I/disk_unwritable_staging_*.sh
	$I/hostile_archive_*.sh $I/hostile_manifest_*.sh $I/hostile_chain_*.sh $I/hostile_refused_*.sh
	$I/hostile_config_nul_byte.sh $I/hostile_config_malformed_line.sh
	$I/mysql_types_round_trip_mysql_replica.sh
	$I/s3_publish_small_and_multipart_archives.sh $I/s3_transient_faults_publish_exactly_once.sh
	$I/snapshot_first_run_loads_then_ships_iud.sh $I/snapshot_mysql_source_ships_changes_once.sh
	$I/crash_matrix_mysql_to_s3_each_point_ships_each_change_once.sh"
case ${ASAN_TESTS:-default} in
none) ASAN_TESTS= ;;
all) ASAN_TESTS=$TESTS ;;
default)
	ASAN_TESTS=
	for t in $TESTS; do
		for d in $ASAN_DEFAULT; do
			[[ $t -ef $d ]] && ASAN_TESTS+=" $t" && break
		done
	done
	;;
esac
if [[ -n $ASAN_TESTS && ! -x bin/cdcpack-asan ]]; then
	record "asan pass: bin/cdcpack-asan missing (make asan)" 1
	ASAN_TESTS=
fi
for t in $ASAN_TESTS; do
	[[ -e $t ]] || continue
	name=$(basename "$t" .sh)
	SAN_DIR=$RUN/sanitizer/$name
	mkdir -p "$SAN_DIR"
	CDCPACK_BIN=$ROOT/bin/cdcpack-asan \
		ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=86:log_path=$SAN_DIR/asan" \
		UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=87" \
		run_integration "asan:$name" "$t"
	SAN_DIR=
done

if ((${#failures[@]})); then
	echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
