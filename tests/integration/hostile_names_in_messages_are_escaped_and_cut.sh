#!/usr/bin/env bash
# Names a user or a database gives (table names on the command line or in
# the source, command and option words) reach messages as name_shown spells
# them (README "Names in reports": control bytes and bytes not UTF-8 as
# \xHH, a backslash as \\), cut after 80 bytes with "...": load's and
# triggers' "not a captured table" and "named twice", an unknown command or
# option, run's warnings about a table. The log line alone would escape the
# control bytes but not the backslash, so `a\x0Ab` (a backslash in the name)
# and a newline could not be told apart; the checks look for \\ and for the
# cut, and that no raw control byte reaches stderr.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

# N: a backslash, ESC, a newline; L: 600 bytes.
N=$(printf 'bad\\name\033[31m\nX')
N_SHOWN='bad\\name\x1B[31m\x0AX'
L=$(printf 'long%.0s' {1..150})
L_SHOWN="${L:0:80}..."
M='ok\two'

# clean: the last stderr holds no control byte but the newlines ending lines.
clean() {
	if LC_ALL=C grep -naP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$T/last.err" >&2; then
		fail "$1: stderr holds a raw control byte (above)"
	fi
}
# refused CODE WHAT TEXT ARGS...: cdcpack ARGS exits CODE naming TEXT.
refused() {
	local code=$1 what=$2 text=$3
	shift 3
	echo "case: $what"
	cdc_status "$code" "$@"
	clean "$what"
	assert_contains "$T/last.err" "$text"
}

printf '%s\n' "CREATE TABLE \"$N\"(id INTEGER PRIMARY KEY, v TEXT);" \
	"CREATE TABLE \"$L\"(id INTEGER PRIMARY KEY, v TEXT);" \
	"CREATE TABLE \"$M\"(id INTEGER PRIMARY KEY, v TEXT);" | sqlite3 "$SRC_DB"
core_config '[capture]' 'exclude = bad*, long*'

refused 2 "load of a table not captured" "load: '$N_SHOWN' is not a captured table" load "$N"
refused 2 "load of a long name" "load: '$L_SHOWN' is not a captured table" load "$L"
assert_not_contains "$T/last.err" "${L:0:90}"
refused 2 "triggers install of a table not captured" \
	"triggers: '$N_SHOWN' is not a captured table of" triggers install "$N"
refused 2 "a table named twice" "triggers: table 'ok\\\\two' named twice" triggers install "$M" "$M"
refused 2 "an unknown command" "'\\\\x\\x1B[31m' is not a cdcpack command" "$(printf '\\x\033[31m')"
refused 2 "an unknown option" "--a\\\\b\\x0Ac: unknown option" "$(printf -- '--a\\b\nc')" status
refused 2 "an unexpected argument" "status: unexpected argument 'x\\\\y\\x1B'" status "$(printf 'x\\y\033')"

echo "case: run's warnings about tables without triggers"
core_config '[capture]' 'exclude = bad*'
cdc triggers install "$M"
sqlite3 "$SRC_DB" 'CREATE TABLE "new\one"(id INTEGER PRIMARY KEY, v TEXT);'
cdc_status 0 run
clean "run"
assert_contains "$T/last.err" "table new\\\\one has no cdcpack triggers"
assert_contains "$T/last.err" "table $L_SHOWN has no cdcpack triggers"
echo "ok"
