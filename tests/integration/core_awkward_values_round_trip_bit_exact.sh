#!/usr/bin/env bash
# Awkward values survive source -> archive -> replica bit-exact, through the
# load and through cdc (insert, update, delete), for format csv and jsonl and
# each compression (zstd, gzip, xz, none): NULL vs '', newlines, CR, quotes,
# commas, leading/trailing spaces, 4-byte unicode, BLOBs with NUL bytes and
# empty BLOBs, +-1e308, 1.0000000000000002, 0.1, -0.0, 5e-324, INT64 min/max,
# table and column names with spaces, quotes and unicode, and awkward text
# primary keys. Compared by type and bytes (REALs by their IEEE-754 bits).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

ODD=$(sql_ident 'odd table "q" ü🦄')
KEYED=$(sql_ident "ключ 'k' tab")

# awkward_rows BASE: the rows of $ODD with ids BASE+1...
awkward_rows() {
	local b=$1
	cat <<EOF
INSERT INTO $ODD VALUES
 ($b + 1, NULL, NULL, NULL, NULL),
 ($b + 2, '', 0.1, X'', 0),
 ($b + 3, 'line1' || char(10) || 'line2', 1e308, X'00FF0000', 9223372036854775807),
 ($b + 4, 'cr' || char(13) || 'x', -1e308, X'00', -9223372036854775808),
 ($b + 5, 'say "hi", ok', 1.0000000000000002, X'0000000000', 1),
 ($b + 6, '  lead and trail  ', 5e-324, X'DEADBEEF00', -1),
 ($b + 7, 'ünïcödé 🦄 😀', -0.0, X'F09F9884', 2),
 ($b + 8, '"', 2.2250738585072014e-308, X'3D3D', 3),
 ($b + 9, ',', 123456789.12345679, X'2C0A0D22', 4),
 ($b + 10, 'crlf' || char(13, 10), 0.30000000000000004, X'FF', 5),
 ($b + 11, 'NULL', -2.5e-310, X'4E554C4C', 6),
 ($b + 12, ' ', 3.0, X'20', 7),
 ($b + 13, '""', -1.7976931348623157e308, X'000000', -7),
 ($b + 14, 'tab' || char(9) || 'end,', 1e-300, X'0D0A', 1234567890123);
EOF
}

keyed_rows() {
	local p=$1
	cat <<EOF
INSERT INTO $KEYED VALUES
 ('$p', 'empty or short key'), ('$p-t ', 'trailing space'), (' l-$p', 'leading space'),
 ('$p,a', 'comma'), ('$p"q"', 'quotes'), ('$p' || char(10) || 'nl', 'newline'),
 ('$p🦄', NULL), ('$p''s', '');
EOF
}

