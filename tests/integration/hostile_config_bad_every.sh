#!/usr/bin/env bash
# run --every with something that is not a positive duration is exit 2
# naming the option and the value, before any work (no state dir).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

good_config >"$T/cdcpack.conf"
export CDCPACK_CONFIG=$T/cdcpack.conf
for v in 5x -1m 0 0s 1.5m '' 5mm 99999999999999999999s 9223372036854775807d m; do
	args_refused "run --every: '$v' is not a duration" run --every "$v"
done
args_refused "run --max-batches: '0' is not a count >= 1" run --max-batches 0
args_refused "run --max-batches: 'x' is not a count >= 1" run --max-batches x
