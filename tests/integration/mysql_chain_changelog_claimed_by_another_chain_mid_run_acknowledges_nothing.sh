#!/usr/bin/env bash
# The MariaDB driver's acknowledgement re-checks, in its own transaction, that
# the changelog is still this chain's (mysql_owner_ack_check), as the SQLite
# one does (core_chain_changelog_claimed_by_another_chain_mid_run_
# acknowledges_nothing). A run held after publishing while the changelog is
# dropped, created again and claimed by a second state dir (its own [source]
# name and bucket) stops with exit 3 naming the chain that now consumes the
# changelog and the batch it did not acknowledge, and deletes nothing of the
# new changelog, whose change the second chain then ships.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db claimed)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, v varchar(20)); INSERT INTO t VALUES (1, 'a'), (2, 'b');"
write_config "$CDCPACK_CONFIG" "$(mysql_url "$db")" "file:$T/bucket"
second=$T/second.conf
write_config "$second" "$(mysql_url "$db")" "file:$T/bucket2"
sed -i -e "s|^dir = .*|dir = $T/state2|" -e 's|^url = mysql.*|&\nname = other|' "$second"
cdc triggers install
cdc load

mysql_exec "$db" "UPDATE t SET v = 'old' WHERE id = 1"
start_held held after-publish 4000 run
cdc -c "$second" triggers remove --drop-changelog
cdc -c "$second" triggers install
cdc -c "$second" load
mysql_exec "$db" "UPDATE t SET v = 'new' WHERE id = 2"
chain2=$(mysql_exec "$db" "SELECT chain FROM cdcpack_changelog_owner")
[[ -n $chain2 ]] || fail "the second state dir did not claim the new changelog"
wait_exit "$HELD_PID" 30
cp "$T/held.err" "$T/last.err"
assert_eq 3 "$EXIT_STATUS" "exit status of the run whose changelog another chain claimed ($(tail -n 2 "$T/held.err"))"
assert_contains "$T/held.err" "is now consumed by chain $chain2"
assert_contains "$T/held.err" "batch 2 not acknowledged"
assert_eq 1 "$(mysql_changelog_count "$db")" "rows of the new changelog after the refused acknowledgement"

cdc -c "$second" run
cdc -c "$second" apply --to "sqlite:$T/replica2.db"
assert_eq new "$(sqlite3 "$T/replica2.db" "SELECT v FROM t WHERE id = 2")" \
	"the change made after the second chain's load, on its replica"
assert_eq 0 "$(mysql_changelog_count "$db")" "changelog rows once the second chain shipped them"
echo "ok"
