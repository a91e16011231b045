#!/usr/bin/env bash
# A run killed (SIGKILL) at mid-stage-record: the state's transaction has
# the new batch, not yet its changelog ranges. A batch and its ranges are
# one transaction, so the state holds no such batch (one without ranges
# would be acknowledged without deleting anything, and its changes shipped
# again). The next run captures the changes again and ships each once.
# Then the crash scenario under a writer (crash_scenario in core.sh).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

core_use "$T/window"
persons_loaded
sql "UPDATE Persons SET City = 'Window' WHERE PersonID = 1"
crashed mid-stage-record
assert_eq 1 "$(sqlite3 "$STATE_DIR/state.db" "SELECT count(*) FROM batches")" \
	"batches in the state after the kill at mid-stage-record (the load only)"
sql "UPDATE Persons SET City = 'After' WHERE PersonID = 2"
cdc --json run
assert_eq 0 "$(jq .recovered "$T/last.out")" "batches the run after the kill recovered"
assert_eq 0 "$(sql "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'")" "changelog rows after the rerun"
check_cdc_rows "cdc rows after a kill at mid-stage-record" 'U,1,Bob Ortiz,Window' 'U,2,Carla Nguyen,After'
check_chain

core_use "$T/scenario"
crash_scenario mid-stage-record
