#!/usr/bin/env bash
# The acknowledgement re-checks, in its own transaction, that the changelog
# is still this chain's. A run held after publishing (after-publish) while
# the changelog is dropped, created again and claimed by a second state dir
# (its own [source] name and bucket) must not acknowledge into it: it stops
# with exit 3 naming the chain that now consumes the changelog and the batch
# it did not acknowledge, and deletes nothing of the new changelog, whose
# changes the second chain then ships. The first state dir is refused from
# then on (exit 3), as any state dir of another chain is.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
second=$T/second.conf
core_second_config "$second"

sql "UPDATE Persons SET City = 'Old' WHERE PersonID = 1"
start_held held after-publish 4000 run
cdc -c "$second" triggers remove --drop-changelog
cdc -c "$second" triggers install
cdc -c "$second" load
sql "UPDATE Persons SET City = 'New' WHERE PersonID = 2"
chain2=$(sqlite3 "$SRC_DB" "SELECT chain FROM cdcpack_changelog_owner")
[[ -n $chain2 ]] || fail "the second state dir did not claim the new changelog"
wait_exit "$HELD_PID" 30
cp "$T/held.err" "$T/last.err"
assert_eq 3 "$EXIT_STATUS" "exit status of the run whose changelog another chain claimed ($(tail -n 2 "$T/held.err"))"
assert_contains "$T/held.err" "is now consumed by chain $chain2"
assert_contains "$T/held.err" "batch 2 not acknowledged"
assert_eq 1 "$(sql "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'")" "rows of the new changelog after the refused acknowledgement"

cdc_status 3 run
assert_contains "$T/last.err" "is consumed by another chain"
cdc -c "$second" run
cdc -c "$second" apply --to "sqlite:$T/replica2.db"
assert_eq New "$(sqlite3 "$T/replica2.db" "SELECT City FROM Persons WHERE PersonID = 2")" \
	"the change made after the second chain's load, on its replica"
assert_eq 0 "$(sql "SELECT count(*) FROM cdcpack_changelog WHERE op <> '-'")" "changelog rows once the second chain shipped them"