round_trip() { # round_trip FORMAT COMPRESSION
	local fmt=$1 comp=$2 suffix magic a got
	core_use "$T/$fmt-$comp"
	core_config '[batch]' "format = $fmt" "compression = $comp"
	sqlite3 "$SRC_DB" "CREATE TABLE $ODD(id INTEGER PRIMARY KEY, \"col, with space\" TEXT,
		\"qu\"\"ote ü\" REAL, \"b l😀b\" BLOB, i INTEGER);
		CREATE TABLE $KEYED(k TEXT PRIMARY KEY, \"v 'v'\" TEXT) WITHOUT ROWID;"
	sqlite3 "$SRC_DB" "$(awkward_rows 0) $(keyed_rows '')"
	cdc triggers install
	cdc load
	# cdc: the same values inserted, then updated across, then some deleted.
	sqlite3 "$SRC_DB" "$(awkward_rows 100) $(keyed_rows x)"
	sqlite3 "$SRC_DB" "UPDATE $ODD SET \"col, with space\" = (SELECT \"col, with space\" FROM $ODD o
		WHERE o.id = 115 - $ODD.id), \"b l😀b\" = (SELECT \"b l😀b\" FROM $ODD o
		WHERE o.id = 115 - $ODD.id) WHERE id BETWEEN 101 AND 114;
		UPDATE $KEYED SET \"v 'v'\" = k || char(13, 10) WHERE k LIKE 'x%';
		DELETE FROM $ODD WHERE id IN (3, 6, 113);
		DELETE FROM $KEYED WHERE k IN ('x,a', ' l-', 'x' || char(10) || 'nl', '');"
	cdc run

	case $comp in
	zstd) suffix=.tar.zst magic=28b52ffd ;;
	gzip) suffix=.tar.gz magic=1f8b ;;
	xz) suffix=.tar.xz magic=fd377a585a00 ;;
	none) suffix=.tar magic= ;;
	esac
	assert_eq 2 "$(published_count)" "$fmt/$comp: published archives"
	while IFS= read -r a; do
		[[ $a == *"$suffix" ]] || fail "$fmt/$comp: key $a does not end in $suffix"
		if [[ -n $magic ]]; then
			got=$(od -An -tx1 -N $((${#magic} / 2)) "$a")
			assert_eq "$magic" "${got// /}" "$fmt/$comp: magic bytes of ${a##*/}"
		else
			got=$(od -An -c -j 257 -N 5 "$a")
			assert_eq ustar "${got// /}" "$fmt/$comp: tar magic of ${a##*/}"
		fi
		check_archive "$a"
		jq -e --arg f "$fmt" 'all(.tables[]; .format == $f and (.file | endswith("." + $f)))' \
			"$T/unpacked/manifest.json" >/dev/null ||
			fail "$fmt/$comp: manifest of ${a##*/} does not say format $fmt: $(cat "$T/unpacked/manifest.json")"
	done < <(published)
	apply_and_compare "$T/$fmt-$comp/replica.db"
}

# Compression wraps the tar whatever the format, so by default each format
# meets two compressions and each compression one format;
# CORE_FULL_MATRIX=1 tries all eight pairs.
if [[ -n ${CORE_FULL_MATRIX:-} ]]; then
	pairs=(csv:zstd csv:gzip csv:xz csv:none jsonl:zstd jsonl:gzip jsonl:xz jsonl:none)
else
	pairs=(csv:zstd csv:none jsonl:gzip jsonl:xz)
fi
for pair in "${pairs[@]}"; do
	round_trip "${pair%%:*}" "${pair#*:}"
done

# The CSV rows themselves, as docs/design.md §5 writes them: NULL empty and
# unquoted, '' as "", the empty BLOB as X'' (FINDINGS.md F1), quoting only
# where needed, BLOBs hex ([batch] binary_encoding's default; X'..' in this
# column without affinity when the hex reads as a number), REALs exact.
core_use "$T/csv-none"
load=$(published | head -n 1)
f=$(manifest "$load" | jq -r --arg t 'odd table "q" ü🦄' '.tables[] | select(.name == $t) | .file')
archive_member "$load" "$f" >"$T/odd.csv"
assert_eq "1,,,," "$(sed -n 1p "$T/odd.csv")" "load row 1 (all NULL)"
assert_eq "2,\"\",0.1,X'',0" "$(sed -n 2p "$T/odd.csv")" "load row 2 (empty text and blob)"
assert_eq '"line1' "$(sed -n 3p "$T/odd.csv" | cut -d, -f2)" "load row 3 starts a quoted field"
assert_eq "5,\"say \"\"hi\"\", ok\",1.0000000000000002,X'0000000000',1" "$(sed -n 6p "$T/odd.csv")" "load row 5"
assert_eq '6,  lead and trail  ,5e-324,DEADBEEF00,-1' "$(sed -n 7p "$T/odd.csv")" "load row 6 (hex BLOB)"
assert_eq '6,  lead and trail  ,' "$(sed -n 7p "$T/odd.csv" | cut -d, -f1-2),"  "load row 6 keeps its spaces unquoted"

# JSONL rows have the documented fields.
core_use "$T/jsonl-xz"
change=$(published | tail -n 1)
manifest "$change" | jq -r '.tables[].file' | while IFS= read -r f; do
	archive_member "$change" "$f"
done >"$T/cdc.jsonl"
assert_eq 0 "$(jq -c 'select((keys_unsorted | sort) != (["after","before","key","op","seq","table","ts"]))' "$T/cdc.jsonl" | wc -l)" \
	"jsonl lines without exactly op, seq, ts, table, key, before, after"
assert_eq 0 "$(jq -c 'select(.seq == null or .ts == null)' "$T/cdc.jsonl" | wc -l)" "jsonl cdc lines without seq or ts"
