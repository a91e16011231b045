#!/usr/bin/env bash
# CSV archives of builds before commit 0bb874c (2026-12-07) spelt text
# shaped like a BLOB literal, NaN in a NUMERIC column and the empty BLOB
# the way today's archives spell a BLOB, a REAL and the empty text, and no
# manifest field tells them apart (those builds named no chain either;
# builds since write "csv_spellings").
# apply reads such an archive by today's rules, and now says so once a
# file, naming the table, the column and the way out (`cdcpack load`,
# README "Upgrading the binary"); the load then gives the replica the
# source's rows. Batches that name their chain, or their spellings, are
# read without a word.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE v(id INTEGER PRIMARY KEY, t TEXT, n NUMERIC, b BLOB);
     INSERT INTO v VALUES (1, 'plain', 2, x'01');"
core_config
cdc triggers install
cdc load
sql "INSERT INTO v VALUES (2, 'X''00''', 'NaN', x'');"
cdc run
cdc apply --to "sqlite:$T/today.db"
assert_not_contains "$T/last.err" "names no chain"

# Batch 2 as the first builds (608faee, 2026-11-29) wrote it: the row
# spelt as they spelt it, no chain, no output options, no manifest
# checksum (older archives without one still read).
a=$(published | sed -n 2p)
rm -rf "$T/old" && mkdir -p "$T/old"
tar --zstd -xf "$a" -C "$T/old"
file=$(jq -r '.tables[0].file' "$T/old/manifest.json")
assert_eq "I,2,\"X'00'\",\"NaN\",X''" "$(cat "$T/old/$file")" "batch 2's row as this build spells it"

# Batch 2 without its chain (a tool rewrote the manifest) but saying its
# spellings ("csv_spellings": 2, written since then): read by them
# without a word.
assert_eq 2 "$(jq -r '.tables[0].csv_spellings' "$T/old/manifest.json")" "csv_spellings of batch 2"
jq 'del(.batch.chain, .manifest_xxh128)' "$T/old/manifest.json" >"$T/old/m" && mv "$T/old/m" "$T/old/manifest.json"
(cd "$T/old" && tar --format=pax --zstd -cf "$a" manifest.json "$file")
cdc apply --to "sqlite:$T/spelt.db"
assert_not_contains "$T/last.err" "WARN"
assert_eq "'X''00'''|'NaN'|X''" "$(sqlite3 "$T/spelt.db" "SELECT quote(t), quote(n), quote(b) FROM v WHERE id = 2")" \
	"row 2 of a chainless batch that says its spellings"
printf "I,2,X'00',NaN,\"\"\n" >"$T/old/$file"
sum=$(xxhsum -H2 "$T/old/$file" | cut -d' ' -f1)
jq --arg sum "$sum" --argjson bytes "$(stat -c %s "$T/old/$file")" '
	del(.batch.chain, .manifest_xxh128)
	| .tables[0] |= (del(.csv_delimiter, .csv_null_value, .binary_encoding, .csv_spellings, .cdc_ops)
	                 | .xxh128 = $sum | .bytes = $bytes)' \
	"$T/old/manifest.json" >"$T/old/m" && mv "$T/old/m" "$T/old/manifest.json"
(cd "$T/old" && tar --format=pax --zstd -cf "$a" manifest.json "$file")

cdc apply --to "sqlite:$T/replica.db"
assert_eq 1 "$(grep -c 'names no chain' "$T/last.err")" "warnings of an earlier build's spelling"
assert_contains "$T/last.err" "WARN table v, line 1 of its file: column t reads as a BLOB (X'..'); the archive names no chain"
assert_contains "$T/last.err" "run \`cdcpack load\` and rebuild the replica from it"
assert_eq "X'00'|NULL|''" "$(sqlite3 "$T/replica.db" "SELECT quote(t), quote(n), quote(b) FROM v WHERE id = 2")" \
	"row 2 read by today's rules"

# The way out the warning names.
cdc load
cdc apply --to "sqlite:$T/replica.db"
assert_not_contains "$T/last.err" "names no chain"
cdc verify --against "sqlite:$T/replica.db"
check_replica_equals_source "$T/replica.db"
