#!/usr/bin/env bash
# The layering of src/ (docs/architecture.md) holds: no include goes up a
# layer, across sibling layers or into another driver, and modules form no
# include cycle (tests/lint/check_layers.py, also run by `make lint`). The
# checker itself is shown to fail on each kind of break, planted in a copy.
source "$(dirname "$0")/../lib/common.sh"

check="python3 $ROOT/tests/lint/check_layers.py"
$check "$ROOT/src" >"$T/out" 2>&1 || {
	cat "$T/out"
	fail "src/ breaks its layering"
}
assert_contains "$T/out" "upward or across: 0, cycles: 0"

# plant BREAK FILE 'INCLUDE LINE' EXPECTED: the checker exits 1 naming it.
plant() {
	local what=$1 file=$2 line=$3 expected=$4
	rm -rf "$T/src" && cp -r "$ROOT/src" "$T/src"
	sed -i "1i $line" "$T/src/$file"
	if $check "$T/src" >"$T/out" 2>&1; then
		fail "$what: the checker passed $file with $line"
	fi
	assert_contains "$T/out" "$expected"
}
plant "upward" format/value.c '#include "pipeline.h"' "up a layer"
plant "sibling" target/target.c '#include "source.h"' "across sibling layers"
plant "driver" engine/apply.c '#include "mysql_url.h"' "a driver's own header"
plant "cycle" base/buf.h '#include "strv.h"' "include cycle: buf -> strv -> buf"
plant "unknown" base/err.c '#include "nosuch.h"' "in no layer"
echo "layers hold; each planted break is caught"
