# Sourced by every integration test (tests/integration/*.sh).
# Each test runs in its own temp directory ($T), uses the real binary ($CDCPACK)
# and fails loudly: `fail "expected X, saw Y"` prints and exits 1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CDCPACK=${CDCPACK_BIN:-$ROOT/bin/cdcpack}
[[ $CDCPACK == /* ]] || CDCPACK=$ROOT/$CDCPACK
T=$(mktemp -d "${TMPDIR:-/tmp}/cdcpack-test.XXXXXX")
cleanup_tmp() {
	local rc=$?
	if [[ $rc -eq 0 || -z ${KEEP_TMP:-} ]]; then
		rm -rf "$T"
	else
		echo "kept $T" >&2
	fi
}
trap cleanup_tmp EXIT
cd "$T"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
	if [[ "$1" != "$2" ]]; then
		fail "${3:-value}: expected [$1], saw [$2]"
	fi
}

# assert_status CODE CMD...: runs CMD and checks its exit status.
assert_status() {
	local want=$1
	shift
	local got=0
	"$@" >"$T/last.out" 2>"$T/last.err" || got=$?
	if [[ $got -ne $want ]]; then
		echo "--- stdout" >&2
		cat "$T/last.out" >&2
		echo "--- stderr" >&2
		cat "$T/last.err" >&2
		fail "$* exited $got, expected $want"
	fi
}

# assert_contains FILE TEXT: FILE holds TEXT (fixed string).
assert_contains() {
	grep -qF -- "$2" "$1" || {
		cat "$1" >&2
		fail "$1 does not contain [$2]"
	}
}

assert_not_contains() {
	if grep -qF -- "$2" "$1"; then
		cat "$1" >&2
		fail "$1 contains [$2]"
	fi
}

# write_config FILE SOURCE_URL TARGET_URL [extra INI lines...]
write_config() {
	local file=$1 src=$2 tgt=$3
	shift 3
	{
		printf '[source]\nurl = %s\n\n[state]\ndir = %s/state\n\n[target]\nurl = %s\n' \
			"$src" "$T" "$tgt"
		for line in "$@"; do printf '%s\n' "$line"; done
	} >"$file"
}

# sorted, comparable dump of every user table of a SQLite database
sqlite_dump_tables() {
	local db=$1 t
	sqlite3 "$db" "select name from sqlite_master where type='table' and name not like 'sqlite_%' and name not like 'cdcpack_%' order by name" |
		while IFS= read -r t; do
			echo "== $t"
			sqlite3 -quote "$db" "select * from \"${t//\"/\"\"}\" order by 1"
		done
}
