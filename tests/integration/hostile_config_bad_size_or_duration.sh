#!/usr/bin/env bash
# A size or duration that is not one (junk, a unit we do not know, a
# negative or fractional number, one past int64) is exit 2 naming
# file:line, the key and the value.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

refused_line 'max_rows = 10X' "max_rows: '10X' is not a positive row count" 'row count' batch
refused_line 'max_rows = 0' "max_rows: '0' is not a positive row count" 'row count' batch
refused_line 'max_rows = 1.5' "max_rows: '1.5' is not a positive row count" 'row count' batch
refused_line 'max_rows = 99999999999999999999' "max_rows: '99999999999999999999'" 'row count' batch
refused_line 'keep_local = 7w' "keep_local: '7w' is not a duration" 'like 30s, 15m, 12h, 7d' state
refused_line 'keep_local = -1d' "keep_local: '-1d' is not a duration" 'like 30s' state
refused_line 'keep_local = 9223372036854775807d' "keep_local: '9223372036854775807d'" 'not a duration' state
refused_line 'keep_local = 1 day' "keep_local: '1 day' is not a duration" 'like 30s' state
refused_line 'part_size = 0x500000' "part_size: '0x500000' is not a size" 'like 16M'
refused_line 'part_size = 16MiB' "part_size: '16MiB' is not a size" 'like 16M'
refused_line 'max_retries = 1000' "max_retries: '1000' is not a retry count" '0 to 100'
refused_line 'max_retries = -1' "max_retries: '-1' is not a retry count" '0 to 100'
