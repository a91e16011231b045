#!/usr/bin/env bash
# A run killed (SIGKILL) inside the source's acknowledgement transaction
# (mid-ack-txn: the batch's changelog rows deleted, not committed): the
# acknowledgement is all or nothing, so every row of the batch is still in
# the changelog and the state still says "published". The next run finishes
# the batch, ships each change once, and the chain has no gap. Then the
# crash scenario under a writer (crash_scenario in core.sh).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

core_use "$T/window"
persons_loaded
sql "UPDATE Persons SET City = 'Window' WHERE PersonID = 1;
     UPDATE Persons SET City = 'Frame' WHERE PersonID = 3;"
crashed mid-ack-txn
assert_eq 2 "$(sql "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'")" \
	"changelog rows after a kill inside the ack transaction (all or none deleted)"
assert_eq published "$(sqlite3 "$STATE_DIR/state.db" "SELECT CASE state WHEN 2 THEN 'published' ELSE state END FROM batches WHERE seq = 2")" \
	"batch 2 in the state after the kill at mid-ack-txn"
sql "UPDATE Persons SET City = 'After' WHERE PersonID = 2"
cdc --json run
assert_eq 1 "$(jq .recovered "$T/last.out")" "batches the run after the kill recovered"
assert_eq 0 "$(sql "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'")" "changelog rows after the rerun"
check_cdc_rows "cdc rows after a kill at mid-ack-txn" 'U,1,Bob Ortiz,Window' 'U,3,Dev Khan,Frame' 'U,2,Carla Nguyen,After'
check_chain

core_use "$T/scenario"
crash_scenario mid-ack-txn
