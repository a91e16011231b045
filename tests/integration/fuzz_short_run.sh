#!/usr/bin/env bash
# Every libFuzzer harness (tests/fuzz/) builds with clang and runs
# FUZZ_SECONDS (default 10) over its committed corpus, regression inputs
# included, under ASan+UBSan: any crash, sanitizer report, leak, timeout or
# out-of-memory fails, with the input kept in build/fuzz/artifacts/.
# About 90 s of fuzzing plus the clang build; `make fuzz FUZZ_SECONDS=300` runs longer.
source "$(dirname "$0")/../lib/common.sh"

command -v "${FUZZ_CC:-clang-14}" >/dev/null ||
	fail "${FUZZ_CC:-clang-14} is not installed (ci/install-deps.sh installs clang-14 and libclang-rt-14-dev)"
# One instance at a time builds and fuzzes: tests/run.sh may start this test
# and its asan: twin at once, and both would write build/fuzz/.
mkdir -p "$ROOT/build"
exec 9>"$ROOT/build/fuzz-test.lock"
flock 9
if ! make -C "$ROOT" --no-print-directory -j"$(nproc)" fuzz-build >"$T/build.log" 2>&1; then
	tail -n 40 "$T/build.log" >&2
	fail "make fuzz-build failed"
fi
status=0
bash "$ROOT/tests/fuzz/run.sh" "${FUZZ_SECONDS:-10}" || status=$?
((status == 0)) || fail "a fuzz harness failed (inputs in $ROOT/build/fuzz/artifacts/)"
