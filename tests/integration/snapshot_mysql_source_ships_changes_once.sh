#!/usr/bin/env bash
# mode = snapshot on a MySQL source (no triggers, no changelog): the first
# run is a load; changes ship as I/U/D in key order, composite and text keys
# included; a run killed after staging is recovered before anything new is
# captured, and each change ships once. Replicas rebuilt in MySQL and in
# SQLite compare equal with the source (verify and diff).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db snap)
mysql_exec "$db" "
CREATE TABLE people(id INT PRIMARY KEY, name VARCHAR(40), city VARCHAR(40));
INSERT INTO people VALUES (1, 'Ann', 'Austin'), (2, 'Bob', 'Boston'), (3, 'Cy', 'Chicago'),
	(4, 'Di', 'Dallas'), (5, 'Ed', 'El Paso');
CREATE TABLE stock(shop VARCHAR(10), sku INT, qty DECIMAL(10,3), seen DATETIME(3), img BLOB,
	PRIMARY KEY(shop, sku));
INSERT INTO stock VALUES ('north', 1, 1.500, '2024-01-02 03:04:05.678', X'00'),
	('north', 2, 0, NULL, NULL), ('South', 1, -2.250, '2024-05-06 07:08:09.000', X'FFFE');"
url=$(mysql_url "$db")
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = snapshot'
sed -i 's|^url = mysql.*|&\nname = src|' "$T/cdcpack.conf"
export CDCPACK_CONFIG=$T/cdcpack.conf
[[ -z $(mysql_exec "$db" "SHOW TRIGGERS") ]] || fail "snapshot mode must not need triggers"

assert_status 0 "$CDCPACK" --json run
assert_eq "load" "$(jq -r '.published[0].kind' "$T/last.out")" "first run"
mysql_exec "$db" "UPDATE people SET city = 'Denver' WHERE id = 4;
	DELETE FROM people WHERE id = 2;
	UPDATE people SET id = 20 WHERE id = 3;
	INSERT INTO people VALUES (6, 'Flo', NULL);
	UPDATE stock SET qty = 1.75 WHERE shop = 'north' AND sku = 1;
	INSERT INTO stock VALUES ('north', 3, 3, '2030-01-01 00:00:00.001', '');"
got=0
{ CDCPACK_FAULT=crash:after-stage "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err"; } 2>/dev/null || got=$?
((got == 137)) || fail "crash run exited $got: $(cat "$T/crash.err")"
mysql_exec "$db" "UPDATE people SET name = 'Edward' WHERE id = 5; DELETE FROM stock WHERE shop = 'South';"
for i in 1 2 3; do
	assert_status 0 "$CDCPACK" --json run
	[[ $(jq '.batches + .recovered' "$T/last.out") == 0 ]] && break
done
assert_eq 0 "$(jq '.batches + .recovered' "$T/last.out")" "idle at the end"

rows() { # rows TABLE: cdc rows of TABLE across published batches, in order
	local a
	for a in $(find "$T/bucket/cdc" -name '*.tar.zst' | LC_ALL=C sort); do
		tar -xOf "$a" --wildcards --exclude '*/LOAD*' "$1/*" 2>/dev/null || true
	done
}
printf '%s\n' 'D,2,,' 'D,3,,' 'U,4,Di,Denver' 'I,6,Flo,' 'I,20,Cy,Chicago' 'U,5,Edward,El Paso' >want.csv
rows people >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "people changes (< expected, > published)"; }
printf '%s\n' 'U,north,1,1.750,2024-01-02 03:04:05.678,00' "I,north,3,3.000,2030-01-01 00:00:00.001,X''" \
	'D,South,1,,,' >want.csv
rows stock >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "stock changes (< expected, > published)"; }

replica=$(mysql_fresh_db snap_replica)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$replica")"
assert_status 0 "$CDCPACK" diff "$url" "$(mysql_url "$replica")"
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_status 0 "$CDCPACK" verify --against "sqlite:$T/replica.db"
assert_status 0 "$CDCPACK" diff "$url" "sqlite:$T/replica.db"
