#!/usr/bin/env bash
# Reconcile, MariaDB source -> S3 target (tests/s3): blind spots made on purpose are
# repaired exactly once when a reconcile is killed (SIGKILL) at each fault
# point of its batch, while a writer inserts, updates, changes keys and
# deletes; reconciles under the writer never carry a key the writer changed
# (keys with changes pending in the changelog are left to the cdc batches).
# See rc_crash_scenario in tests/lib/reconcile.sh; CM_CASES="POINT ..."
# runs a subset.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
source "$ROOT/tests/lib/reconcile.sh"
cm_init mysql s3

cm_scenario() { rc_crash_scenario "$1"; }
cm_cases "${RC_POINTS[@]}"
