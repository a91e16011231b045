#!/usr/bin/env bash
# A first command that fails before it captured anything (the source not
# reachable: a SQLite file not there, a typo in the URL) leaves no state dir
# behind: init makes it only once source and target answered, and run,
# load, reconcile and triggers install remove the one they made. A state
# dir that was there before a failure stays as it was.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

core_config '[capture]' 'reconcile = manual'
for cmd in init run load reconcile "triggers install"; do
	# shellcheck disable=SC2086 # the command's words
	cdc_status 3 $cmd
	assert_contains "$T/last.err" "cannot open SQLite database"
	[[ ! -e $STATE_DIR ]] || fail "$cmd failed but left $STATE_DIR: $(ls -A "$STATE_DIR")"
done

# the source there: init makes the state dir, and a later failure keeps it
sql 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)'
cdc init
assert_contains "$T/last.out" "state dir  $STATE_DIR"
[[ -f $STATE_DIR/state.db ]] || fail "init made no $STATE_DIR/state.db"
chain=$(sqlite3 "$STATE_DIR/state.db" "SELECT v FROM meta WHERE k = 'chain'")
mv "$SRC_DB" "$T/away.db"
for cmd in init run load; do
	cdc_status 3 "$cmd"
	[[ -f $STATE_DIR/state.db ]] || fail "$cmd removed the state dir it did not make"
done
assert_eq "$chain" "$(sqlite3 "$STATE_DIR/state.db" "SELECT v FROM meta WHERE k = 'chain'")" \
	"the chain id of the state dir after failed commands"
mv "$T/away.db" "$SRC_DB"
cdc triggers install
cdc load
assert_eq 1 "$(published_count)" "batches published once the source is back"
