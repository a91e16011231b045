#!/usr/bin/env bash
# A run killed (SIGKILL) at after-capture while a writer works, then runs until idle:
# every change ships exactly once, the chain has no gap, no temp object is
# left, and the replica equals the source (see crash_scenario in core.sh).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

crash_scenario after-capture
