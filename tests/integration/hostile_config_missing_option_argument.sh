#!/usr/bin/env bash
# An option whose argument is missing is exit 2 naming the option; it
# never takes the next option as its argument, nor runs with a default.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

good_config >"$T/cdcpack.conf"
export CDCPACK_CONFIG=$T/cdcpack.conf
args_refused "-c: needs a FILE argument" -c
args_refused "--config: needs a FILE argument" --config
args_refused "--every" run --every
args_refused "--max-batches" run --max-batches
args_refused "--every" run --every --max-batches 1
args_refused "--to" apply --to
args_refused "--until" apply --to "sqlite:$T/r.db" --until
args_refused "--since" ls --since
args_refused "apply: --to URL is required" apply
args_refused "show: give exactly one ARCHIVE file or object KEY" show
