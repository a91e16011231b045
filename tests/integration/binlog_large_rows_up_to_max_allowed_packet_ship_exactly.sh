#!/usr/bin/env bash
# mode = binlog, large rows: a row with a 3 MiB LONGBLOB (every byte value)
# and a 2 MiB multi-byte LONGTEXT, rows whose LONGBLOB is max_allowed_packet
# less 64 KiB, an UPDATE of one (its row event, before and after image,
# is about twice max_allowed_packet) and a transaction of three such
# inserts, an update and a delete (several times max_allowed_packet of
# events). The application's statements all succeed (cdcpack adds nothing
# to them: no trigger copies the row), every change ships once with its
# exact bytes (the cdc rows' BLOB and TEXT values hash as the source's
# did), and a MariaDB replica built by apply equals the source by
# mariadb-dump's own output.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

packet=$(mysql_root -N -B -e "SELECT @@GLOBAL.max_allowed_packet")
((packet >= 4 * 1024 * 1024)) || fail "the test server's max_allowed_packet is $packet: too small for this test"
near=$(((packet - 65536) / 256)) # 256-byte repetitions
pat=$(for ((i = 0; i < 256; i++)); do printf '%02X' "$i"; done)
pat="UNHEX('$pat')"
db=$(mysql_fresh_db binlog_large)
mysql_exec "$db" "CREATE TABLE big(id INT PRIMARY KEY, note VARCHAR(20), bl LONGBLOB, tx LONGTEXT);
INSERT INTO big VALUES (1, 'small', $pat, 'loaded');"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog' 'tables = big'
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 0 "$CDCPACK" run

# want OP WHERE: the cdc rows the rows WHERE ship as (op, id, note, then
# the SHA-256 of the BLOB's and the TEXT's bytes), as the source has them now.
want() {
	mysql_exec "$db" "SELECT CONCAT_WS(',', '$1', id, note, SHA2(bl, 256), SHA2(tx, 256))
		FROM big WHERE $2 ORDER BY id"
}
read -r file pos < <(mysql_root -N -B -e "SHOW MASTER STATUS")
mysql_exec "$db" "INSERT INTO big VALUES (2, 'several', REPEAT($pat, 12288), REPEAT('ü€x', 349526));
INSERT INTO big VALUES (3, 'near', REPEAT($pat, $near), 'short');" || fail "the application's inserts failed"
want I "id IN (2, 3)" >"$T/want.csv"
mysql_exec "$db" "UPDATE big SET note = 'near updated', bl = CONCAT(SUBSTRING(bl, 2), 'z') WHERE id = 3" ||
	fail "the application's update of a near-max_allowed_packet row failed"
want U "id = 3" >>"$T/want.csv"
want D "id = 3" >"$T/want.d3"
mysql_exec "$db" "BEGIN;
INSERT INTO big VALUES (4, 'near 4', REPEAT($pat, $near), 'four');
INSERT INTO big VALUES (5, 'near 5', REVERSE(REPEAT($pat, $near)), 'five');
INSERT INTO big VALUES (6, 'near 6', CONCAT('six', REPEAT($pat, $near - 1)), 'six');
UPDATE big SET tx = CONCAT(tx, 'ö') WHERE id = 2;
DELETE FROM big WHERE id = 3;
COMMIT;" || fail "the application's transaction failed"
{
	want I "id IN (4, 5, 6)"
	want U "id = 2"
	cat "$T/want.d3"
} >>"$T/want.csv"

# The log holds events larger than max_allowed_packet (else this test
# would not test what it says), by the events' own headers (SHOW BINLOG
# EVENTS cannot read them: the session's max_allowed_packet bounds it).
dir=$(dirname "$(mysql_root -N -B -e "SELECT @@log_bin_basename")")
largest=$(mysql_root -N -B -e "SHOW BINARY LOGS" | awk -v f="$file" -v p="$pos" -v d="$dir" \
	'$1 >= f { print d "/" $1, ($1 == f ? p : 4) }' | python3 -c '
import struct, sys
largest = 0
for line in sys.stdin:
    path, pos = line.split()
    pos = int(pos)
    with open(path, "rb") as f:
        end = f.seek(0, 2)
        while pos + 19 <= end:  # v4 header: when, type, server id, size, next, flags
            f.seek(pos)
            size = struct.unpack("<I", f.read(19)[9:13])[0]
            if size < 19 or pos + size > end:
                break  # being written
            largest = max(largest, size)
            pos += size
print(largest)')
((largest > packet)) || fail "no binlog event larger than max_allowed_packet ($packet): the largest is $largest"
echo "max_allowed_packet $packet, largest event $largest bytes"

assert_status 0 "$CDCPACK" --json run
assert_status 0 "$CDCPACK" --json run
assert_eq 0 "$(jq '.batches + .recovered' "$T/last.out")" "idle after the run"

# The cdc rows, each BLOB (hex in CSV) and TEXT hashed: exactly the changes.
binlog_cdc_rows "$T/bucket" big | python3 -c '
import csv, hashlib, sys
csv.field_size_limit(1 << 30)
for op, i, note, bl, tx in csv.reader(sys.stdin):
    print(",".join([op, i, note, hashlib.sha256(bytes.fromhex(bl)).hexdigest(),
                    hashlib.sha256(tx.encode()).hexdigest()]))' >"$T/got.csv"
cmp -s "$T/want.csv" "$T/got.csv" || {
	diff "$T/want.csv" "$T/got.csv" >&2
	fail "the cdc rows are not the changes made, each once with its bytes (< expected, > shipped)"
}

replica=$(mysql_fresh_db binlog_large_replica)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$replica")"
dump() {
	mariadb-dump --defaults-file="$CDCPACK_TEST_MYSQL_ROOT_CNF" --max-allowed-packet=1G --compact \
		--no-create-info --hex-blob --skip-extended-insert --order-by-primary "$1" big
}
dump "$db" >"$T/source.sql"
dump "$replica" >"$T/replica.sql"
assert_eq 5 "$(grep -c "^INSERT INTO" "$T/source.sql")" "rows in the source's dump"
cmp -s "$T/source.sql" "$T/replica.sql" || fail "the replica's mariadb-dump differs from the source's"
