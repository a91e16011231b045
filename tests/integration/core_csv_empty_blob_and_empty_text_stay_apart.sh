#!/usr/bin/env bash
# FINDINGS.md F1: in CSV the empty BLOB and the empty text shared one
# spelling (""), so a column without affinity (untyped, or declared BLOB)
# turned one into the other, and apply exited 0. Now the empty BLOB is X''
# and the empty text "" in every column (docs/design.md §5, README): both
# come back as they were in every affinity, through a load and through cdc
# rows (inserts and updates that swap them), in csv as in jsonl; the
# replica equals the source by typeof and bytes, and verify sees a replica
# whose empty BLOB became an empty text.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

for fmt in csv jsonl; do
	core_use "$T/$fmt"
	core_config '[batch]' "format = $fmt" 'compression = none'
	sql "CREATE TABLE e(id INTEGER PRIMARY KEY, u, b BLOB, i INTEGER, r REAL, n NUMERIC, t TEXT);
	     INSERT INTO e VALUES (1, X'', X'', X'', X'', X'', X''), (2, '', '', '', '', '', ''),
	                          (3, X'', '', X'', '', X'', ''), (4, '', X'', '', X'', '', X'');"
	cdc triggers install
	cdc load
	sql "INSERT INTO e SELECT id + 10, u, b, i, r, n, t FROM e;
	     UPDATE e SET u = b, b = u, i = t, t = i, r = n, n = r WHERE id IN (3, 4, 13, 14);
	     INSERT INTO e VALUES (5, X'00', 'x', 1, 1.5, 2.5, 'y');
	     UPDATE e SET u = '', b = X'', t = X'' WHERE id = 5;"
	cdc run
	replica=$T/$fmt/replica.db
	apply_and_compare "$replica"
	if [[ $fmt == csv ]]; then
		load=$(published | head -n 1)
		archive_member "$load" e/LOAD00000001.csv >"$T/load.csv"
		assert_lines "$T/load.csv" "the load file's spellings" \
			"1,X'',X'',X'',X'',X'',X''" \
			'2,"","","","","",""' \
			"3,X'',\"\",X'',\"\",X'',\"\"" \
			"4,\"\",X'',\"\",X'',\"\",X''"
	fi
	sqlite3 "$replica" "UPDATE e SET u = '' WHERE id = 1"
	cdc_status 1 verify --against "sqlite:$replica"
done
