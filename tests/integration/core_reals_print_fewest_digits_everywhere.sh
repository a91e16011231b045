#!/usr/bin/env bash
# REALs are spelt with the fewest digits that read back bit-exact in every
# output: csv and jsonl change files (load and cdc) and diff's csv,
# jsonl and sql formats. 5e-324 is 5e-324 (not 4.94065645841247e-324), 0.1
# is 0.1 in JSONL too (not 0.10000000000000001), and every value applies
# back to the same bits.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

rows="(1, 0.1), (2, 5e-324), (3, 1e23), (4, -2.5e-320), (5, 1e-310), (6, 0.30000000000000004), (7, 1.7976931348623157e308)"
want='0.1 5e-324 1e+23 -2.5e-320 1e-310 0.30000000000000004 1.7976931348623157e+308'
bits() { sqlite3 "$1" "SELECT id, hex(CAST(r AS BLOB)), printf('%!.17g', r) FROM t ORDER BY id"; }
for format in csv jsonl; do
	core_use "$T/$format"
	sql "CREATE TABLE t(id INTEGER PRIMARY KEY, r REAL); INSERT INTO t VALUES $rows"
	core_config "[batch]" "format = $format"
	cdc triggers install
	cdc load
	sql "UPDATE t SET id = id + 0"
	cdc run
	mapfile -t archives < <(published)
	for a in "${archives[@]}"; do
		tar -xOf "$a" --exclude manifest.json >"$T/file"
		if [[ $format == csv ]]; then
			got=$(head -n 7 "$T/file" | awk -F, '{ print $NF }' | tr '\n' ' ')
		else
			got=$(head -n 7 "$T/file" | grep -o '"after":{[^}]*' | grep -o '"r":[^,}]*' | cut -d: -f2 | tr '\n' ' ')
		fi
		assert_eq "$want " "$got" "$format: REALs in $(basename "$a")"
	done
	cdc apply --to "sqlite:$T/$format/replica.db"
	assert_eq "$(bits "$SRC_DB")" "$(bits "$T/$format/replica.db")" "$format: the replica's bits"
done

# diff prints the same spellings in the formats that carry values.
sqlite3 "$T/a.db" "CREATE TABLE t(id INTEGER PRIMARY KEY, r REAL)"
sqlite3 "$T/b.db" "CREATE TABLE t(id INTEGER PRIMARY KEY, r REAL); INSERT INTO t VALUES $rows"
for fmt in csv jsonl sql; do
	out=$T/diff.$fmt
	if [[ $fmt == csv ]]; then # a directory of one file per table
		mkdir -p "$out"
		out=$out/t.csv
	fi
	assert_status 1 "$CDCPACK" diff "sqlite:$T/a.db" "sqlite:$T/b.db" --format "$fmt" --out "$T/diff.$fmt"
	for v in 5e-324 0.1 1e+23 0.30000000000000004; do
		grep -q -- "[^0-9.e+-]$v\([^0-9e]\|$\)" "$out" || fail "diff --format $fmt lacks $v: $(cat "$out")"
	done
	assert_not_contains "$out" "4.9406564584124"
	assert_not_contains "$out" "0.10000000000000001"
done
