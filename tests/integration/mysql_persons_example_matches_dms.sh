#!/usr/bin/env bash
# examples/persons-mysql, run as a user would run it: the cdc file of the
# change batch begins exactly like AWS DMS's output for the same changes,
# the load file holds the 101 rows, and a MySQL replica ends equal to the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db persons)
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket" \
	'[capture]' 'tables = Persons'
sed -i "s|^url = mysql.*|&\nname = persons|" "$T/cdcpack.conf"
export CDCPACK_CONFIG=$T/cdcpack.conf

MYSQL_CLIENT=$(mysql_client_cmd "$db") CDCPACK=$CDCPACK \
	bash "$ROOT/examples/persons-mysql/run.sh" >"$T/out.csv" 2>"$T/run.log" ||
	{ cat "$T/run.log" >&2; fail "examples/persons-mysql/run.sh failed"; }

head -n 6 "$T/out.csv" >"$T/first6.csv"
cmp -s "$ROOT/examples/persons-mysql/expected-cdc.csv" "$T/first6.csv" || {
	diff "$ROOT/examples/persons-mysql/expected-cdc.csv" "$T/first6.csv" >&2 || true
	fail "the cdc file does not begin as DMS's does"
}

load=$(find "$T/bucket/cdc" -name 'persons-00000001-*.tar.zst')
[[ -n $load ]] || fail "no published load batch"
tar -xOf "$load" Persons/LOAD00000001.csv >"$T/load.csv"
assert_eq 101 "$(wc -l <"$T/load.csv")" "rows in LOAD00000001.csv"
assert_eq "10,Jack Hicks,Houston" "$(sed -n 10p "$T/load.csv")" "load row 10"

replica=$(mysql_fresh_db persons_replica)
assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$replica")"
assert_eq "$(mysql_dump "$db" Persons)" "$(mysql_dump "$replica" Persons)" "replica rows"
