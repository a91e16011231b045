#!/usr/bin/env bash
# run.sh: alone (a kill loop: its moments are meant to fall across every step)
# mode = binlog, MySQL source -> file: target: runs killed with SIGKILL at
# random moments (fixed seed, printed; CM_KILL_SEED overrides) while a
# writer commits inserts, updates, key changes and deletes; then runs until
# idle: every change ships exactly once, in commit order (the archives hold
# no change twice and lose none), the chain has no gap, and a MariaDB
# replica equals the source. See cm_random_kills_scenario in
# tests/lib/crash.sh (signal_sigkill_at_random_moments_* does the same in
# trigger mode; binlog_crash_at_each_point_* kills at the fault points,
# with no writer).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
cm_init mysql file binlog
# batches of at most 5 rows: a run has many, so kills land between stage
# and acknowledgement too

cm_random_kills_scenario 10 5
