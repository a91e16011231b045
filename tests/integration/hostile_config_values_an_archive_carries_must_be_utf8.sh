#!/usr/bin/env bash
# Config values that every manifest (or claim) carries as a JSON string must
# be UTF-8: [source] name, [batch] csv_null_value and timestamp_column. JSON
# cannot hold other bytes, so such a value used to vanish from the manifest
# (apply then read the NULL marker as text) or fail the claim with "cannot
# write". Each is refused with exit 2 naming file:line and the key, and
# nothing is done.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

sqlite3 "$T/src.db" "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"

echo "case: [source] name"
good_config | sed "s/^name = src\$/name = $(printf 's\xffrc')/" >"$T/bad.conf"
config_refused "$T/bad.conf" "bad.conf:3: name: " "is not UTF-8"

refused_line 'format = csv\ncsv_null_value = N\xffL' "csv_null_value: " "is not UTF-8" batch
refused_line 'timestamp_column = ts\xfe' "timestamp_column: " "is not UTF-8" batch

# UTF-8 beyond ASCII passes.
{
	good_config
	printf '[batch]\nformat = csv\ncsv_null_value = NÜLL\ntimestamp_column = zeït\n'
} >"$T/good.conf"
CDCPACK_CONFIG=$T/good.conf cdc init
echo "ok"
