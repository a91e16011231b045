#!/usr/bin/env bash
# A CSV file whose manifest entry says its spellings ("csv_spellings": 2,
# docs/design.md §5) is read by them without a word, even in a manifest
# that names no chain (such as one a tool rewrote): the warning about
# archives spelt before commit 0bb874c
# (core_upgrade_apply_warns_of_csv_spelt_before_0bb874c) is for files
# without the field and without a chain, which only those builds wrote.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE v(id INTEGER PRIMARY KEY, t TEXT, n NUMERIC, b BLOB);
     INSERT INTO v VALUES (1, 'plain', 2, x'01');"
core_config
cdc triggers install
cdc load
sql "INSERT INTO v VALUES (2, 'X''00''', 'NaN', x'');"
cdc run

# Batch 2 without its chain (and so without a manifest checksum to match).
a=$(published | sed -n 2p)
rm -rf "$T/b2" && mkdir -p "$T/b2"
tar --zstd -xf "$a" -C "$T/b2"
file=$(jq -r '.tables[0].file' "$T/b2/manifest.json")
assert_eq 2 "$(jq -r '.tables[0].csv_spellings' "$T/b2/manifest.json")" "csv_spellings of batch 2"
assert_eq "I,2,\"X'00'\",\"NaN\",X''" "$(cat "$T/b2/$file")" "batch 2's row as this build spells it"
jq 'del(.batch.chain, .manifest_xxh128)' "$T/b2/manifest.json" >"$T/b2/m" && mv "$T/b2/m" "$T/b2/manifest.json"
(cd "$T/b2" && tar --format=pax --zstd -cf "$a" manifest.json "$file")

cdc apply --to "sqlite:$T/replica.db"
assert_not_contains "$T/last.err" "names no chain"
assert_not_contains "$T/last.err" "WARN"
assert_eq "'X''00'''|'NaN'|X''" "$(sqlite3 "$T/replica.db" "SELECT quote(t), quote(n), quote(b) FROM v WHERE id = 2")" \
	"row 2 as the source holds it"
check_replica_equals_source "$T/replica.db"
