#!/usr/bin/env bash
# `--json` makes every command print exactly one JSON document on stdout
# (nothing else), with "ok", "exit_code" (equal to the process's exit status)
# and "command" -- on success, on "differences found" (verify, exit 1) and
# on failure (exit 3).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_db "$SRC_DB"
core_config

# json_ok CODE COMMAND ARGS...: `--json COMMAND ARGS` exits CODE and reports it.
json_ok() {
	local code=$1 cmd=$2
	shift 2
	cdc_status "$code" --json "$cmd" "$@"
	jq -s -e --arg c "$cmd" --argjson code "$code" \
		'length == 1 and (.[0] | type == "object" and .command == $c and .exit_code == $code
		 and (.ok | type == "boolean") and (.ok == ($code == 0 or $code == 1)))' \
		"$T/last.out" >/dev/null ||
		fail "--json $cmd $*: expected one report with command $cmd, exit_code $code; saw: $(cat "$T/last.out")"
}

json_ok 0 init
json_ok 0 triggers install
json_ok 0 triggers status
json_ok 0 load
sql "DELETE FROM Persons WHERE PersonID = 9"
json_ok 0 run
assert_eq 1 "$(jq .batches "$T/last.out")" "run report: batches"
assert_eq 1 "$(jq '.published | length' "$T/last.out")" "run report: published"
json_ok 0 status
json_ok 0 ls
assert_eq 2 "$(jq '.batches | length' "$T/last.out")" "ls report: batches"
json_ok 0 show "$(published | tail -n 1)"
json_ok 0 apply --to "sqlite:$T/replica.db"
assert_eq 2 "$(jq .batches "$T/last.out")" "apply report: batches"
json_ok 0 verify --against "sqlite:$T/replica.db"
sqlite3 "$T/replica.db" "UPDATE Persons SET City = 'Elsewhere' WHERE PersonID = 1"
json_ok 1 verify --against "sqlite:$T/replica.db"
json_ok 3 verify --against "sqlite:$T/no-replica.db"
jq -e '.error | contains("no-replica.db")' "$T/last.out" >/dev/null || fail "error of a failed verify: $(cat "$T/last.out")"
json_ok 3 show "$T/no-such-archive.tar.zst"
json_ok 2 run --max-batches zero
