#!/usr/bin/env bash
# MySQL source -> s3: target, `run --every 1s` and SIGTERM: held at each
# step (after-capture, after-stage, mid-upload, after-upload,
# after-publish) it exits 0 after the current step with at most one batch
# left to carry forward; at random moments under a concurrent writer
# (fixed seed, printed) it exits 0 with nothing half done, and the next
# loop goes on. (signal_sigterm_at_start_* covers the first milliseconds.) In the end every change ships exactly once and the replica
# equals the source. See cm_sigterm_* in tests/lib/crash.sh
# (core_run_every_stops_cleanly_on_sigterm covers SQLite -> file:).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
cm_init mysql s3

cm_scenario() {
	if [[ $1 == random ]]; then
		cm_sigterm_scenario 6
	else
		cm_sigterm_held_scenario after-capture after-stage mid-upload after-upload after-publish
	fi
}
cm_cases held-at-each-step random
