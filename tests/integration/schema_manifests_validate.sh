#!/usr/bin/env bash
# Real manifests (load and cdc, csv and jsonl, a table without a primary key)
# validate against schemas/manifest.schema.json; a broken one does not.
source "$(dirname "$0")/../lib/common.sh"

for format in csv jsonl; do
	rm -rf state src.db
	sqlite3 src.db "create table Persons(PersonID INTEGER PRIMARY KEY, FullName TEXT, City TEXT);
	  create table loose(a, b); insert into Persons values(1,'Ann','Oslo'); insert into loose values(1,2);"
	write_config c.conf sqlite:src.db "file:$T/bucket-$format" "[batch]" "format = $format"
	assert_status 0 "$CDCPACK" -q -c c.conf triggers install
	assert_status 0 "$CDCPACK" -q -c c.conf load
	sqlite3 src.db "insert into Persons values(2,'Bo','Rome'); update loose set b=3; delete from Persons where PersonID=1"
	assert_status 0 "$CDCPACK" -q -c c.conf run
done

n=0
for archive in $(find bucket-* -name '*.tar.zst' | sort); do
	n=$((n + 1))
	tar --zstd -xOf "$archive" manifest.json >"m$n.json"
	first=$(tar --zstd -tf "$archive" | awk 'NR == 1')
	assert_eq manifest.json "$first" "first entry of $archive"
done
assert_eq 4 "$n" "archives published"
/usr/bin/python3 "$ROOT/tests/lib/validate_json.py" "$ROOT/schemas/manifest.schema.json" m*.json ||
	fail "real manifests do not validate"

# The validator must be able to say no.
jq '.tables[0].xxh128 = "nothex"' m1.json >broken.json
if /usr/bin/python3 "$ROOT/tests/lib/validate_json.py" "$ROOT/schemas/manifest.schema.json" broken.json >out.txt; then
	fail "a manifest with a bad xxh128 validated"
fi
assert_contains out.txt "xxh128"
