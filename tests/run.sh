#!/usr/bin/env bash
# Runs every test: cmocka unit tests (release and ASan builds), the check
# that every mutant of tests/mutate/catalogue still applies, then each
# integration script in tests/integration/, with the servers they need
# (tests/lib/service-*.sh) started first and stopped at the end, then a
# subset of the integration scripts again against the ASan+UBSan binary
# (ASAN_TESTS, below) and a smaller one against the ThreadSanitizer binary
# (TSAN_TESTS).
# The unit test binaries, then the integration scripts, run JOBS at a time
# (CDCPACK_TEST_JOBS, default 2: CI's cores; 1 runs them one by one), the
# servers starting meanwhile. Each job slot has servers of its own (RUN/slotN),
# so that a test's S3 fault rules, request log or MariaDB server settings
# never reach a test running beside it; a script with the line
# "# run.sh: alone" (timing, kill loops, disk-full) runs with
# nothing beside it, after the others. A test's lines are printed when it
# ends, never interleaved with another's; then the 25 slowest tests.
# Last line: "N passed, N failed".
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
JOBS=${CDCPACK_TEST_JOBS:-2}
if ! [[ $JOBS =~ ^[1-9][0-9]*$ ]]; then
	echo "CDCPACK_TEST_JOBS must be a positive number, not [$JOBS]" >&2
	exit 2
fi

RUN=$(mktemp -d /tmp/cdcpack-run.XXXXXX)
passed=0
failed=0
failures=()

stop_services() {
	local slot svc
	for ((slot = 1; slot <= JOBS; slot++)); do
		for svc in tests/lib/service-*.sh; do
			[[ -e $svc && -d $RUN/slot$slot ]] && bash "$svc" stop "$RUN/slot$slot" >/dev/null 2>&1
		done
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

# The job pool. pool_start KIND LABEL CMD... runs CMD in the background in
# a free job slot (POOL_SLOT set to its number), its output in $RUN/job.N.log and
# "STATUS WALL CPU" in $RUN/job.N.result; when it ends, pool_reap calls
# finish_KIND LABEL LOG STATUS WALL CPU in this shell, which prints its lines.
declare -A job_slot job_kind job_label job_file
slot_pid=()
jobs_started=0
running=0
timings=() # "WALL CPU LABEL" of every test, for the slowest list

pool_job() { # pool_job FILE CMD...: one job's body (in its subshell)
	local file=$1 started=$SECONDS status cpu
	shift
	"$@" >"$file.log" 2>&1
	status=$?
	# the user and system seconds of everything the job ran (the 2nd line of
	# times, which a pipe's subshell would not see)
	times >"$file.times"
	cpu=$(awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/)
		printf "%.1f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$file.times")
	echo "$status $((SECONDS - started)) $cpu" >"$file.result"
}

pool_reap() { # pool_reap: waits for one job of the pool to end, and reports it
	local pid status wall cpu
	while :; do
		wait -n -p pid
		[[ -n ${pid:-} && -n ${job_slot[$pid]:-} ]] && break
	done
	slot_pid[${job_slot[$pid]}]=
	running=$((running - 1))
	read -r status wall cpu <"${job_file[$pid]}.result" || status=1 wall=0 cpu=0
	timings+=("$wall ${cpu:-0} ${job_label[$pid]}")
	"finish_${job_kind[$pid]}" "${job_label[$pid]}" "${job_file[$pid]}.log" "$status" "$wall" "$cpu"
	unset "job_slot[$pid]" "job_kind[$pid]" "job_label[$pid]" "job_file[$pid]"
}

pool_drain() { # pool_drain: waits for every job of the pool
	while ((running > 0)); do pool_reap; done
}

pool_start() { # pool_start KIND LABEL CMD...
	local kind=$1 label=$2 slot file
	shift 2
	while ((running >= JOBS)); do pool_reap; done
	for ((slot = 1; slot <= JOBS; slot++)); do
		[[ -z ${slot_pid[$slot]:-} ]] && break
	done
	jobs_started=$((jobs_started + 1))
	file=$RUN/job.$jobs_started
	POOL_SLOT=$slot pool_job "$file" "$@" &
	slot_pid[slot]=$!
	job_slot[$!]=$slot job_kind[$!]=$kind job_label[$!]=$label job_file[$!]=$file
	running=$((running + 1))
}

