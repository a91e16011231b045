#!/usr/bin/env bash
# Runs each libFuzzer harness of build/fuzz/ (make fuzz-build) for SECONDS
# over a scratch copy of its committed corpus, tests/fuzz/corpus/<name>/;
# new inputs stay in the scratch copy, so the committed corpus stays small.
# A crash, a sanitizer report, a leak, a timeout or an out-of-memory stops
# that harness: its input is kept in $FUZZ_ARTIFACTS (default build/fuzz/
# artifacts/) and the script exits 1 after running the others.
#
#   bash tests/fuzz/run.sh SECONDS [NAME...]     e.g. run.sh 300 archive manifest
#
# Prints one line per harness: name, executions, seconds, corpus size, result.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_EACH=${1:-10}
shift || true
ARTIFACTS=${FUZZ_ARTIFACTS:-$ROOT/build/fuzz/artifacts}
mkdir -p "$ARTIFACTS"

# Input size limits: a bit above the largest real input of each kind, so
# the fuzzer spends its time on structure rather than length.
max_len() {
	case $1 in
	archive) echo 16384 ;;
	changefile | manifest | manifest_sql | config | s3xml) echo 8192 ;;
	*) echo 1024 ;;
	esac
}

names=("$@")
if ((${#names[@]} == 0)); then
	for bin in "$ROOT"/build/fuzz/fuzz_*; do
		[[ -x $bin ]] && names+=("$(basename "$bin" | sed 's/^fuzz_//')")
	done
fi
if ((${#names[@]} == 0)); then
	echo "run.sh: no harness in build/fuzz/; run 'make fuzz-build' first" >&2
	exit 2
fi

# The harnesses that read files write each input to disk: a tmpfs makes
# that ten times faster than an overlay or ext4 /tmp.
base=${FUZZ_TMPDIR:-}
if [[ -z $base ]]; then
	base=${TMPDIR:-/tmp}
	[[ -d /dev/shm && -w /dev/shm ]] && base=/dev/shm
fi
WORK=$(mktemp -d "$base/cdcpack-fuzz-run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
failed=0
total=0
for name in "${names[@]}"; do
	bin=$ROOT/build/fuzz/fuzz_$name
	seeds=$ROOT/tests/fuzz/corpus/$name
	if [[ ! -x $bin ]]; then
		echo "fuzz_$name: not built" >&2
		failed=1
		continue
	fi
	mkdir -p "$WORK/$name"
	[[ -d $seeds ]] && cp -r "$seeds/." "$WORK/$name/"
	log=$WORK/$name.log
	status=0
	# The harness's own scratch files go under $WORK too; ASAN/UBSAN options
	# make any report fatal and keep the stack readable.
	TMPDIR=$WORK ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1} \
		UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"$bin" -max_total_time="$SECONDS_EACH" -max_len="$(max_len "$name")" \
		-rss_limit_mb=512 -timeout=20 -print_final_stats=1 \
		-artifact_prefix="$ARTIFACTS/${name}-" "$WORK/$name" >"$log" 2>&1 || status=$?
	execs=$(grep -oP 'stat::number_of_executed_units: \K[0-9]+' "$log" | tail -1)
	secs=$(grep -oP 'Done [0-9]+ runs in \K[0-9]+' "$log" | tail -1)
	units=$(find "$WORK/$name" -type f | wc -l)
	total=$((total + ${execs:-0}))
	if ((status == 0)); then
		printf '%-12s %10s execs in %ss, corpus %s: ok\n' "fuzz_$name" "${execs:-?}" \
			"${secs:-?}" "$units"
	else
		failed=1
		printf '%-12s %10s execs, exit %s: FAILED\n' "fuzz_$name" "${execs:-?}" "$status"
		grep -E 'ERROR: |SUMMARY: |runtime error|Test unit written|==[0-9]+==' "$log" | head -20
		tail -n 60 "$log" | sed 's/^/    /'
	fi
done
echo "fuzz: $total executions in all"
exit $failed
