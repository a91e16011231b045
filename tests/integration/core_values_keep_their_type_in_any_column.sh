#!/usr/bin/env bash
# SQLite stores any value in any column: a BLOB in an untyped column, text in
# a BLOB column, a blob in a TEXT column, text or a blob in an INTEGER or REAL
# column, text that only looks like a number to strtod ('0x10', 'nan',
# 'Infinity') or like base64 ('AAAA'), a BLOB whose base64 spells a number
# (X'D76DF8' is "1234"), an empty BLOB beside an empty text.
# - jsonl keeps every value's own type: the replica equals the source.
# - csv never makes apply fail on such a value, and in the columns without
#   affinity (untyped, or declared BLOB) it keeps text apart from numbers and
#   BLOBs, as the README promises, the empty BLOB (X'') apart from the empty
#   text ("") and a BLOB whose base64 reads as a number (X'D76DF8') apart
#   from the number; in typed columns a BLOB other than the empty one comes
#   back as its base64 text (README), not checked here.
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
 ($b + 8, 'inf', ' 7x', 'Infinity', '', '-nan', ''),
 ($b + 9, 'w', 9, 4.5, X'D5ED74', 5, X'D5ED74'),
 ($b + 10, 'x', 10, 5.5, 2.5, 6, -7);
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
	replica=$T/$fmt/replica.db
	if [[ $fmt == jsonl ]]; then
		apply_and_compare "$replica"
		continue
	fi
	cdc apply --to "sqlite:$replica"
	# The no-affinity columns, value by value: typeof and bytes.
	sqlite3 "$SRC_DB" "ATTACH '$replica' AS r;
		WITH v(id, col, st, sv, rt, rv) AS (
			SELECT id, 'b', typeof(s.b), quote(s.b), typeof(p.b), quote(p.b) FROM main.m s JOIN r.m p USING (id)
			UNION ALL
			SELECT id, 'u', typeof(s.u), quote(s.u), typeof(p.u), quote(p.u) FROM main.m s JOIN r.m p USING (id))
		SELECT id || ' ' || col || ': source ' || st || ':' || sv || ', replica ' || rt || ':' || rv FROM v
		WHERE st <> rt OR sv <> rv
		UNION ALL
		SELECT 'rows: source ' || (SELECT count(*) FROM main.m) || ', replica ' || (SELECT count(*) FROM r.m)
		WHERE (SELECT count(*) FROM main.m) <> (SELECT count(*) FROM r.m);" >"$T/csv.diff"
	[[ ! -s $T/csv.diff ]] || fail "csv: values in columns without affinity changed type or bytes:
$(cat "$T/csv.diff")"
done