finish_unit() { # finish_unit BINARY LOG STATUS: each cmocka case counts
	local bin=$1 out status=$3 p f
	out=$(<"$2")
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

# Each slot's servers start in the background (npm's packages installed
# once, first) while the unit tests run.
for svc in tests/lib/service-*.sh; do
	[[ -e $svc ]] || continue
	if ! bash "$svc" install "$RUN" >"$RUN/install.log" 2>&1; then
		cat "$RUN/install.log"
		record "$(basename "$svc" .sh) install" 1
	fi
done
start_slot() { # start_slot N: the servers of job slot N, in RUN/slotN
	local dir=$RUN/slot$1 svc name
	for svc in tests/lib/service-*.sh; do
		[[ -e $svc ]] || continue
		name=$(basename "$svc" .sh)
		bash "$svc" start "$dir" >"$dir/$name.log" 2>&1
		echo $? >"$dir/$name.status"
	done
}
starters=()
for ((slot = 1; slot <= JOBS; slot++)); do
	mkdir -p "$RUN/slot$slot"
	start_slot "$slot" &
	starters+=($!)
done

for flavour in release asan; do
	for bin in build/$flavour/tests/test_*; do
		[[ -x $bin ]] && pool_start unit "$bin" "$bin"
	done
done
# The race pass (make tsan: bin/cdcpack-tsan, ThreadSanitizer): the tests
# in TSAN_TESTS run once more against it, reported as "tsan:NAME"; a race
# report, written under $RUN/sanitizer/tsan-NAME/, fails the test like an
# ASan one (tests/tsan.supp: the suppressions, each with its reason). As
# ASAN_TESTS: all, none, GLOBs, or by default the tests of TESTS in the
# slice below (the threads of staging: package and lake workers, zstd's,
# the scan thread of snapshot and diff, the upload streamed while
# compressing), within `make test`'s time; the
# tsan unit tests of TSAN_UNITS (all, or names; by default the threaded
# ones) run with them. `make tsan-test` runs the threaded tests' full set.
I=tests/integration
# pass_tests SPEC DEFAULT: the tests of a sanitizer pass, one a line: SPEC
# none, all (those of TESTS), default (those of TESTS in DEFAULT) or globs.
pass_tests() {
	local t d
	case $1 in
	none) ;;
	all) for t in $TESTS; do echo "$t"; done ;;
	default)
		for t in $TESTS; do
			for d in $2; do
				[[ $t -ef $d ]] && echo "$t" && break
			done
		done
		;;
	*) for t in $1; do compgen -G "$t"; done ;;
	esac
}
TSAN_DEFAULT="$I/core_staging_keeps_a_plain_copy_only_where_one_is_read.sh
	$I/lake_copies_made_while_writing_equal_a_reruns_from_the_archive.sh
	$I/snapshot_first_run_loads_then_ships_iud.sh $I/diff_rows_agree_with_sqldiff.sh
	$I/s3_stream_parts_go_while_compressing.sh"
[[ ${TESTS:-} == none ]] && TESTS=$I/none # no release pass (make tsan-test)
TESTS=${TESTS:-$I/*.sh}
TSAN_TESTS=$(pass_tests "${TSAN_TESTS:-default}" "$TSAN_DEFAULT")
if [[ -n $TSAN_TESTS && ! -x bin/cdcpack-tsan ]]; then
	record "tsan pass: bin/cdcpack-tsan missing (make tsan)" 1
	TSAN_TESTS=
fi
TSAN_UNITS=${TSAN_UNITS:-worker rec_queue_rows archive_stream}
for bin in build/tsan/tests/test_*; do
	[[ -n $TSAN_TESTS && -x $bin ]] || continue
	[[ $TSAN_UNITS == all || " $TSAN_UNITS " == *" ${bin##*/test_} "* ]] || continue
	TSAN_OPTIONS="halt_on_error=0:suppressions=$ROOT/tests/tsan.supp" pool_start unit "$bin" "$bin"
done
# (the last unit tests may still run beside the first integration tests)

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

for pid in "${starters[@]}"; do
	wait "$pid" 2>/dev/null # (pool_reap may have reaped it: the status files tell)
done
for ((slot = 1; slot <= JOBS; slot++)); do
	for svc in tests/lib/service-*.sh; do
		[[ -e $svc ]] || continue
		name=$(basename "$svc" .sh)
		if [[ $(cat "$RUN/slot$slot/$name.status" 2>/dev/null) != 0 ]]; then
			cat "$RUN/slot$slot/$name.log"
			label="$name start"
			((JOBS > 1)) && label+=" (slot $slot)"
			record "$label" 1
		fi
	done
done

