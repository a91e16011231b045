#!/usr/bin/env bash
# run.sh: alone (a kill loop: its moments are meant to fall across every step)
# MySQL source -> s3: target: ten runs killed with SIGKILL at random moments
# (fixed seed, printed; CM_KILL_SEED overrides) while a writer inserts,
# updates, changes keys and deletes; then runs until idle: every change
# ships exactly once, the chain has no gap, no temp object or unfinished
# multipart upload is left, no published key was written twice, and the
# replica equals the source. See cm_random_kills_scenario in
# tests/lib/crash.sh (core_random_kills_* covers SQLite -> file:).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
cm_init mysql s3

cm_random_kills_scenario 10
