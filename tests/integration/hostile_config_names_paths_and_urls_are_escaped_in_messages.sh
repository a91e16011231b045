#!/usr/bin/env bash
# What the config names reaches messages as names are shown (docs/design.md
# §2: a backslash as \\, control bytes and bytes not UTF-8 as \xHH): the
# config file's path, a key and a value of it, a SQLite source's path and
# URL, the [capture] changelog name, the target URL in status's text, the
# state dir in file errors (and in the chmod hint, as a shell reads it), a
# MySQL URL's database (%-decoded: any bytes) in the "mysql USER@HOST/DB"
# prefix and in the server's error text, which quotes it raw. A log line
# escapes control bytes in its whole message but leaves a backslash, so a
# raw name would show a single backslash: the checks look for \\ and for
# \xFF, and that no raw control byte reaches stderr (or status's stdout).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"

# V: a backslash, ESC and a byte that is not UTF-8; N: V and a newline.
V=$(printf 'b\\c\033[31m\377')
V_SHOWN='b\\c\x1B[31m\xFF'
N=$(printf 'n\\e\nw\033')
N_SHOWN='n\\e\x0Aw\x1B'

clean() {
	if LC_ALL=C grep -naP '[\x00-\x09\x0b-\x1f\x7f]' "$T/last.err" >&2; then
		fail "$1: stderr holds a raw control byte (above)"
	fi
}
# set_line START LINE: the config's lines starting with START become LINE
# (bash, not sed: LINE holds a backslash); url_at SCHEME PATH: the url of
# that scheme is SCHEME:PATH; source_at PATH: sqlite:PATH.
set_line() {
	local line out=
	while IFS= read -r line; do
		[[ $line == "$1"* ]] && line=$2
		out+=$line$'\n'
	done <"$CDCPACK_CONFIG"
	printf '%s' "$out" >"$CDCPACK_CONFIG"
}
url_at() { set_line "url = $1:" "url = $1:$2"; }
source_at() { url_at sqlite "$1"; }
refused() {
	local code=$1 what=$2 text=$3
	shift 3
	echo "case: $what"
	cdc_status "$code" "$@"
	clean "$what"
	assert_contains "$T/last.err" "$text"
}

refused 2 "a config file that is not there" "$T/c${N_SHOWN}.conf: cannot open config file" \
	-c "$T/c$N.conf" status

conf="$T/c$N.conf"
core_config
cp "$CDCPACK_CONFIG" "$conf"
printf '[source]\nk\\e\033y = 1\n' >>"$conf"
refused 2 "an unknown key in a config file of an odd path" \
	"$T/c${N_SHOWN}.conf:$(wc -l <"$conf"): k\\\\e\\x1By: unknown key in [source]" -c "$conf" status

core_config "[capture]" "mode = $V"
refused 2 "a value outside the key's list" "mode: '$V_SHOWN' is not a capture mode" status

sqlite3 "$SRC_DB" "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"
core_config
source_at "$T/s$V.db"
refused 3 "a SQLite source that is not there" "$T/s${V_SHOWN}.db: cannot open SQLite database" \
	triggers install

cp "$SRC_DB" "$T/s$V.db"
core_config "[capture]" "tables = nosuch"
source_at "$T/s$V.db"
refused 2 "a [capture] table the source lacks" \
	"[capture] tables: no table named 'nosuch' in sqlite:$T/s${V_SHOWN}.db" run

sqlite3 "$SRC_DB" "CREATE TABLE \"log$V\" (id INTEGER PRIMARY KEY)"
core_config "[capture]" "changelog = log$V"
refused 2 "a changelog name taken by an application table" \
	"[capture] changelog = log$V_SHOWN: the source already has a table 'log$V_SHOWN' that is not a cdcpack changelog" \
	triggers install

echo "case: status names a target URL of an odd path"
core_config
url_at file "$T/b$V"
cdc_status 0 status
mv "$T/last.out" "$T/last.err" # (clean reads last.err)
clean "status"
assert_contains "$T/last.err" "target file:$T/b${V_SHOWN}"

core_config
touch "$T/f$V"
set_line "dir = " "dir = $T/f$V/state"
refused 3 "a state dir that cannot be made under an odd path" \
	"$T/f${V_SHOWN}/state: cannot create state dir" run
mkdir "$T/g$V"
chmod 775 "$T/g$V"
set_line "dir = " "dir = $T/g$V"
refused 2 "a state dir others may write, of an odd path" \
	"$T/g${V_SHOWN}: state dir is writable by group or others (mode 0775)" run
assert_contains "$T/last.err" "run chmod 700 \$'$T/g${V_SHOWN}'"

url="mysql://$CDCPACK_TEST_MYSQL_USER@$CDCPACK_TEST_MYSQL_HOST:$CDCPACK_TEST_MYSQL_PORT/cdc_no%5Csuch%1B"
write_config "$CDCPACK_CONFIG" "$url" "file:$BUCKET"
refused 3 "a MySQL database of an odd name" \
	"mysql $CDCPACK_TEST_MYSQL_USER@$CDCPACK_TEST_MYSQL_HOST/cdc_no\\\\such\\x1B: cannot connect" \
	triggers install
# the server's own text quotes the name (MariaDB spells ESC \001B itself,
# but leaves the backslash): shown as names are, too
assert_contains "$T/last.err" "Unknown database 'cdc_no\\\\such\\\\001B'"
echo ok
