#!/usr/bin/env bash
# Crash matrix, SQLite source -> file: target: for each of the seven fault points, a
# run is killed there (SIGKILL) while a writer inserts, updates, changes keys
# and deletes in both tables; runs go on while it writes and until idle after
# it ends. Then the chain has no gap and no duplicate seq, changelog ranges
# of different batches are disjoint, the cdc rows of all published batches
# are each change once, no temp object is left, no published object changed,
# and a replica rebuilt by apply equals the source (verify and the engine's
# own dumps). See cm_crash_scenario in tests/lib/crash.sh; CM_CASES="POINT
# ..." runs a subset.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
cm_init sqlite file

cm_scenario() { cm_crash_scenario "$1"; }
cm_cases "${CM_POINTS[@]}"
