#!/usr/bin/env bash
# The MariaDB driver keeps the changelog's owner record too (<changelog>_owner):
# a second state dir on the same changelog is refused (exit 3) and a second
# chain with its own changelog gets every change; a stale copy of the state
# dir is refused (exit 3); after --drop-changelog + install, a batch read
# from the old changelog and recovered later deletes none of the new rows
# that reuse its seqs.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db chain)
mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, v varchar(20)); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf
second=$T/second.conf
write_config "$second" "$(mysql_url "$db")" "file:$T/bucket2"
sed -i -e "s|^dir = .*|dir = $T/state2|" -e 's|^url = mysql.*|&\nname = other|' "$second"
run() { assert_status "$@"; }
run 0 "$CDCPACK" triggers install
run 0 "$CDCPACK" load
published_count() { find "$1/cdc" -type f | wc -l; }

# A second consumer of the same changelog.
mysql_exec "$db" "UPDATE t SET v = 'one' WHERE id = 1"
run 3 "$CDCPACK" -c "$second" run
assert_contains "$T/last.err" "changelog cdcpack_changelog of $(mysql_url "$db") is consumed by another chain"
[[ ! -d $T/bucket2/cdc ]] || fail "the second chain published"
run 0 "$CDCPACK" run
assert_eq 2 "$(published_count "$T/bucket")" "the first chain's batches"

# ... and a second chain with its own changelog.
printf '[capture]\nchangelog = second_changelog\n' >>"$second"
run 0 "$CDCPACK" -c "$second" triggers install
run 0 "$CDCPACK" -c "$second" load
mysql_exec "$db" "UPDATE t SET v = 'both' WHERE id = 2"
cp -a "$T/state" "$T/backup"
run 0 "$CDCPACK" run
run 0 "$CDCPACK" -c "$second" run
for c in "$CDCPACK_CONFIG" "$second"; do
	run 0 "$CDCPACK" -c "$c" apply --to "sqlite:$T/replica-$(basename "$c").db"
	assert_eq "1|one 2|both 3|c" "$(sqlite3 "$T/replica-$(basename "$c").db" "SELECT id || '|' || v FROM t ORDER BY id" | tr '\n' ' ' | sed 's/ $//')" "rows applied from $c"
	assert_eq "cdcpack_applied t" "$(sqlite3 "$T/replica-$(basename "$c").db" "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name)")" "tables applied from $c"
done

# A stale copy of the state dir.
mv "$T/state" "$T/state.current"
cp -a "$T/backup" "$T/state"
mysql_exec "$db" "UPDATE t SET v = 'three' WHERE id = 3"
run 3 "$CDCPACK" run
assert_contains "$T/last.err" "has seen batch 3 of this chain (staged or acknowledged), but this state dir records batches up to 2 only"
assert_eq 3 "$(published_count "$T/bucket")" "published by the stale copy"
rm -rf "$T/state"
mv "$T/state.current" "$T/state"

# A batch of the old changelog recovered after the changelog was re-created.
got=0
CDCPACK_FAULT=crash:after-publish "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err" || got=$?
assert_eq 137 "$got" "run killed after publish"
run 0 "$CDCPACK" triggers remove --drop-changelog
run 0 "$CDCPACK" triggers install
mysql_exec "$db" "UPDATE t SET v = 'new' WHERE id = 1"
assert_eq 1 "$(mysql_exec "$db" "SELECT MIN(seq) FROM cdcpack_changelog")" "the new changelog's first seq"
run 0 "$CDCPACK" run
assert_eq 5 "$(published_count "$T/bucket")" "published batches"
run 0 "$CDCPACK" apply --to "sqlite:$T/replica-cdcpack.conf.db"
assert_eq "1|new 2|both 3|three" "$(sqlite3 "$T/replica-cdcpack.conf.db" "SELECT id || '|' || v FROM t ORDER BY id" | tr '\n' ' ' | sed 's/ $//')" "rows after the re-created changelog"
