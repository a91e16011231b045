#!/usr/bin/env bash
# A run with no new change publishes nothing: exit 0, no new object at the
# target, nothing in staging, `--json` says batches 0 -- before the first
# load, and again after a load and a cdc batch.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_db "$SRC_DB"
core_config
cdc triggers install

# files at the target and in staging
files() {
	{ find "$BUCKET" "$STATE_DIR/staging" -type f 2>/dev/null || true; } | sort
}

idle_run() { # idle_run WHAT: a run that must publish nothing
	local before after
	before=$(files)
	cdc --json run
	jq -e '.ok == true and .exit_code == 0 and .command == "run" and .batches == 0 and .rows == 0' \
		"$T/last.out" >/dev/null || fail "$1: idle run report: $(cat "$T/last.out")"
	after=$(files)
	assert_eq "$before" "$after" "$1: files at the target and in staging"
}

idle_run "before any load"
assert_eq 0 "$(published_count)" "objects published by an idle run"

cdc load
sql "UPDATE Persons SET City = 'Reno' WHERE PersonID = 3"
cdc run
assert_eq 2 "$(published_count)" "published after load and one change"
idle_run "after a cdc batch"
idle_run "a second time"
cdc --json status
assert_eq 0 "$(jq .pending "$T/last.out")" "pending changes in status"
assert_eq 2 "$(jq .batches.acked "$T/last.out")" "acked batches in status"
