#!/usr/bin/env bash
# part_size outside S3's multipart limits (5 MiB to 5 GiB, docs/design.md §8) is
# exit 2 naming file:line, the key and the limits; the limits themselves
# are fine.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

refused_line 'part_size = 4M' "part_size: '4M' is outside S3's part size limits" '5M to 5G'
refused_line 'part_size = 5242879' "part_size: '5242879' is outside" '5M to 5G'
refused_line 'part_size = 5G1' "part_size: '5G1' is not a size" 'like 16M'
refused_line 'part_size = 6G' "part_size: '6G' is outside S3's part size limits" '5M to 5G'
refused_line 'part_size = 0' "part_size: '0' is outside" '5M to 5G'
sqlite3 "$T/src.db" "CREATE TABLE t(id INTEGER PRIMARY KEY)"
# (part_size is an s3:// target's key: a file: target refuses it as unused;
# triggers status reads the config without contacting the target)
for ok in 5M 5242880 5G 5368709120; do
	{ good_config | sed 's|^url = file:.*|url = s3://bucket/p|'; printf 'part_size = %s\n' "$ok"; } >"$T/ok.conf"
	cdc -c "$T/ok.conf" triggers status
done