integration_job() { # integration_job SCRIPT: one test, with its slot's servers
	local env status san_dir=${SAN_DIR:-}
	for env in "$RUN/slot$POOL_SLOT"/*.env; do
		[[ -e $env ]] && source "$env"
	done
	# A test that failed before its own s3_reset leaves its fault rules on
	# the slot's front; the next test must not meet them (tests/s3).
	if [[ -n ${CDCPACK_TEST_S3_CONTROL:-} ]]; then
		curl -sS --max-time 10 -X POST "$CDCPACK_TEST_S3_CONTROL/reset" >/dev/null ||
			echo "warning: could not reset the S3 front's faults" >&2
	fi
	timeout 600 bash "$1"
	status=$?
	if [[ -n $san_dir ]] && compgen -G "$san_dir/*" >/dev/null; then
		# a sanitizer report fails the test even when the test passed
		echo "sanitizer reports:"
		head -n 60 "$san_dir"/*
		status=1
	fi
	return $status
}

finish_integration() { # finish_integration LABEL LOG STATUS WALL
	record "$1 ($4s)" "$3"
	if [[ $3 -ne 0 ]]; then
		tail -n 40 "$2" | sed 's/^/    /'
	fi
}

# alone SCRIPT: the script says it needs the machine to itself
alone() { grep -q '^# run.sh: alone' "$1"; }

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
ASAN_DEFAULT="$I/cli_help_man_and_exit_codes.sh $I/core_exit_codes_and_messages.sh
	$I/core_apply_until_gap_and_corruption.sh $I/core_awkward_values_round_trip_bit_exact.sh
	$I/core_schema_drift_add_column_rebuilds_triggers.sh $I/core_run_every_stops_cleanly_on_sigterm.sh
	$I/diff_*.sh $I/disk_full_state_dir_*.sh $I/disk_unwritable_staging_*.sh
	$I/hostile_archive_*.sh $I/hostile_manifest_*.sh $I/hostile_chain_*.sh $I/hostile_refused_*.sh
	$I/hostile_config_nul_byte.sh $I/hostile_config_malformed_line.sh
	$I/mysql_types_round_trip_mysql_replica.sh
	$I/s3_publish_small_and_multipart_archives.sh $I/s3_transient_faults_publish_exactly_once.sh
	$I/s3_apply_looks_ahead_at_a_batch_once_not_once_per_table.sh
	$I/snapshot_first_run_loads_then_ships_iud.sh $I/snapshot_mysql_source_ships_changes_once.sh
	$I/crash_matrix_mysql_to_s3_each_point_ships_each_change_once.sh"
ASAN_TESTS=$(pass_tests "${ASAN_TESTS:-default}" "$ASAN_DEFAULT")
if [[ -n $ASAN_TESTS && ! -x bin/cdcpack-asan ]]; then
	record "asan pass: bin/cdcpack-asan missing (make asan)" 1
	ASAN_TESTS=
fi
# queue_tests PASS ALONE: every test of the pass (release, asan or tsan)
# that needs the machine to itself (ALONE=1) or not (ALONE=0) into the pool.
queue_tests() {
	local pass=$1 want=$2 t name is san
	local list=$TESTS
	[[ $pass == asan ]] && list=$ASAN_TESTS
	[[ $pass == tsan ]] && list=$TSAN_TESTS
	for t in $list; do
		[[ -e $t ]] || continue
		is=0
		alone "$t" && is=1
		[[ $is == "$want" ]] || continue
		name=$(basename "$t" .sh)
		if [[ $pass == release ]]; then
			pool_start integration "$name" integration_job "$t"
		elif [[ $pass == tsan ]]; then
			san=$RUN/sanitizer/tsan-$name
			mkdir -p "$san"
			SAN_DIR=$san CDCPACK_BIN=$ROOT/bin/cdcpack-tsan \
				TSAN_OPTIONS="halt_on_error=0:exitcode=88:log_path=$san/tsan:suppressions=$ROOT/tests/tsan.supp" \
				pool_start integration "tsan:$name" integration_job "$t"
		else
			san=$RUN/sanitizer/$name
			mkdir -p "$san"
			SAN_DIR=$san CDCPACK_BIN=$ROOT/bin/cdcpack-asan \
				ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=86:log_path=$san/asan" \
				UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=87" \
				pool_start integration "asan:$name" integration_job "$t"
		fi
		((want == 1)) && pool_drain
	done
}
queue_tests release 0
queue_tests asan 0
queue_tests tsan 0
pool_drain
queue_tests release 1
queue_tests asan 1
queue_tests tsan 1

if ((${#timings[@]})); then
	echo "slowest (wall s, cpu s of the test's processes; $JOBS at a time):"
	printf '%s\n' "${timings[@]}" | sort -k1,1nr -k2,2nr | head -n 25 |
		awk '{ printf "  %5ss %7ss  %s\n", $1, $2, $3 }'
fi
if ((${#failures[@]})); then
	echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
