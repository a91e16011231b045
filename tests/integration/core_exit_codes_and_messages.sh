#!/usr/bin/env bash
# Exit codes and messages (docs/design.md §2, §3): a config error (unknown key,
# bad value, unknown section, malformed line, missing file) exits 2 naming
# file:line: key; an unknown command exits 2 with a suggestion; --help,
# COMMAND --help and --version exit 0; a missing SQLite source exits 3
# naming the path and is not created; -c beats CDCPACK_CONFIG.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"
core_config
good=$(cat "$CDCPACK_CONFIG")
lines=$(wc -l <"$CDCPACK_CONFIG")

# config_error 'EXTRA INI' EXPECTED-TEXT...: the good config plus EXTRA (its
# last line is line $lines + 2) makes `status` exit 2 with each TEXT.
config_error() {
	local extra=$1 text
	shift
	printf '%s\n%s\n' "$good" "$extra" >"$T/bad.conf"
	cdc_status 2 -c "$T/bad.conf" status
	for text in "$@"; do
		assert_contains "$T/last.err" "$text"
	done
}
n=$((lines + 2))
config_error $'[batch]\nmax_rowz = 5' "bad.conf:$n: max_rowz:"
config_error $'[batch]\nmax_rows = lots' "bad.conf:$n: max_rows:" "lots"
config_error $'[batch]\ncompression = lz4' "bad.conf:$n: compression:" "lz4"
config_error $'[batch]\nformat = parquet' "bad.conf:$n: format:" "parquet"
config_error $'[state]\nkeep_local = 7 days' "bad.conf:$n: keep_local:"
config_error $'[capture]\nmode = magic' "bad.conf:$n: mode:"
config_error $'[batch]\ncsv_header = maybe' "bad.conf:$n: csv_header:"
config_error $'[batchy]\nx = 1' "bad.conf:$((n - 1)):" "batchy"
config_error $'[batch]\njust some words' "bad.conf:$n:"
cdc_status 2 -c "$T/no-such.conf" status
assert_contains "$T/last.err" "no-such.conf"
cdc_status 2 -c "$T/bad.conf" --json run
jq -e '.ok == false and .exit_code == 2 and .command == "run" and (.error | contains("bad.conf:"))' \
	"$T/last.out" >/dev/null || fail "--json report of a config error: $(cat "$T/last.out")"

# CDCPACK_CONFIG is used; -c overrides it.
CDCPACK_CONFIG=$T/bad.conf cdc_status 2 status
CDCPACK_CONFIG=$T/bad.conf cdc_status 0 -c "$T/cdcpack.conf" status

# Commands, help and version.
cdc_status 2 rnu
assert_contains "$T/last.err" "did you mean 'run'"
cdc_status 2 frobnicate
assert_contains "$T/last.err" "frobnicate"
cdc_status 2 run --bogus
assert_contains "$T/last.err" "--bogus"
cdc_status 2 --bogus-option status
cdc --help
for c in init triggers load run status ls show apply verify; do
	assert_contains "$T/last.out" "$c"
done
for c in init triggers load run status ls show apply verify; do
	CDCPACK_CONFIG=$T/no-such.conf cdc "$c" --help
	assert_contains "$T/last.out" "$c"
	assert_contains "$T/last.out" "usage"
done
cdc --version
grep -qE '^cdcpack [0-9]+\.[0-9]+\.[0-9]+' "$T/last.out" || fail "--version printed [$(cat "$T/last.out")]"

# Usage errors in arguments.
cdc_status 2 run --every 0s
cdc_status 2 run --max-batches 0
cdc_status 2 apply
cdc_status 2 apply --to "sqlite:$T/r.db" --until yesterday
cdc_status 2 triggers frob
cdc_status 2 load NoSuchTable
assert_contains "$T/last.err" "NoSuchTable"
cdc_status 2 verify

# A missing SQLite source: exit 3 naming it, and no file appears.
printf '[source]\nurl = sqlite:%s\n[state]\ndir = %s\n[target]\nurl = file:%s\n' \
	"$T/missing.db" "$T/state2" "$T/bucket2" >"$T/missing.conf"
for cmd in init "triggers install" load run status "verify --against sqlite:$SRC_DB"; do
	# shellcheck disable=SC2086
	cdc_status 3 -c "$T/missing.conf" $cmd
	assert_contains "$T/last.err" "$T/missing.db"
	[[ ! -e $T/missing.db ]] || fail "$cmd created the missing source $T/missing.db"
done
# ...and a missing replica for verify is not created either.
cdc_status 3 verify --against "sqlite:$T/no-replica.db"
assert_contains "$T/last.err" "$T/no-replica.db"
[[ ! -e $T/no-replica.db ]] || fail "verify created the missing replica"
# A file that is not a database: exit 3 naming it.
echo "not a database" >"$T/text.db"
printf '[source]\nurl = sqlite:%s\n[state]\ndir = %s\n[target]\nurl = file:%s\n' \
	"$T/text.db" "$T/state3" "$T/bucket3" >"$T/text.conf"
cdc_status 3 -c "$T/text.conf" run
assert_contains "$T/last.err" "$T/text.db"
assert_eq "not a database" "$(cat "$T/text.db")" "the non-database file after a run"
