#!/usr/bin/env bash
# The lake layout (issue 13), SQLite -> file:, gzip, DDMMYYYY date folders:
# each published change file is also an object of its own in DMS's S3
# layout (<prefix><schema>/<table>/LOAD00000001.csv.gz, then
# <prefix><schema>/<table>/DD-MM-YYYY/<yyyymmdd-hhmmssSSS>.csv.gz), holding
# the archive's bytes; DuckDB reads them in place and the shipped merge
# (examples/lake/merge.sql: loads, then changes in name order, last op per
# key, D removes) rebuilds each table exactly as sqlite3 dumps it. Batches
# made back to back (max_rows = 3) get keys of their own; a second load of
# a table takes the next LOAD number and leaves the first in place.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/lake.sh"

sql "CREATE TABLE orders (id INTEGER PRIMARY KEY, name TEXT, v REAL, b BLOB);
	CREATE TABLE item (a INT, b TEXT, qty INT, PRIMARY KEY (a, b));
	INSERT INTO orders VALUES (1, 'plain', 1.5, x'00ff'), (2, 'a,comma', NULL, NULL),
		(3, 'O\"Brien', 0.1, x'61'), (4, '', -2.0, x'0102'), (5, NULL, 3.0, NULL);
	INSERT INTO item VALUES (1, 's', 1), (2, 's', 2), (3, 't', NULL);"
core_config '[batch]' 'max_rows = 3' '[lake]' 'prefix = dms/' 'compression = gzip' \
	'date_partition = DDMMYYYY' 'date_delimiter = dash'
cdc triggers install
cdc load
for round in 1 2 3; do
	sql "INSERT INTO orders VALUES (${round}0, 'new $round', $round.25, x'0a0b');
		UPDATE orders SET name = name || ' u$round', v = $round WHERE id = 1;
		UPDATE orders SET id = id + 100 WHERE id = $((round + 1));
		DELETE FROM orders WHERE id = ${round}0 AND $round = 2;
		INSERT INTO item VALUES ($round, 'k$round', $round);
		UPDATE item SET qty = qty + 10 WHERE a = 1;
		DELETE FROM item WHERE a = 2 AND b = 's' AND $round = 3;
		UPDATE item SET b = 'moved' WHERE a = 3 AND b = 't' AND $round = 1;"
	cdc run
done
# Several batches in one run, made back to back: each has its own keys.
sql "INSERT INTO orders VALUES (500, 'x', 1, NULL); UPDATE orders SET v = 7 WHERE id = 500;
	DELETE FROM orders WHERE id = 500; INSERT INTO orders VALUES (500, 'back', 2, x'ee');
	UPDATE orders SET name = 'last' WHERE id = 500; INSERT INTO item VALUES (9, 'z', 9);
	UPDATE item SET qty = 99 WHERE a = 9; DELETE FROM item WHERE a = 9;"
cdc --json run
(($(jq .batches "$T/last.out") >= 3)) || fail "expected several batches from max_rows = 3: $(cat "$T/last.out")"

(cd "$BUCKET" && find dms -type f | sed 's|^dms/||' | LC_ALL=C sort) >"$T/keys"
lake_check_keys "$T/keys"
grep -q '^src/orders/LOAD00000001\.csv\.gz$' "$T/keys" || fail "no orders load object: $(cat "$T/keys")"
grep -Eq '^src/item/[0-9]{2}-[0-9]{2}-[0-9]{4}/[0-9]{8}-[0-9]{9}\.csv\.gz$' "$T/keys" ||
	fail "no item change object in DD-MM-YYYY folders: $(cat "$T/keys")"
# One lake object per archive file, with the archive file's bytes.
mkdir "$T/unpacked"
n=0
while IFS= read -r a; do
	d=$T/unpacked/$((++n))
	mkdir "$d"
	tar -xf "$a" -C "$d"
	jq -r '.tables[] | .file' "$d/manifest.json" | while IFS= read -r f; do
		base=${f##*/}
		obj=$(find "$BUCKET/dms/src/${f%%/*}" -name "$base.gz" | head -n 1)
		if [[ $base == LOAD* ]]; then obj=$BUCKET/dms/src/${f%%/*}/$base.gz; fi
		[[ -f $obj ]] || fail "no lake object for $a's $f"
		zcat "$obj" | cmp -s - "$d/$f" || fail "lake object $obj does not hold $a's $f"
	done
done < <(published)
assert_eq "$(cat "$T"/unpacked/*/manifest.json | jq -s '[.[].tables[]] | length')" \
	"$(wc -l <"$T/keys")" "lake objects (one per archive file)"

sqlite3 -separator $'\t' -nullvalue '\N' "$SRC_DB" \
	"SELECT id, name, v, CASE WHEN b IS NULL THEN NULL ELSE hex(b) END FROM orders ORDER BY id" >"$T/src.orders"
# DuckDB orders the keys as the text they are read as: compare in the
# source's key order.
lake_merge "$BUCKET/dms/src/orders" id,name,v,b id b | sort -t$'\t' -k1,1n >"$T/lake.orders"
assert_same_rows "$T/src.orders" "$T/lake.orders" orders
sqlite3 -separator $'\t' -nullvalue '\N' "$SRC_DB" "SELECT a, b, qty FROM item ORDER BY a, b" >"$T/src.item"
lake_merge "$BUCKET/dms/src/item" a,b,qty a,b | sort -t$'\t' -k1,1n -k2,2 >"$T/lake.item"
assert_same_rows "$T/src.item" "$T/lake.item" item
grep -q 'duckdb merge: [0-9]* rows in' "$T/merge.err" || fail "no merge timing: $(cat "$T/merge.err")"

# A second load of orders (split in files of 3 rows, as the first): it takes
# the LOAD numbers after the first load's; those stay as they were.
(cd "$BUCKET/dms/src/orders" && sha256sum LOAD*) >"$T/loads.before"
cdc load orders
(cd "$BUCKET/dms/src/orders" && sha256sum --quiet -c "$T/loads.before") || fail "a load object changed"
first=$(wc -l <"$T/loads.before")
ls "$BUCKET/dms/src/orders" | grep '^LOAD' >"$T/loads.after"
rows=$(sql 'SELECT count(*) FROM orders')
assert_eq "$((first + (rows + 2) / 3))" "$(wc -l <"$T/loads.after")" "load objects after the reload"
tail -n +$((first + 1)) "$T/loads.after" | sed "s|^|$BUCKET/dms/src/orders/|" | xargs zcat | wc -l |
	grep -qx "$rows" || fail "the reload's objects do not hold every row once"
