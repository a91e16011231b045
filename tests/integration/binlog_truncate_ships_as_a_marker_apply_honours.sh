#!/usr/bin/env bash
# mode = binlog, TRUNCATE: a TRUNCATE of a captured table (any spelling:
# TABLE or not, quoted, qualified with its database) ships as a T row in
# the table's change file, in change order, with its count in the
# manifest's ops (csv: Op T and every field empty; jsonl: op T, no images);
# a TRUNCATE of a table of the same name in another database ships
# nothing. apply empties the replica table at that point of the batch, so
# changes between two TRUNCATEs in one run land right: MariaDB and SQLite
# replicas equal the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_trunc)
elsewhere=$(mysql_fresh_db binlog_trunc_other)
mysql_exec "$db" "CREATE TABLE people(id INT PRIMARY KEY, name VARCHAR(40));
CREATE TABLE pets(id INT PRIMARY KEY, name VARCHAR(40));
INSERT INTO people VALUES (1, 'loaded'); INSERT INTO pets VALUES (1, 'rex');"
mysql_exec "$elsewhere" "CREATE TABLE people(id INT PRIMARY KEY); INSERT INTO people VALUES (1)"
binlog_user "$db"
write_config "$T/csv.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
write_config "$T/jsonl.conf" "$url" "file:$T/jbucket" '[capture]' 'mode = binlog' '[batch]' 'format = jsonl'
sed -i "s|^dir = .*|dir = $T/jstate|" "$T/jsonl.conf"
for conf in csv jsonl; do
	assert_status 0 "$CDCPACK" -c "$T/$conf.conf" run
done

mysql_exec "$db" "INSERT INTO people VALUES (2, 'two'), (3, 'three');
INSERT INTO pets VALUES (2, 'tom');
TRUNCATE TABLE people;
INSERT INTO people VALUES (4, 'four'), (5, 'five');
UPDATE people SET name = 'FOUR' WHERE id = 4;
INSERT INTO pets VALUES (3, 'kit');
TRUNCATE /* emptied again */ \`people\`;
INSERT INTO people VALUES (6, 'six');
TRUNCATE \`$elsewhere\`.people;
TRUNCATE $db.pets;
INSERT INTO pets VALUES (4, 'rex again');
START TRANSACTION; INSERT INTO people VALUES (7, 'seven'); DELETE FROM people WHERE id = 6; COMMIT;"
for conf in csv jsonl; do
	assert_status 0 "$CDCPACK" -c "$T/$conf.conf" --json run
	assert_eq 1 "$(jq '.batches' "$T/last.out")" "$conf: one cdc batch"
	assert_status 0 "$CDCPACK" -c "$T/$conf.conf" --json run
	assert_eq 0 "$(jq '.batches + .recovered' "$T/last.out")" "$conf: idle after"
done

printf '%s\n' 'I,2,two' 'I,3,three' 'T,,' 'I,4,four' 'I,5,five' 'U,4,FOUR' 'T,,' 'I,6,six' \
	'I,7,seven' 'D,6,six' >want.csv
binlog_cdc_rows "$T/bucket" people >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "people changes (< expected, > published)"; }
printf '%s\n' 'I,2,tom' 'I,3,kit' 'T,,' 'I,4,rex again' >want.csv
binlog_cdc_rows "$T/bucket" pets >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "pets changes (< expected, > published)"; }
binlog_cdc_rows "$T/jbucket" people | jq -c '[.op, .key, .before, .after] | select(.[0] == "T")' >got.txt
printf '%s\n' '["T",null,null,null]' '["T",null,null,null]' >want.txt
cmp -s want.txt got.txt || { diff want.txt got.txt >&2; fail "jsonl T rows"; }
binlog_cdc_rows "$T/jbucket" people | jq -r '"\(.op)\(.key.id // "")"' | tr '\n' ' ' >got.txt
assert_eq "I2 I3 T I4 I5 U4 T I6 I7 D6 " "$(cat got.txt)" "jsonl people in change order"
for bucket in bucket jbucket; do
	a=$(find "$T/$bucket/cdc" -name '*.tar.zst' | LC_ALL=C sort | tail -1)
	tar -xOf "$a" manifest.json >m.json
	/usr/bin/python3 "$ROOT/tests/lib/validate_json.py" "$ROOT/schemas/manifest.schema.json" m.json ||
		fail "$bucket: the manifest does not match its schema"
	assert_eq '{"I":6,"U":1,"D":1,"T":2} 10' \
		"$(jq -c '.tables[] | select(.name == "people") | [.ops, .rows] | "\(.[0]|tojson) \(.[1])"' -r m.json)" \
		"$bucket: manifest ops of people"
done

want=$(mysql_exec "$db" "SELECT id, name FROM people ORDER BY id; SELECT id, name FROM pets ORDER BY id")
for conf in csv jsonl; do
	rep=$(mysql_fresh_db "binlog_trunc_rep_$conf")
	assert_status 0 "$CDCPACK" -c "$T/$conf.conf" apply --to "$(mysql_url "$rep")"
	assert_eq "$want" "$(mysql_exec "$rep" "SELECT id, name FROM people ORDER BY id; SELECT id, name FROM pets ORDER BY id")" \
		"$conf: MariaDB replica"
	assert_status 0 "$CDCPACK" -c "$T/$conf.conf" apply --to "sqlite:$T/$conf.db"
	assert_status 0 "$CDCPACK" -c "$T/$conf.conf" verify --against "sqlite:$T/$conf.db"
	assert_eq "$want" "$(sqlite3 -separator $'\t' "$T/$conf.db" "SELECT id, name FROM people ORDER BY id; SELECT id, name FROM pets ORDER BY id")" \
		"$conf: SQLite replica"
done
echo ok
