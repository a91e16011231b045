#!/usr/bin/env bash
# SQLite allows any bytes in a name; an archive does not (apply refuses a
# name that is not UTF-8 or holds a control byte, and types it cannot
# read). Capture holds itself to apply's grammar: `triggers install`, `load`
# and `run` refuse such a table, exit 2, naming it losslessly (\xHH), and
# ship nothing apply would refuse; excluded by a pattern, the rest of the
# source captures and applies. Reports name every table whatever its bytes:
# `status --json`, `verify --json` and `diff --json` give a name that is not
# UTF-8 with U+FFFD plus name_hex, text reports as \xHH (issue 18, defects
# 1 and 2 of trust3).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

# refused NAME-AS-SHOWN CMD...: exit 2, the message naming the table.
refused() {
	local shown=$1
	shift
	cdc_status 2 "$@"
	assert_contains "$T/last.err" "table '$shown' cannot be captured"
	assert_contains "$T/last.err" "[capture] exclude"
}

# Each shape on its own source: the table is refused by install, load and
# run, and nothing reaches the bucket.
shape=0
for case in \
	'bad\xFF\xFEname|CREATE TABLE "bad\xff\xfename"(id INTEGER PRIMARY KEY, v TEXT)' \
	't\x0Ax|CREATE TABLE "t\nx"(id INTEGER PRIMARY KEY, v TEXT)' \
	't|CREATE TABLE t(id INTEGER PRIMARY KEY, "a\tb" TEXT)' \
	't|CREATE TABLE t(id INTEGER PRIMARY KEY, "c\x01" TEXT)' \
	't|CREATE TABLE t(id INTEGER PRIMARY KEY, "" TEXT)' \
	't|CREATE TABLE t(id INTEGER PRIMARY KEY, v ТЕКСТ)' \
	't|CREATE TABLE t(id INTEGER PRIMARY KEY, v NUMERIC(12345678901))'; do
	shape=$((shape + 1))
	core_use "$T/shape$shape"
	core_config
	shown=${case%%|*}
	printf '%b;\n' "${case#*|}" | sqlite3 "$SRC_DB"
	refused "$shown" triggers install
	refused "$shown" load
	refused "$shown" run
	[[ ! -e $BUCKET/cdc ]] || fail "shape $shape: something was published: $(find "$BUCKET" -type f)"
done

# A name longer than 1024 bytes, the limit apply keeps.
core_use "$T/long"
core_config
long=t$(printf 'x%.0s' {1..1100})
sql "CREATE TABLE $long(id INTEGER PRIMARY KEY, v TEXT)"
refused "${long:0:80}..." load

# With a [lake] prefix a table's folder name must fit a file name (255
# bytes): a longer one would stop every run after its archive is published
# (a file: target cannot create the folder): t and 130 é are 261 bytes.
core_use "$T/lake"
core_config '[lake]' 'prefix = dms/'
wide=t$(printf 'é%.0s' {1..130})
sql "CREATE TABLE $wide(id INTEGER PRIMARY KEY, v TEXT)"
cdc triggers install
cdc_status 2 load
assert_contains "$T/last.err" "cannot be captured with a [lake] prefix: its lake folder name is 261 bytes"
[[ ! -e $BUCKET/cdc ]] || fail "lake: something was published: $(find "$BUCKET" -type f)"
core_config
cdc load

# One source: a table whose name is not UTF-8 next to a plain one.
core_use "$T/mixed"
core_config
printf 'CREATE TABLE "bad\xff\xfename"(id INTEGER PRIMARY KEY, v TEXT);
	INSERT INTO "bad\xff\xfename" VALUES (1, %s);
	CREATE TABLE ok(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO ok VALUES (1, %s);\n' "'x'" "'y'" |
	sqlite3 "$SRC_DB"
refused 'bad\xFF\xFEname' run
# status and verify still name it (the run's refusal is what they watch).
cdc status --json
jq -e '.tables | map(select(.name == "bad\uFFFD\uFFFDname" and
	.name_hex == "626164FFFE6E616D65")) | length == 1' "$T/last.out" >/dev/null ||
	fail "status --json does not name the table: $(cat "$T/last.out")"
cdc status
assert_contains "$T/last.out" 'bad\xFF\xFEname'
cp "$SRC_DB" "$T/mixed/copy.db"
cdc_status 0 verify --against "sqlite:$T/mixed/copy.db" --json
jq -e '[.tables[].name_hex | select(.)] == ["626164FFFE6E616D65"] and (.tables | length == 2)' \
	"$T/last.out" >/dev/null || fail "verify --json does not name every table: $(cat "$T/last.out")"

# Excluded by a pattern, the rest captures and applies.
core_config '[capture]' 'exclude = bad*name'
cdc triggers install
cdc load
sql "INSERT INTO ok VALUES (2, 'z')"
cdc run
cdc apply --to "sqlite:$T/mixed/replica.db"
assert_eq "1|y
2|z" "$(sqlite3 "$T/mixed/replica.db" 'SELECT * FROM ok ORDER BY id')" "replica rows of ok"

# diff compares any two databases: every table named, in JSON and text.
cdc_status 1 diff "sqlite:$SRC_DB" "sqlite:$T/mixed/replica.db" --json
jq -e '.tables | map(select(.name_hex == "626164FFFE6E616D65" and .status == "only_in_a"))
	| length == 1' "$T/last.out" >/dev/null || fail "diff --json drops the table: $(cat "$T/last.out")"
/usr/bin/python3 "$ROOT/tests/lib/validate_json.py" "$ROOT/schemas/report.schema.json" "$T/last.out" ||
	fail "diff's report does not match the schema"
cdc_status 1 diff "sqlite:$SRC_DB" "sqlite:$T/mixed/replica.db"
grep -q '^bad\\xFF\\xFEname  *only_in_a' "$T/last.out" || fail "diff text: $(cat "$T/last.out")"
echo "ok"
