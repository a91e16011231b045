#!/usr/bin/env bash
# A command cdcpack does not know is exit 2; a near miss gets the command
# it probably meant, anything else a pointer to --help; no command at all
# prints the usage. Nothing is done.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

good_config >"$T/cdcpack.conf"
export CDCPACK_CONFIG=$T/cdcpack.conf
args_refused "'stauts' is not a cdcpack command; did you mean 'status'\?" stauts
args_refused "'aply' is not a cdcpack command; did you mean 'apply'\?" aply --to "sqlite:$T/r.db"
args_refused "'rnu' is not a cdcpack command; did you mean 'run'\?" rnu
args_refused "'trigger' is not a cdcpack command; did you mean 'triggers'\?" trigger install
args_refused "'xyzzy' is not a cdcpack command; see 'cdcpack --help'" xyzzy
args_refused "'' is not a cdcpack command" ''
args_refused "no command given" -v
assert_contains "$T/last.err" "usage: cdcpack"
