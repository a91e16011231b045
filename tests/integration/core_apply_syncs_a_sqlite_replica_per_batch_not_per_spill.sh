#!/usr/bin/env bash
# apply syncs a SQLite replica at each batch's commit, not each time the
# batch's changed pages outgrow the page cache: a cdc batch changing some
# 6 MB of pages (every row of a 60,000-row table updated, more than SQLite's
# default 2 MiB cache) is applied with the commit's syncs of the rollback
# journal and the database only, traced by strace. With the default cache
# the journal was synced at every spill, 4 more times here (more in a
# batch that changes more pages). The replica then equals the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
command -v strace >/dev/null || fail "strace is missing (ci/install-deps.sh installs it)"

sql "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, note TEXT);
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)
	INSERT INTO t SELECT i, 'name ' || i, printf('%.60c', 'x') FROM n;"
core_config
cdc triggers install
cdc load
rep=$T/replica.db
cdc apply --to "sqlite:$rep"
sql "UPDATE t SET name = name || ' changed', note = upper(note)"
cdc run

# LeakSanitizer cannot run under ptrace: the ASan pass checks leaks in the
# untraced commands.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -y -o "$T/apply.trace" -e trace=fsync,fdatasync \
	"$CDCPACK" apply --to "sqlite:$rep" >"$T/apply.out" 2>"$T/apply.err" ||
	fail "traced apply failed: $(cat "$T/apply.err")"
assert_contains "$T/apply.out" "applied 1 batch(es)"
syncs() { grep -cE "^[0-9]+ +(fsync|fdatasync)\([0-9]+<$1>" "$T/apply.trace" || true; }
# The commit of a rollback journal: the journal synced, its folder, the
# journal again (its header), then the database.
assert_eq 2 "$(syncs "$rep-journal")" "syncs of the replica's journal for one batch"
assert_eq 1 "$(syncs "$rep")" "syncs of the replica for one batch"

cdc verify --against "sqlite:$rep"
check_replica_equals_source "$rep"
