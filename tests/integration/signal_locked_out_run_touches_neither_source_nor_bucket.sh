#!/usr/bin/env bash
# The run lock is the first thing a run takes: while a run holds it (held
# at after-stage), a second `run` and a `load` exit 75 having touched
# nothing -- no connection to anything (traced with strace: no connect(2)),
# no S3 request (the S3 front's request log), the state database not even
# opened. MySQL source, s3: target.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
cm_init mysql s3
command -v strace >/dev/null || fail "strace is missing (ci/install-deps.sh installs it)"

cm_case lockout
cm_setup
cm_sql "UPDATE acct SET bal = bal + 1 WHERE id = 1"

start_held first after-stage 5000 run
for cmd in run load; do
	last=$(s3_log | jq -s 'map(.seq) | max // 0')
	got=0
	strace -f -qq -e trace=connect,openat -o "$T/$cmd.trace" "$CDCPACK" $cmd >"$T/$cmd.out" 2>"$T/$cmd.err" || got=$?
	assert_eq 75 "$got" "exit status of a locked-out $cmd ($(cat "$T/$cmd.err"))"
	assert_contains "$T/$cmd.err" "holds the lock"
	kill -0 "$HELD_PID" 2>/dev/null || fail "the held run ended before the locked-out $cmd was done: the check saw no lock"
	assert_eq "" "$(s3_log "$last" | jq -c '{method, url}')" "S3 requests of a locked-out $cmd"
	assert_eq "" "$(grep -E '^[0-9]+ +connect\(' "$T/$cmd.trace" || true)" "connections a locked-out $cmd opened"
	assert_eq "" "$(grep -F 'state.db' "$T/$cmd.trace" || true)" "state database opened by a locked-out $cmd"
done
wait "$HELD_PID" || fail "the held run failed: $(cat "$T/first.err")"
cm_sql "UPDATE acct SET bal = bal + 1 WHERE id = 2"
"$CDCPACK" run >"$T/after.out" 2>"$T/after.err" || fail "the run after the held one failed: $(cat "$T/after.err")"
cm_fetch
check_chain
