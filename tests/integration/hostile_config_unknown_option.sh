#!/usr/bin/env bash
# An option cdcpack does not know, before the command or after it, is
# exit 2 naming the option (and where to look); nothing is done.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

good_config >"$T/cdcpack.conf"
export CDCPACK_CONFIG=$T/cdcpack.conf
args_refused "--frobnicate: unknown option" --frobnicate run
args_refused "-x: unknown option" -x status
args_refused "--verbose=2: unknown option" --verbose=2 run
args_refused "run: unexpected argument '--frob'" run --frob
args_refused "run: unexpected argument '-n'" run -n
args_refused "apply: unexpected argument '--from'" apply --to "sqlite:$T/r.db" --from x
args_refused "ls: unexpected argument '--all'" ls --all
args_refused "load: unknown option --fast|load: unexpected argument '--fast'" load --fast
args_refused "status: unexpected argument 'now'|'now'" status now
