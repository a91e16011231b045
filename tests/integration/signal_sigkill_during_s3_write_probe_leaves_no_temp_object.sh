#!/usr/bin/env bash
# SQLite source -> s3: target: a run killed with SIGKILL in the middle of its
# conditional-write probe (the scratch object under the temp prefix that
# tells whether the server honours If-None-Match; the front writes the
# first probe PUT and holds its reply while the kill lands) leaves nothing
# behind once the next runs have gone until idle: no object under the temp prefix (AWS
# CLI listing), every change once, the replica equal to the source. The
# random kills of signal_sigkill_at_random_moments_* hit this window only
# by chance.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
cm_init sqlite s3

probe_reply_held() {
	s3_control GET /faults | jq -e '.[0].fired >= 1' >/dev/null
}

cm_case probe
cm_setup
cm_writer_play 6
# the probe: DELETE of a leftover, PUT (held here, once written), PUT, DELETE
s3_faults '[{"method": "PUT", "path": "\\.cdcpack-probe", "nth": 1, "action": "slow", "delay_ms": 20000}]'
"$CDCPACK" run >"$CM_DIR/killed.out" 2>"$CM_DIR/killed.err" &
pid=$!
cm_on_exit "kill -9 $pid"
wait_for 30 "the first probe PUT" probe_reply_held
sleep 0.3
kill -9 "$pid"
{ wait "$pid" || true; } 2>/dev/null
s3_faults '[]'
s3_aws s3 ls --recursive "s3://$CDCPACK_TEST_S3_BUCKET/$CM_PREFIX/_tmp/" >"$CM_DIR/tmp.ls" || true
echo "under the temp prefix after the kill: $(awk '{ print $4 }' "$CM_DIR/tmp.ls" | tr '\n' ' ')"
grep -q 'cdcpack-probe' "$CM_DIR/tmp.ls" || fail "the killed run left no probe object: the kill missed the probe"
cm_writer_script 6 7
cm_writer_start 0
cm_writer_wait
cm_rerun_and_check 10
