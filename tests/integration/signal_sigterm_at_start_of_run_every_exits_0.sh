#!/usr/bin/env bash
# SIGTERM reaching `run --every 1s` 0, 5 and 10 ms after it can catch it --
# before it has loaded its config or taken the lock -- stops it as cleanly as
# later: exit 0 (not death by the signal, 143), nothing left unfinished, and
# the next runs ship every change exactly once. See cm_sigterm_at_start_scenario in
# tests/lib/crash.sh.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/crash.sh"
cm_init sqlite file

cm_sigterm_at_start_scenario
