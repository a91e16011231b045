#!/usr/bin/env bash
# A config file that is not there (given with -c, --config=, CDCPACK_CONFIG,
# or the default ./cdcpack.conf) is exit 2 naming the file and how to give
# another; -c wins over CDCPACK_CONFIG.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

unset CDCPACK_CONFIG
for cmd in run init status load ls; do
	cdc_status 2 -c "$T/nowhere.conf" "$cmd"
	assert_contains "$T/last.err" "$T/nowhere.conf: cannot open config file: No such file or directory"
	assert_contains "$T/last.err" "use -c FILE or CDCPACK_CONFIG"
done
cdc_status 2 --config="$T/nowhere.conf" run
assert_contains "$T/last.err" "$T/nowhere.conf: cannot open config file"
CDCPACK_CONFIG=$T/env.conf cdc_status 2 run
assert_contains "$T/last.err" "$T/env.conf: cannot open config file"
good_config >"$T/good.conf"
CDCPACK_CONFIG=$T/good.conf cdc_status 2 -c "$T/nowhere.conf" status
assert_contains "$T/last.err" "$T/nowhere.conf: cannot open config file"
mkdir "$T/cwd" && cd "$T/cwd"
cdc_status 2 run
assert_contains "$T/last.err" "cdcpack.conf: cannot open config file"
nothing_done
