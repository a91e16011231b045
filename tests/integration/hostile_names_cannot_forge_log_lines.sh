#!/usr/bin/env bash
# A table or column name is the source's to choose, and SQLite takes any
# bytes: a name holding a newline, ESC or a C1 control (U+009B is CSI to a
# UTF-8 terminal) must not forge a log line or reach the terminal as a
# control. Every name cdcpack shows (stderr, status and triggers status,
# show, init) is spelt by name_shown (\xHH), and the log line itself escapes
# whatever a message quotes. Names no archive may carry stay refused;
# excluded, the rest ships and applies exactly in trigger and snapshot mode,
# the C1 name included (issue 18 follow-up).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

# clean FILE...: no control byte but newline (C0, DEL, C1 as UTF-8), and no
# line starting with the forged text.
clean() {
	local f
	for f in "$@"; do
		if LC_ALL=C grep -naP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$f" >&2; then
			fail "$f holds a raw control byte (above)"
		fi
		if grep -na '^ERROR forged' "$f" >&2; then
			fail "$f holds a forged line (above)"
		fi
	done
}

# step ARGS...: cdcpack -v ARGS (exit 0), both streams kept and checked.
step() {
	cdc -v "$@"
	cat "$T/last.out" "$T/last.err" >>"$T/all.log"
	clean "$T/last.out" "$T/last.err"
}

make_source() {
	printf '%s\n' \
		'CREATE TABLE "a' 'ERROR forged 1970-01-01T00:00:00.000Z"(id INTEGER PRIMARY KEY, v TEXT);' \
		"CREATE TABLE \"b$(printf '\033')[31m\"(id INTEGER PRIMARY KEY, \"c$(printf '\r')y\" TEXT);" \
		"CREATE TABLE \"c$(printf '\302\233')31m\"(id INTEGER PRIMARY KEY, \"d$(printf '\302\205')\" TEXT);" \
		"INSERT INTO \"c$(printf '\302\233')31m\" VALUES (1, 'one'), (2, 'two');" \
		'CREATE TABLE ok(id INTEGER PRIMARY KEY, v TEXT);' \
		"INSERT INTO ok VALUES (1, 'x');" | sqlite3 "$SRC_DB"
}

# same_rows REPLICA: the shipped tables of the replica equal the source's.
C1=$(printf 'c\302\23331m')
same_rows() {
	local t
	for t in "$C1" ok; do
		assert_eq "$(sqlite3 -quote "$SRC_DB" "SELECT * FROM \"$t\" ORDER BY id")" \
			"$(sqlite3 -quote "$1" "SELECT * FROM \"$t\" ORDER BY id")" "rows of ${t//[^a-z0-9]/?}"
	done
}

# Not excluded, the names no archive may carry are refused, named as \xHH.
make_source
core_config
cdc_status 2 -v triggers install
clean "$T/last.out" "$T/last.err"
assert_contains "$T/last.err" "table 'a\\x0AERROR forged"
step triggers status
assert_contains "$T/last.out" 'b\x1B[31m'
assert_contains "$T/last.out" 'c\xC2\x9B31m'
step status

# Excluded, the rest ships in trigger mode: load, changes, status, show, apply.
core_config '[capture]' 'exclude = a*, b*'
step init
step triggers install
step load
sql "INSERT INTO \"$C1\" VALUES (3, 'three'); UPDATE ok SET v = 'y'"
step run
step status
step triggers status
for key in $(cd "$BUCKET" && find cdc -name '*.tar.zst' | sort); do
	step show "$key"
done
assert_contains "$T/last.out" 'c\xC2\x9B31m'
step apply --to "sqlite:$T/replica.db"
same_rows "$T/replica.db"

# Snapshot mode, on a source of its own.
core_use "$T/snap"
make_source
core_config '[capture]' 'mode = snapshot' 'exclude = a*, b*'
step run
sql "INSERT INTO \"$C1\" VALUES (3, 'three'); DELETE FROM ok"
step run
step status
step apply --to "sqlite:$T/snap/replica.db"
same_rows "$T/snap/replica.db"
echo "ok"
