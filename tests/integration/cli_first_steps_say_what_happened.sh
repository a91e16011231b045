#!/usr/bin/env bash
# A new user's first steps, as README's Quick start has them, each telling
# what happened: a source where [capture] selects no table (an empty
# database, the wrong file, every table excluded) makes init and triggers
# install say so (exit 0, nothing to do) rather than print a plan of no
# table and install nothing in silence; init names each table triggers
# install, load and run would refuse (exit 2) rather than print it in a
# plan that fails a step later; and a load stopped by SIGINT says
# it stopped (exit 130), never "nothing to publish", and publishes nothing.
# A relative sqlite: path is the directory cdcpack runs in's, not the
# config's: run from elsewhere (cron, systemd), the error names where it
# looked.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

# an empty database: every command that acts on all tables says none is there
sqlite3 "$SRC_DB" 'PRAGMA user_version = 1'
core_config
for cmd in init "triggers install" "triggers status"; do
	# shellcheck disable=SC2086 # the command's words
	cdc $cmd
	assert_contains "$T/last.err" "no table to capture in sqlite:$SRC_DB"
	assert_contains "$T/last.err" "[capture] tables and exclude in $CDCPACK_CONFIG select none"
done

# tables there, but every one excluded: the same words
sql 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)'
core_config '[capture]' 'exclude = it*'
cdc triggers install
assert_contains "$T/last.err" "no table to capture in sqlite:$SRC_DB"
# with a table selected, nothing of it
core_config
cdc triggers install
assert_not_contains "$T/last.err" "no table to capture"
cdc init
assert_not_contains "$T/last.err" "no table to capture"

# a table no archive can carry (a column type with a constraint word): init
# warns naming it and why, exit 0, and triggers install refuses it, exit 2
sql 'CREATE TABLE odd (id INTEGER PRIMARY KEY, v "TEXT CHECK")'
cdc init
assert_contains "$T/last.err" "WARN table 'odd' cannot be captured: table odd: column v: type 'TEXT CHECK'"
assert_not_contains "$T/last.err" "table 'items' cannot be captured"
cdc_status 2 triggers install odd
assert_contains "$T/last.err" "table 'odd' cannot be captured"
sql 'DROP TABLE odd'
cdc init
assert_not_contains "$T/last.err" "cannot be captured"

# load stopped by SIGINT while it reads the table (held there a moment)
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
	INSERT INTO items SELECT i, 'row ' || i FROM n"
start_held load mid-load 1000 load
kill -INT "$HELD_PID"
wait_exit "$HELD_PID" 60
assert_eq 130 "$EXIT_STATUS" "load's exit status after SIGINT"
assert_contains "$T/load.err" "load stopped by SIGINT"
assert_not_contains "$T/load.out" "nothing to publish"
assert_eq "" "$(published)" "objects published by the stopped load"
# the load then runs whole and says what it published
cdc load
assert_contains "$T/last.out" "published load"
assert_eq 1 "$(published_count)" "batches published by the second load"

# a relative source path, run from another directory than the config's
mkdir -p "$T/app" "$T/elsewhere"
sqlite3 "$T/app/shop.db" 'CREATE TABLE t (id INTEGER PRIMARY KEY)'
printf '[source]\nurl = sqlite:shop.db\n[state]\ndir = %s\n[target]\nurl = file:%s\n' \
	"$T/app/state" "$T/app/bucket" >"$T/app/cdcpack.conf"
cd "$T/elsewhere" || fail "cd"
for cmd in init run; do
	assert_status 3 "$CDCPACK" -c "$T/app/cdcpack.conf" "$cmd"
	assert_contains "$T/last.err" "shop.db: cannot open SQLite database: No such file or directory (a relative path: looked in $T/elsewhere, the directory cdcpack runs in)"
done
assert_status 3 "$CDCPACK" diff sqlite:shop.db "sqlite:$T/app/shop.db"
assert_contains "$T/last.err" "looked in $T/elsewhere"
# from the config's directory it works
cd "$T/app" || fail "cd"
assert_status 0 "$CDCPACK" init
