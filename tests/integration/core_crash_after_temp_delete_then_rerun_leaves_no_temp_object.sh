#!/usr/bin/env bash
# A run killed (SIGKILL) at after-temp-delete: the batch is at its final key,
# its temp object deleted, "published" not yet recorded (the state says
# "uploaded"). The next run finds the batch published, deletes a temp object
# that is already gone without complaint, records it and acknowledges: each
# change once, no temp object left. Then the crash scenario under a writer
# (crash_scenario in core.sh).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

core_use "$T/window"
persons_loaded
sql "UPDATE Persons SET City = 'Window' WHERE PersonID = 1"
crashed after-temp-delete
assert_eq "" "$(temp_objects)" "temp objects after the kill at after-temp-delete"
assert_eq 2 "$(published_count)" "published batches after the kill at after-temp-delete"
assert_eq uploaded "$(sqlite3 "$STATE_DIR/state.db" "SELECT CASE state WHEN 1 THEN 'uploaded' ELSE state END FROM batches WHERE seq = 2")" \
	"batch 2 in the state after the kill at after-temp-delete"
cdc --json run
assert_eq 1 "$(jq .recovered "$T/last.out")" "batches the run after the kill recovered"
assert_eq 0 "$(sql "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'")" "changelog rows after the rerun"
assert_eq "" "$(temp_objects)" "temp objects after the rerun"
check_cdc_rows "cdc rows after a kill at after-temp-delete" 'U,1,Bob Ortiz,Window'
check_chain

core_use "$T/scenario"
crash_scenario after-temp-delete
