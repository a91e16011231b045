#!/usr/bin/env bash
# MySQL fires no trigger for rows changed by a foreign-key cascade, nor for
# TRUNCATE: `triggers install` and `triggers status` name the child tables
# of ON DELETE/UPDATE CASCADE or SET NULL keys and the TRUNCATE blind spot,
# and leave alone a table whose foreign key restricts.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

db=$(mysql_fresh_db cascade)
mysql_exec "$db" "
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, pid int,
  CONSTRAINT child_parent FOREIGN KEY (pid) REFERENCES parent (id) ON DELETE CASCADE);
CREATE TABLE nullable (id int PRIMARY KEY, pid int,
  CONSTRAINT nullable_parent FOREIGN KEY (pid) REFERENCES parent (id) ON UPDATE SET NULL);
CREATE TABLE strict_child (id int PRIMARY KEY, pid int,
  CONSTRAINT strict_parent FOREIGN KEY (pid) REFERENCES parent (id));"
write_config "$T/cdcpack.conf" "$(mysql_url "$db")" "file:$T/bucket"
export CDCPACK_CONFIG=$T/cdcpack.conf

assert_status 0 "$CDCPACK" triggers install
grep 'child_parent' "$T/last.err" | grep -q 'ON DELETE CASCADE' ||
	fail "install did not warn about child_parent: $(cat "$T/last.err")"
assert_contains "$T/last.err" "nullable_parent"
assert_contains "$T/last.err" "TRUNCATE"
assert_not_contains "$T/last.err" "strict_parent"

assert_status 0 "$CDCPACK" triggers status
assert_contains "$T/last.out" "foreign key child_parent references parent with ON DELETE CASCADE"
assert_contains "$T/last.out" "ON UPDATE SET NULL"
assert_contains "$T/last.out" "not captured"
assert_not_contains "$T/last.out" "strict_parent"
assert_eq 4 "$(grep -c 'TRUNCATE' "$T/last.out")" "TRUNCATE warnings (one per table)"

# The blind spot is real: the cascade deletes a child row without a trace.
mysql_exec "$db" "INSERT INTO parent VALUES (1); INSERT INTO child VALUES (10, 1);
	DELETE FROM cdcpack_changelog; DELETE FROM parent WHERE id = 1"
assert_eq "0" "$(mysql_exec "$db" "SELECT COUNT(*) FROM cdcpack_changelog WHERE tbl = 'child'")" \
	"changelog rows of the cascaded delete"
