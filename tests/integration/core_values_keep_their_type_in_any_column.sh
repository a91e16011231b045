#!/usr/bin/env bash
# SQLite stores any value in any column: a BLOB in an untyped column, text in
# a BLOB column, a blob in a TEXT column, text or a blob in an INTEGER or REAL
# column, text that only looks like a number to strtod ('0x10', 'nan',
# 'Infinity') or like base64 ('AAAA'). Each survives load and cdc with its
# type and bytes, in csv and jsonl, so apply succeeds and the replica equals
# the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

rows() { # rows BASE
	local b=$1
	cat <<EOF2
INSERT INTO m VALUES
 ($b + 1, X'00FF', 'abc', 'xyz', 'hello', 'str', X'01'),
 ($b + 2, X'', 1.5, X'AA', 12, X'BB', 'AAE='),
 ($b + 3, 't', 99999999999999999999, 'AQID', 1.5, 'x', 1234),
 ($b + 4, NULL, X'31', NULL, '1234', NULL, X'D76DF8'),
 ($b + 5, 'u', 7, 2.5, X'', 3, X''),
 ($b + 6, 'v', 8, 3.5, 'MQ==', 4, 1.5),
 ($b + 7, '1e5', '0x10', 'nan', 'AAAA', 'Infinity', '12'),
 ($b + 8, 'inf', ' 7x', 'Infinity', '', '-nan', '');
EOF2
}

for fmt in csv jsonl; do
	core_use "$T/$fmt"
	core_config '[batch]' "format = $fmt"
	sql "CREATE TABLE m(id INTEGER PRIMARY KEY, t TEXT, i INTEGER, r REAL, b BLOB, n NUMERIC, u);
	     $(rows 0)"
	cdc triggers install
	cdc load
	sql "$(rows 100) UPDATE m SET b = 'changed', u = X'C0FFEE' WHERE id IN (2, 102);"
	cdc run
	apply_and_compare "$T/$fmt/replica.db"
done
