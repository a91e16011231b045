#!/usr/bin/env bash
# A batch whose apply fails on a row and whose rollback then fails too (the
# connection was lost under the failing statement): the message names the
# first error (the table, the statement that failed) and tells the failed
# rollback after it. The rollback's message used to replace the first one,
# leaving "roll back apply: server has gone away" and nothing of what failed.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"

sql "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'one'), (2, 'two');"
core_start_capture trigger
rep=$(mysql_fresh_db firsterr)
cdc apply --to "$(mysql_url "$rep")"

# The replica's own trigger holds the insert of key 7 until the test
# kills the connection under it.
mysql_exec "$rep" "CREATE TRIGGER hold BEFORE INSERT ON t FOR EACH ROW
	SET @held = IF(NEW.id = 7, SLEEP(60), 0)"
sql "INSERT INTO t VALUES (7, 'seven');"
cdc run

"$CDCPACK" apply --to "$(mysql_url "$rep")" >"$T/apply.out" 2>"$T/apply.err" &
pid=$!
held() {
	id=$(mysql_exec "$rep" "SELECT ID FROM information_schema.PROCESSLIST
		WHERE DB = '$rep' AND STATE = 'User sleep' AND ID <> CONNECTION_ID() LIMIT 1")
	[[ -n $id ]]
}
wait_for 30 "the held insert" held
mysql_root -e "KILL CONNECTION $id"
wait_exit "$pid" 30
assert_eq 3 "$EXIT_STATUS" "exit status of the failed apply"
msg=$(grep -i "error" "$T/apply.err" | tail -1)
[[ $msg == *"table t: "*"upsert into replica: "*"; rolling the batch back failed too: "*"roll back apply: "* ]] ||
	fail "the first error, then the rollback's: $(cat "$T/apply.err")"
assert_eq "1	one
2	two" "$(mysql_exec "$rep" "SELECT id, v FROM t ORDER BY id")" "replica rows: nothing of the failed batch"
