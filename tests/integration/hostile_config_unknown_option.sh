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
# An option that takes a value, given last without one, says so.
args_refused "run --every: needs a value" run --every
args_refused "run --max-batches: needs a value" run --max-batches
args_refused "apply --to: needs a value" apply --to
args_refused "apply --until: needs a value" apply --to "sqlite:$T/r.db" --until
args_refused "ls --since: needs a value" ls --since
args_refused "verify --against: needs a value" verify --against
args_refused "diff --table: needs a value" diff "sqlite:$T/a.db" "sqlite:$T/b.db" --table
args_refused "diff --format: needs a value" diff "sqlite:$T/a.db" "sqlite:$T/b.db" --format
