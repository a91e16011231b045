#!/usr/bin/env bash
# mode = binlog on the harness's mariadbd: the first run loads in one
# consistent snapshot; the same statements run against a trigger-captured
# copy of the database ship byte-identical change rows in binlog mode (every
# type of the MySQL types test); a rolled-back transaction never appears; a
# cascading foreign key, whose changes the binary log does not carry, is
# refused (exit 2, naming it) until it is RESTRICT; applied to a SQLite replica, the rows equal the source's (verify, and the
# mariadb client's own dump against the replica's).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

schema="
CREATE TABLE types (
  id int PRIMARY KEY, ti tinyint, si smallint, mi mediumint unsigned, bu bigint unsigned,
  bs bigint, f float, d double, dec1 decimal(30,10), dec2 decimal(5,2), dt datetime(6),
  dt0 datetime, ts timestamp(3) NULL, tm time(2), da date, y year, b bit(10),
  e enum('a','b c','print'), s set('x','y'), j json, vc varchar(100), ch char(5),
  tx mediumtext, bl longblob, bin binary(4), vb varbinary(300));
INSERT INTO types (id, vc) VALUES (100, 'loaded before the load'), (101, 'kept');"
blob=$(head -c 70000 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
changes="
SET time_zone = '+05:00';
INSERT INTO types VALUES (1, -128, -32768, 16777215, 18446744073709551615,
  -9223372036854775808, 1.00000012, 1.0000000000000002, -12345678901234567890.0123456789,
  -0.5, '2024-02-29 23:59:59.123456', '1000-01-01 00:00:00', '2024-03-31 03:30:00.123',
  '-838:59:59.99', '2024-01-01', 2024, b'1000000001', 'b c', 'x,y',
  '{\"a\": [1, 2.5, \"\\\\u00e9\"]}', 'héllo 😀 \"q\" \\\\ ,\nz', 'ab ', 'line1\nline2',
  UNHEX('$blob'), UNHEX('0001'), UNHEX('00ff00'));
INSERT INTO types (id, d, f, dec2, tm, vc, tx, bl) VALUES (2, 1e308, 3.4e38, 0, '-00:00:01.5', '', '', ''),
  (3, -2.2250738585072014e-308, -1.17549435e-38, 999.99, '12:00:00', NULL, NULL, NULL),
  (4, 5e-324, 16777217, 0.01, '-01:00:00.01', 'x', 'y', UNHEX('00'));
UPDATE types SET vc = 'changed', y = 1901 WHERE id = 100;
UPDATE types SET id = 5 WHERE id = 4;
DELETE FROM types WHERE id = 3;
START TRANSACTION; INSERT INTO types (id) VALUES (50); UPDATE types SET vc = 'lost' WHERE id = 101; ROLLBACK;
START TRANSACTION; INSERT INTO types (id, vc) VALUES (6, 'in a transaction'); UPDATE types SET ti = 7 WHERE id = 6; COMMIT;"

# The trigger-captured twin.
tdb=$(mysql_fresh_db binlog_twin)
mysql_exec "$tdb" "$schema"
write_config "$T/trigger.conf" "$(mysql_url "$tdb")" "file:$T/tbucket"
sed -i "s|^dir = .*|dir = $T/tstate|" "$T/trigger.conf"
assert_status 0 "$CDCPACK" -c "$T/trigger.conf" triggers install
assert_status 0 "$CDCPACK" -c "$T/trigger.conf" load
mysql_exec "$tdb" "$changes"
assert_status 0 "$CDCPACK" -c "$T/trigger.conf" run

# The binlog-captured source.
db=$(mysql_fresh_db binlog_src)
mysql_exec "$db" "$schema
CREATE TABLE parent(id INT PRIMARY KEY, name VARCHAR(20));
CREATE TABLE child(id INT PRIMARY KEY, parent_id INT NOT NULL, note TEXT,
  FOREIGN KEY (parent_id) REFERENCES parent(id) ON DELETE CASCADE ON UPDATE CASCADE);
INSERT INTO parent VALUES (1, 'one'), (2, 'two');
INSERT INTO child VALUES (10, 1, 'a'), (11, 1, 'b'), (20, 2, 'c');"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
export CDCPACK_CONFIG=$T/cdcpack.conf
assert_status 2 "$CDCPACK" init
assert_contains "$T/last.err" 'table child: CONSTRAINT `child_ibfk_1` FOREIGN KEY (`parent_id`) REFERENCES `parent` (`id`) ON DELETE CASCADE ON UPDATE CASCADE: the binary log does not carry'
assert_contains "$T/last.err" "capture this source with mode = snapshot, or make the key RESTRICT"
assert_status 2 "$CDCPACK" run
assert_contains "$T/last.err" 'table child: CONSTRAINT `child_ibfk_1`'
mysql_exec "$db" "ALTER TABLE child DROP FOREIGN KEY child_ibfk_1,
  ADD CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent(id)"
assert_status 0 "$CDCPACK" init
assert_status 0 "$CDCPACK" --json run
assert_eq "load" "$(jq -r '.published[0].kind' "$T/last.out")" "first run"
[[ -z $(mysql_exec "$db" "SHOW TRIGGERS") ]] || fail "binlog mode must not create triggers"
mysql_exec "$db" "$changes
DELETE FROM child WHERE parent_id = 1; DELETE FROM parent WHERE id = 1;
UPDATE parent SET name = 'deux' WHERE id = 2;
UPDATE child SET note = 'changed' WHERE id = 20;"
assert_status 0 "$CDCPACK" --json run
assert_eq 1 "$(jq '.batches' "$T/last.out")" "one cdc batch"
assert_status 0 "$CDCPACK" --json run
assert_eq 0 "$(jq '.batches + .recovered' "$T/last.out")" "idle after"

binlog_cdc_rows "$T/tbucket" types >want.csv
binlog_cdc_rows "$T/bucket" types >got.csv
[[ -s want.csv ]] || fail "the trigger twin shipped nothing"
cmp -s want.csv got.csv || { diff want.csv got.csv | cut -c1-400 >&2; fail "types: binlog rows differ from trigger rows (< trigger, > binlog)"; }
grep -q lost got.csv && fail "a rolled-back change was shipped"
printf '%s\n' 'D,1,one' 'U,2,deux' >want.csv
binlog_cdc_rows "$T/bucket" parent >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "parent changes"; }
printf '%s\n' 'D,10,1,a' 'D,11,1,b' 'U,20,2,changed' >want.csv
binlog_cdc_rows "$T/bucket" child >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "child changes (< expected, > published)"; }

# Applied to SQLite, the replica holds the source's rows.
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_status 0 "$CDCPACK" verify --against "sqlite:$T/replica.db"
mysql_exec "$db" "SELECT id, name FROM parent ORDER BY id" | tr '\t' '|' >want.txt
sqlite3 "$T/replica.db" "SELECT id, name FROM parent ORDER BY id" >got.txt
cmp -s want.txt got.txt || { diff want.txt got.txt >&2; fail "parent replica"; }
mysql_exec "$db" "SELECT id, parent_id, note FROM child ORDER BY id" | tr '\t' '|' >want.txt
sqlite3 "$T/replica.db" "SELECT id, parent_id, note FROM child ORDER BY id" >got.txt
cmp -s want.txt got.txt || { diff want.txt got.txt >&2; fail "child replica"; }
mysql_exec "$db" "SELECT id, HEX(vc), dec1, HEX(bl) FROM types ORDER BY id" | tr '\t' '|' | sed 's/|NULL/|/g' >want.txt
sqlite3 "$T/replica.db" "SELECT id, HEX(vc), dec1, HEX(bl) FROM types ORDER BY id" >got.txt
cmp -s want.txt got.txt || { diff want.txt got.txt >&2; fail "types replica"; }
echo ok
