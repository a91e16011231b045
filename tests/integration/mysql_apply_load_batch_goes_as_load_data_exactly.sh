#!/usr/bin/env bash
# A load batch reaches a MariaDB replica as LOAD DATA LOCAL INFILE streamed
# from memory (issue 20), and exactly: NULL vs '', text with tabs, newlines,
# backslashes, "\N" and NUL, BLOBs of every byte value, REALs bit for bit,
# a column holding values of several types. With LOCAL the server turns
# strict-mode errors into warnings, so a chunk that warns goes again by the
# exact multi-row path: a DECIMAL rounded (a note) stores what an INSERT
# stores, and text in an integer column fails the batch as an INSERT does,
# leaving nothing of it, never a 0 stored in its place.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"

all=$(for ((i = 0; i < 256; i++)); do printf '%02X' $i; done)
sql "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, b BLOB, r REAL, m TEXT, n INTEGER);
	WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 3000)
	INSERT INTO t SELECT i, 'v ' || i || char(9) || 'tab' || char(10) || 'nl \\ \\N ''q''',
		CAST(x'$all' || randomblob(i % 50) AS BLOB), i / 7.0,
		CASE i % 4 WHEN 0 THEN i WHEN 1 THEN 'm' || i WHEN 2 THEN i * 0.5 ELSE NULL END, i FROM s;
	INSERT INTO t VALUES (0, '', x'', 0.1, '', NULL), (-1, NULL, NULL, NULL, NULL, NULL),
		(-2, '\\N', x'5C4E', -0.0, 'a' || char(0) || 'b', -9223372036854775808),
		(-3, '\\', x'5C', 1e308, char(10), 9223372036854775807);
	CREATE TABLE d(id INTEGER PRIMARY KEY, x DECIMAL(10,2));
	INSERT INTO d VALUES (1, 1.005), (2, 2.5), (3, 123.456);"
core_start_capture trigger
rep=$(mysql_fresh_db loaddata)
loads() { mysql_root -N -B -e "SHOW GLOBAL STATUS LIKE 'Com_load'" | cut -f2; }
before=$(loads)
cdc -v apply --to "$(mysql_url "$rep")"
(($(loads) > before)) || fail "the load batch did not go as LOAD DATA"
assert_contains "$T/last.err" "replica load into d: the server gave warnings"
sqlite3 -separator $'\t' "$SRC_DB" "SELECT id, hex(v), v IS NULL, hex(b), b IS NULL, hex(m), m IS NULL, n FROM t ORDER BY id" >"$T/src.rows"
mysql_exec "$rep" "SELECT id, IFNULL(HEX(v), ''), v IS NULL, IFNULL(HEX(b), ''), b IS NULL, IFNULL(HEX(m), ''), m IS NULL,
	IFNULL(n, '') FROM t ORDER BY id" >"$T/rep.rows"
assert_same_file "$T/src.rows" "$T/rep.rows"
# The same batch by the exact path alone (the server refusing LOCAL) stores
# the very same bytes, the rounded DECIMALs included.
infile=$(mysql_root -N -B -e "SELECT @@GLOBAL.local_infile")
trap '_rc=$?; mysql_root -e "SET GLOBAL local_infile = $infile" || true; (exit $_rc); cleanup_tmp' EXIT
mysql_root -e "SET GLOBAL local_infile = OFF"
exact=$(mysql_fresh_db loaddata_exact)
cdc apply --to "$(mysql_url "$exact")"
assert_eq 1 "$(grep -c "refused LOAD DATA LOCAL" "$T/last.err")" "the refusal, said once"
mysql_root -e "SET GLOBAL local_infile = $infile"
dump='SELECT id, IFNULL(HEX(v), 0), IFNULL(HEX(b), 0), HEX(r), IFNULL(HEX(m), 0), HEX(n) FROM t ORDER BY id'
assert_eq "$(mysql_exec "$exact" "$dump")" "$(mysql_exec "$rep" "$dump")" "t by LOAD DATA and by the exact path"
assert_eq "$(mysql_exec "$exact" "SELECT id, x FROM d ORDER BY id")" "$(mysql_exec "$rep" "SELECT id, x FROM d ORDER BY id")" \
	"d by LOAD DATA and by the exact path"

# Text in an INTEGER column: SQLite keeps it, a MariaDB BIGINT cannot.
sql "INSERT INTO t VALUES (5000, 'x', NULL, NULL, NULL, 'not a number')"
cdc load
cdc_status 3 apply --to "$(mysql_url "$rep")"
assert_contains "$T/last.err" "Incorrect integer value: 'not a number' for column"
assert_eq 3004 "$(mysql_exec "$rep" "SELECT COUNT(*) FROM t")" "rows of t: those of the first load"
assert_eq 0 "$(mysql_exec "$rep" "SELECT COUNT(*) FROM t WHERE id = 5000")" "the row that failed"
