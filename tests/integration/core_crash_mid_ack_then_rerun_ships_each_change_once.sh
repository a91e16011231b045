#!/usr/bin/env bash
# A run killed (SIGKILL) at mid-ack: the changelog rows of the batch are
# deleted, the state still says "published". The next run finishes that
# batch (recorded as acknowledged, nothing deleted twice, nothing shipped
# again). Then the crash scenario under a writer (crash_scenario in
# core.sh): every change ships exactly once, the chain has no gap, no temp
# object is left, and the replica equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

core_use "$T/window"
persons_loaded
sql "UPDATE Persons SET City = 'Window' WHERE PersonID = 1"
crashed mid-ack
assert_eq 0 "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'")" "changelog rows after the kill at mid-ack"
assert_eq published "$(sqlite3 "$STATE_DIR/state.db" "SELECT CASE state WHEN 2 THEN 'published' ELSE state END FROM batches WHERE seq = 2")" \
	"batch 2 in the state after the kill at mid-ack"
sql "UPDATE Persons SET City = 'After' WHERE PersonID = 2"
cdc --json run
assert_eq 1 "$(jq .recovered "$T/last.out")" "batches the run after the kill recovered"
assert_eq 3 "$(sqlite3 "$STATE_DIR/state.db" "SELECT count(*) FROM batches WHERE state = 3")" "acknowledged batches"
check_cdc_rows "cdc rows after a kill at mid-ack" 'U,1,Bob Ortiz,Window' 'U,2,Carla Nguyen,After'
check_chain

core_use "$T/scenario"
crash_scenario mid-ack
