#!/usr/bin/env bash
# A CDCPACK_FAULT that is not crash:POINT or delay:POINT:MS (an unknown
# point, a missing or bad delay, junk) is exit 2 naming the variable, the
# value and the points; no command runs with a fault it did not understand.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

good_config >"$T/cdcpack.conf"
export CDCPACK_CONFIG=$T/cdcpack.conf
for f in crash:nowhere crash: crash delay:after-stage delay:after-stage:abc delay:after-stage:-5 \
	crash:after-stage:5 explode 'crash:after-stage ' CRASH:after-stage delay::10; do
	CDCPACK_FAULT=$f args_refused "CDCPACK_FAULT=$f: want crash:POINT or delay:POINT:MS" run
	assert_contains "$T/last.err" "after-capture, mid-stage-record, after-stage, mid-upload, after-upload, before-final-copy, after-temp-delete, after-publish, mid-lake, after-lake, mid-ack-txn, mid-ack, after-ack, mid-load, mid-diff, apply-before-commit"
done
