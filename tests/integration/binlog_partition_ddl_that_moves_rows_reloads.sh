#!/usr/bin/env bash
# mode = binlog: ALTER TABLE specs that change a captured table's rows
# without a row event in the log (the server logs the statement only):
# TRUNCATE PARTITION and DROP PARTITION delete a partition's rows,
# EXCHANGE PARTITION p WITH TABLE b swaps a partition's rows with b's,
# CONVERT PARTITION p TO TABLE b moves them into a new table b, and
# CONVERT TABLE b TO PARTITION p moves b's rows in. Each table the
# statement names (in the source's database) ships whole as a load after
# it, as after a RENAME TABLE swap; a reader that took them for plain DDL
# shipped nothing for the rows they moved, and replicas kept the deleted
# rows (found reading the statement parser, hunt session, Dec 7).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_part)
mysql_exec "$db" "CREATE TABLE sales(id INT PRIMARY KEY, v VARCHAR(20))
  PARTITION BY RANGE (id) (PARTITION p1 VALUES LESS THAN (10),
  PARTITION p2 VALUES LESS THAN (20), PARTITION p3 VALUES LESS THAN (30),
  PARTITION p4 VALUES LESS THAN (40), PARTITION p5 VALUES LESS THAN (50));
CREATE TABLE swap(id INT PRIMARY KEY, v VARCHAR(20));
INSERT INTO sales VALUES (1, 'a'), (11, 'b'), (12, 'c'), (21, 'd'), (31, 'e'), (41, 'f');
INSERT INTO swap VALUES (35, 'swapped in'), (36, 'swapped in')"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
export CDCPACK_CONFIG=$T/cdcpack.conf
rep=$(mysql_fresh_db binlog_part_rep)
assert_status 0 "$CDCPACK" run
binlog_same "before the partition statements" "$rep"

for stmt in "ALTER TABLE sales TRUNCATE PARTITION p2" \
	"ALTER TABLE sales DROP PARTITION p3" \
	"ALTER TABLE sales EXCHANGE PARTITION p4 WITH TABLE swap" \
	"ALTER TABLE \`$db\`.sales CONVERT PARTITION p5 TO TABLE gone" \
	"ALTER TABLE sales CONVERT TABLE gone TO PARTITION p5 VALUES LESS THAN (50)"; do
	mysql_exec "$db" "INSERT INTO sales VALUES (2, 'before'); $stmt;
	UPDATE sales SET v = 'after' WHERE id = 1; DELETE FROM sales WHERE id = 2"
	binlog_until_idle
	binlog_same "after $stmt" "$rep"
done
echo ok
