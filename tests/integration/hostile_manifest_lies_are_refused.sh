#!/usr/bin/env bash
# A batch whose manifest.json is malformed or lies, while the archive is
# otherwise sound: not JSON, another format, missing or mistyped fields,
# ops that do not add up, a bad checksum spelling, output options
# ([batch] csv_delimiter, csv_null_value, ...) the config would refuse, a file listed twice, a
# table without a key, an unknown kind, seq 0, or more or fewer rows than
# the change file holds, or per-op counts that add up but lie; a batch
# mode, created time or source name the writer would never write; and a change file that is malformed but sealed with
# matching bytes and checksum. `show` refuses what it can see (the manifest
# itself), `apply` refuses all of them with exit 3 naming the fault, and the
# replica is unchanged: the rows applied before the fault are rolled back.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

hostile_setup
mapfile -t honest < <(honest_entries)
t='(.tables[] | select(.name == "t"))'

# refuse_manifest WHAT FAULT_ERE JQ...: batch 3 with its manifest edited.
refuse_manifest() {
	local what=$1 fault=$2
	shift 2
	echo "case: ${*: -1}"
	edit_manifest "$@"
	build_victim "${honest[@]}"
	expect_refused "$what" "$fault"
}

printf '{"format": "cdcpack/1", "batch": ' >"$T/parts/manifest.json"
build_victim "${honest[@]}"
expect_refused both "manifest.json is not valid JSON"
# (A higher cdcpack/N is a newer build's: core_upgrade_apply_refuses_a_newer_builds_manifest.)
refuse_manifest both "format is not cdcpack/1" '.format = "cdcpack/1.1"'
refuse_manifest both "format is not cdcpack/1" '.format = "dms/2"'
refuse_manifest both "batch, source or tables missing" 'del(.tables)'
refuse_manifest both '"seq" missing or not a non-negative integer' '.batch.seq = "3"'
refuse_manifest both "batch seq must be >= 1" '.batch.seq = 0 | .batch.id = "src-00000000"'
refuse_manifest both "unknown batch kind 'full'" '.batch.kind = "full"'
refuse_manifest both '"previous" must be a string or null' '.batch.previous = 2'
refuse_manifest both '"name" missing or not a string' '.source |= del(.name)'
refuse_manifest both "ops do not add up to rows" "$t.ops.U += 1"
refuse_manifest both '"rows" missing or not a non-negative integer' "$t.rows = -1"
refuse_manifest both '"bytes" missing or not a non-negative integer' "$t.bytes = 1.5"
refuse_manifest both "is not 32 hex digits" "$t.xxh128 |= ascii_upcase"
refuse_manifest both "is not 32 hex digits" "$t.xxh128 += \"0\""
refuse_manifest both "listed twice" '.tables += [.tables[-1]]'
refuse_manifest both "has no key column" "$t.columns[].key = false"
refuse_manifest both '"columns" is not a non-empty array' "$t.columns = []"
refuse_manifest both "unknown format 'parquet'" "$t.format = \"parquet\""
refuse_manifest both "tables\\[0\\] is not an object" '.tables = [1]'
# The [batch] output options a file was written with: only what the config
# takes passes (a delimiter that splits values, a NULL marker that is a
# number, an unknown encoding or op set).
refuse_manifest both 'bad "csv_delimiter"' "$t.csv_delimiter = \"1\""
refuse_manifest both 'bad "csv_delimiter"' "$t.csv_delimiter = \";;\""
refuse_manifest both 'bad "csv_null_value"' "$t.csv_null_value = \"0\""
refuse_manifest both 'bad "binary_encoding"' "$t.binary_encoding = \"base32\""
refuse_manifest both 'bad "csv_spellings"' "$t.csv_spellings = \"2\""
refuse_manifest both 'bad "csv_spellings"' "$t.csv_spellings = 1"
refuse_manifest both 'bad "cdc_ops"' "$t.cdc_ops = \"deletes\""
refuse_manifest both '"timestamp_column" missing or not a string' "$t.timestamp_column = 1"
# The batch's own fields, held to the writer's grammar: a known capture
# mode, a time as moment_iso spells it (apply records it in the replica and
# compares --until with it), a source name as the config takes it.
refuse_manifest both '"mode" .full. is not a capture mode' '.batch.mode = "full"'
refuse_manifest both '"created" .yesterday. is not a time' '.batch.created = "yesterday"'
refuse_manifest both '"created" .* is not a time' '.batch.created = "2026-02-30T10:11:12.345Z"'
refuse_manifest both '"created" .* is not a time' '.batch.created = "2026-11-24"'
refuse_manifest both '"source name" .s\\x01rc. contains' \
	'.source.name = "s\u0001rc" | .batch.id = "s\u0001rc-00000003"'
refuse_manifest both '"source name" .s{80}\.\.\.. is longer than 100 bytes' \
	'.source.name = ("s" * 101) | .batch.id = ("s" * 101 + "-00000003")'

echo "case: rows that lie (only apply counts them)"
refuse_manifest apply "holds 3 rows, the manifest says 4" "$t.rows += 1 | $t.ops.I += 1"
refuse_manifest apply "holds 3 rows, the manifest says 2" "$t.rows -= 1 | $t.ops.I -= 1"
# Per-op counts that add up but lie (tests/torture/FINDINGS.md F34).
refuse_manifest apply "table t holds 1 U rows, the manifest says 0" "$t.ops.U -= 1 | $t.ops.D += 1"
refuse_manifest apply "table t holds 1 I rows, the manifest says 2" "$t.ops.I += 1 | $t.ops.D -= 1"

# seal JQ: batch 3 with t's change file as it is now in $T/parts, its
# manifest edited by JQ, bytes and checksum updated to match: a forger's
# batch, sound but for what the change file holds.
seal() {
	local sum
	sum=$(xxhsum -H2 "$T/parts/$DATA" 2>/dev/null | cut -d' ' -f1)
	edit_manifest --arg x "$sum" --argjson n "$(stat -c %s "$T/parts/$DATA")" \
		"$1 | $t.xxh128 = \$x | $t.bytes = \$n"
	build_victim "${honest[@]}"
}
cp "$T/parts/$DATA" "$T/data.orig"
for bad in 'X,7,seven,7.0,' 'I,7,seven,7.0' 'I,7,seven,7.0,,' 'I,7,"seven,7.0,' 'I,7,seven,7.0,!!!!'; do
	echo "case: a sealed change file whose last row is [$bad]"
	{ cat "$T/data.orig"; printf '%s\n' "$bad"; } >"$T/parts/$DATA"
	seal "$t.rows += 1 | $t.ops.I += 1"
	expect_refused apply "Op must be I, U, D or T|fields, expected|unterminated quoted field|not hex"
done
echo "case: a sealed change file whose INTEGER PRIMARY KEY is text"
{ cat "$T/data.orig"; printf 'I,seven,seven,7.0,\n'; } >"$T/parts/$DATA"
seal "$t.rows += 1 | $t.ops.I += 1"
expect_refused apply "datatype mismatch"
cp "$T/data.orig" "$T/parts/$DATA"

nothing_left
finish
