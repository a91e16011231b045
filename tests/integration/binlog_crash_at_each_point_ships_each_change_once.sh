#!/usr/bin/env bash
# mode = binlog, exactly once by position: the first run's load killed once
# staged is recovered with its snapshot's position; a run killed at each
# fault point (after-stage and after-upload among them) is followed by runs that ship
# each change once, in commit order, the killed batch's included; the
# replica then equals the source. A captured table's new columns ship as a
# load; a DDL that leaves them (CREATE INDEX) is passed.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_crash)
mysql_exec "$db" "CREATE TABLE people(id INT PRIMARY KEY, name VARCHAR(40));
CREATE TABLE other(id INT PRIMARY KEY);
INSERT INTO people VALUES (1, 'loaded');"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog' 'tables = people'
export CDCPACK_CONFIG=$T/cdcpack.conf
# The first run's load, killed once staged, is recovered with its position.
got=0
{ CDCPACK_FAULT=crash:after-stage "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err"; } 2>/dev/null || got=$?
((got == 137)) || fail "first run crashing after-stage exited $got: $(cat "$T/crash.err")"
mysql_exec "$db" "INSERT INTO people VALUES (2, 'after the load')"
assert_status 0 "$CDCPACK" --json run
assert_eq 1 "$(jq '.recovered' "$T/last.out")" "the load recovered"
loads=0
for a in $(find "$T/bucket" -name '*.tar.zst'); do
	tar -tf "$a" | grep -q LOAD && loads=$((loads + 1))
done
assert_eq 1 "$loads" "one load published, no second one"

want=("I,2,after the load")
n=10
for point in after-capture after-stage mid-upload after-upload after-publish mid-ack after-ack; do
	n=$((n + 1))
	mysql_exec "$db" "INSERT INTO people VALUES ($n, '$point'); INSERT INTO other VALUES ($n)"
	want+=("I,$n,$point")
	got=0
	{ CDCPACK_FAULT=crash:$point "$CDCPACK" run >"$T/crash.out" 2>"$T/crash.err"; } 2>/dev/null || got=$?
	((got == 137)) || fail "run crashing at $point exited $got: $(cat "$T/crash.err")"
	mysql_exec "$db" "UPDATE people SET name = 'after $point' WHERE id = $n"
	want+=("U,$n,after $point")
	assert_status 0 "$CDCPACK" run
done
assert_status 0 "$CDCPACK" --json run
assert_eq 0 "$(jq '.batches + .recovered' "$T/last.out")" "idle at the end"
printf '%s\n' "${want[@]}" >want.csv
binlog_cdc_rows "$T/bucket" people >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "people changes (< expected, > published)"; }
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_status 0 "$CDCPACK" verify --against "sqlite:$T/replica.db"

# DDL of another table is not ours. A captured table's new columns ship
# as a load (the pipeline's drift check) at a new snapshot and position.
mysql_exec "$db" "ALTER TABLE other ADD COLUMN x INT; INSERT INTO people VALUES (90, 'before the alter')"
assert_status 0 "$CDCPACK" run
mysql_exec "$db" "ALTER TABLE people ADD COLUMN city VARCHAR(20); INSERT INTO people VALUES (91, 'after', 'Oslo')"
assert_status 0 "$CDCPACK" --json run
assert_eq load "$(jq -r '.published[0].kind' "$T/last.out")" "the table with new columns ships as a load"
mysql_exec "$db" "UPDATE people SET city = 'Bergen' WHERE id = 91"
assert_status 0 "$CDCPACK" run
# DDL that leaves the columns as they are: the batch ends before it, the
# next run passes it (binlog_ddl_is_followed_between_and_within_runs).
mysql_exec "$db" "INSERT INTO people VALUES (92, 'before the index', NULL); CREATE INDEX by_name ON people(name); INSERT INTO people VALUES (93, 'after the index', NULL)"
assert_status 0 "$CDCPACK" run
assert_status 0 "$CDCPACK" run
assert_status 0 "$CDCPACK" load
binlog_cdc_rows "$T/bucket" people >got.csv
grep -q '^I,90,before the alter$' got.csv || fail "the change before the ALTER was not shipped"
grep -q '^U,91,after,Bergen$' got.csv || fail "the change after the drift load was not shipped"
grep -q '^I,92,before the index,$' got.csv || fail "the change before the CREATE INDEX was not shipped"
grep -q '^I,93,after the index,$' got.csv || fail "the change after the CREATE INDEX was not shipped"
echo ok
