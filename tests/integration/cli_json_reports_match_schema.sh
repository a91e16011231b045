#!/usr/bin/env bash
# Every command's --json report is one JSON object on stdout that validates
# against schemas/report.schema.json, on success and on failure; stdout holds
# nothing else. Human output without --json goes to stdout, logs to stderr.
source "$(dirname "$0")/../lib/common.sh"

sqlite3 src.db "create table Persons(PersonID INTEGER PRIMARY KEY, FullName TEXT, City TEXT);
  insert into Persons values(1,'Ann','Oslo'),(2,'Bo','Rome');"
write_config c.conf sqlite:src.db "file:$T/bucket" '[capture]' 'reconcile = manual'
n=0
report() { # report EXPECTED_EXIT ARGS...
	local want=$1
	shift
	n=$((n + 1))
	local got=0
	"$CDCPACK" -c c.conf --json "$@" >"r$n.json" 2>"r$n.err" || got=$?
	assert_eq "$want" "$got" "exit of $*"
	jq -e . "r$n.json" >/dev/null || fail "$*: stdout is not one JSON object: $(cat "r$n.json")"
	assert_eq 1 "$(jq -s length "r$n.json")" "JSON values on stdout of $*"
	assert_eq "$want" "$(jq .exit_code "r$n.json")" "exit_code field of $*"
}
report 0 init
report 0 triggers install
report 0 triggers status
report 0 load
sqlite3 src.db "update Persons set City='Bergen' where PersonID=1; insert into Persons values(3,'Cy','Lima')"
report 0 run
report 0 run
report 0 status
report 0 ls
report 0 show "$(find bucket -name '*00000002*')"
report 0 apply --to "sqlite:$T/replica.db"
report 0 verify --against "sqlite:$T/replica.db"
sqlite3 replica.db "delete from Persons where PersonID=3"
report 1 verify --against "sqlite:$T/replica.db"
report 2 run --every never
report 3 show "$T/no-such-archive"
report 2 frobnicate
report 0 reconcile
sqlite3 src.db "insert into Persons values(4,'Di','Kyiv'); delete from cdcpack_changelog"
report 0 reconcile
report 0 status

assert_eq 1 "$(jq ".published | length" r5.json)" "batches published by the first run"
assert_eq true "$(jq '.published[0].rows == 2' r5.json)" "rows of the cdc batch"
assert_eq 0 "$(jq .batches r6.json)" "an idle run publishes nothing"
assert_eq false "$(jq .equal r12.json)" "verify reports the difference"
assert_contains r13.json "never"
assert_eq "0 0" "$(jq '[.batches, .reconciled[0].inserted] | join(" ")' -r r16.json)" "a clean reconcile"
assert_eq "1 1 reconcile" "$(jq -r '[.batches, .reconciled[0].inserted, .published[0].kind] | join(" ")' r17.json)" \
	"a reconcile that repairs"
assert_eq 1 "$(jq .reconcile.repaired r18.json)" "status: the last reconcile's repairs"

/usr/bin/python3 "$ROOT/tests/lib/validate_json.py" "$ROOT/schemas/report.schema.json" r*.json ||
	fail "reports do not match schemas/report.schema.json"
# The schema can say no: a status report without its lag field is refused.
jq 'del(.lag_seconds)' r7.json >bad.json
if /usr/bin/python3 "$ROOT/tests/lib/validate_json.py" "$ROOT/schemas/report.schema.json" bad.json >v.out; then
	fail "a status report without lag_seconds validated"
fi
