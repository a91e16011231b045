#!/usr/bin/env bash
# apply's multi-row statements (issue 20) are sized to the replica
# session's max_allowed_packet: with the server's at 64 KiB, a load batch
# and a cdc batch of some 600 KiB each (quotes, backslashes, NUL bytes,
# every byte value in BLOBs) reach a MariaDB replica exactly. With the
# server's local_infile OFF, the load batch's LOAD DATA LOCAL is refused
# (said once) and its rows go by these statements (docs/design.md §6).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"

packet=$(mysql_root -N -B -e "SELECT @@GLOBAL.max_allowed_packet")
infile=$(mysql_root -N -B -e "SELECT @@GLOBAL.local_infile")
restore() {
	mysql_root -e "SET GLOBAL max_allowed_packet = $packet; SET GLOBAL local_infile = $infile" || true
}
trap '_rc=$?; restore; (exit $_rc); cleanup_tmp' EXIT
mysql_root -e "SET GLOBAL max_allowed_packet = 65536; SET GLOBAL local_infile = OFF"

# 500 rows of ~1.2 KiB: text with quotes and backslashes, a BLOB of all 256
# byte values (NUL, quote and backslash among them) and some random bytes.
all=$(for ((i = 0; i < 256; i++)); do printf '%02X' $i; done)
sql "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, b BLOB, r REAL);
	WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 500)
	INSERT INTO t SELECT i, printf('%s ''q'' \\ \"d\" %d', substr(hex(randomblob(200)), 1, 300), i),
		CAST(x'$all' || randomblob(i % 300) AS BLOB), i / 7.0 FROM s;"
core_start_capture trigger
rep=$(mysql_fresh_db packet)
cdc apply --to "$(mysql_url "$rep")"
assert_eq 1 "$(grep -c "refused LOAD DATA LOCAL" "$T/last.err")" "the refusal, said once"
# same WHAT: the replica's rows are the source's, byte for byte (REALs
# compared as the doubles their shortest spellings read back as).
reals() {
	python3 -c 'import sys
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    print("\t".join(f[:3] + [repr(float(f[3]))]))'
}
same() {
	sqlite3 -separator $'\t' "$SRC_DB" "SELECT id, hex(v), hex(b), printf('%!.17g', r) FROM t ORDER BY id" | reals >"$T/src.rows"
	mysql_exec "$rep" "SELECT id, HEX(v), HEX(b), r FROM t ORDER BY id" | reals >"$T/rep.rows"
	assert_same_file "$T/src.rows" "$T/rep.rows"
	assert_eq "$(wc -l <"$T/src.rows")" "$(wc -l <"$T/rep.rows")" "$1: rows"
}
same "rows after the load"
cdc verify --against "$(mysql_url "$rep")"

sql "UPDATE t SET v = v || ' changed', b = CAST(randomblob(900) || x'00275C' AS BLOB) WHERE id % 3 = 0;
	DELETE FROM t WHERE id % 5 = 0;
	INSERT INTO t SELECT id + 1000, v, b, -r FROM t WHERE id <= 200;"
cdc run
cdc apply --to "$(mysql_url "$rep")"
same "rows after the cdc batch"
cdc verify --against "$(mysql_url "$rep")"
assert_eq "65536 0" "$(mysql_root -N -B -e "SELECT @@GLOBAL.max_allowed_packet, @@GLOBAL.local_infile" | tr '\t' ' ')" \
	"the server's settings during the test"
