#!/usr/bin/env bash
# `triggers install|status|remove --json` and `init --json` name every table
# whatever its bytes (docs/design.md §9 "Names in reports"): a name that is
# not UTF-8 as U+FFFD per such byte plus name_hex (init's list of names: the
# U+FFFD spelling), never an entry dropped because JSON cannot carry the
# bytes. Covers the refused install, status of a plain and of a renamed
# (stray-triggered) table, and the remove of that table's triggers. The
# warnings `triggers status` prints name a table as text shows names (\xHH,
# \\): a name holding ESC never reaches the terminal as a control.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

core_config
printf 'CREATE TABLE "bad\xff\xfename"(id INTEGER PRIMARY KEY, v TEXT);
	CREATE TABLE ok(id INTEGER PRIMARY KEY, v TEXT);\n' | sqlite3 "$SRC_DB"
bad_hex=626164FFFE6E616D65

# has_entry JQ_FILTER WHAT: the last report (stdout) has one .tables entry
# that the filter selects, and matches the schema.
has_entry() {
	jq -e ".tables | map(select($1)) | length == 1" "$T/last.out" >/dev/null ||
		fail "$2: $(cat "$T/last.out")"
	/usr/bin/python3 "$ROOT/tests/lib/validate_json.py" "$ROOT/schemas/report.schema.json" \
		"$T/last.out" || fail "$2: the report does not match the schema"
}

echo "case: install refuses the table and names it"
cdc_status 2 triggers install --json
has_entry ".name == \"bad\uFFFD\uFFFDname\" and .name_hex == \"$bad_hex\"" \
	"triggers install --json does not name the refused table"

echo "case: status names every table"
cdc triggers status --json
has_entry ".name_hex == \"$bad_hex\" and .installed == false" \
	"triggers status --json drops the table"
has_entry '.name == "ok" and (has("name_hex") | not)' "triggers status --json: ok"

echo "case: init names every table"
cdc init --json
jq -e '.tables == ["bad\uFFFD\uFFFDname", "ok"]' "$T/last.out" >/dev/null ||
	fail "init --json does not name every table: $(cat "$T/last.out")"

echo "case: a triggered table renamed to a name that is not UTF-8"
cdc triggers install ok --json
printf 'ALTER TABLE ok RENAME TO "ok\xff";\n' | sqlite3 "$SRC_DB"
cdc triggers status --json
has_entry '.name_hex == "6F6BFF" and (.warnings | length) == 1' \
	"triggers status --json drops the renamed table or its warning"
cdc triggers remove "$(printf 'ok\xff')" --json
has_entry '.name == "ok\uFFFD" and .name_hex == "6F6BFF"' \
	"triggers remove --json drops the table"
assert_eq 0 "$(sqlite3 "$SRC_DB" "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")" \
	"triggers left after remove"

echo "case: warnings name a table holding ESC and a backslash as text shows it"
sql "CREATE TABLE ok2(id INTEGER PRIMARY KEY, v TEXT)"
cdc triggers install ok2
printf 'ALTER TABLE ok2 RENAME TO "ok\x1b[31mX\\y";\n' | sqlite3 "$SRC_DB"
cdc triggers status
grep -q $'\x1b' "$T/last.out" && fail "triggers status printed an ESC: $(cat -v "$T/last.out")"
# the hint's command: as bash reads $'...', escaped as names are shown, and said so
assert_contains "$T/last.out" 'cdcpack load $'\''ok\x1B[31mX\\y'\''` (the name escaped'
cdc triggers status --json
has_entry '.name == "ok\u001b[31mX\\y" and (.warnings[0] | contains("load $'\''ok\\x1B[31mX\\\\y'\''`"))' \
	"triggers status --json: the warning of the ESC name"
echo "ok"
