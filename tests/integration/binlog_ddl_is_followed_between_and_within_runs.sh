#!/usr/bin/env bash
# mode = binlog follows DDL of captured tables, with several tables
# captured: ADD, RENAME and DROP COLUMN between runs ship the changed table
# as a load at a new snapshot while the other tables' changes logged
# meanwhile still ship as changes, each once (the changed table's own
# events before that snapshot are skipped: the load carries them); DDL that
# keeps the columns (CREATE INDEX, ALTER ... ADD INDEX) among changes of
# one run ends a batch before it and is passed by the next read; 'cdcpack
# load TABLE' of one table works the same way. Replicas equal the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"
source "$ROOT/tests/lib/binlog.sh"

db=$(mysql_fresh_db binlog_ddl)
mysql_exec "$db" "CREATE TABLE people(id INT PRIMARY KEY, name VARCHAR(40));
CREATE TABLE pets(id INT PRIMARY KEY, name VARCHAR(40));
INSERT INTO people VALUES (1, 'one'); INSERT INTO pets VALUES (1, 'rex');"
binlog_user "$db"
write_config "$T/cdcpack.conf" "$url" "file:$T/bucket" '[capture]' 'mode = binlog'
export CDCPACK_CONFIG=$T/cdcpack.conf
rep=$(mysql_fresh_db binlog_ddl_rep)
same() { # same WHAT: both replicas, after apply, hold the source's rows
	assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
	assert_status 0 "$CDCPACK" verify --against "sqlite:$T/replica.db"
	assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$rep")"
	assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$rep")"
}
kinds() { # kinds: the kinds of the batches the last --json run published
	jq -r '[.published[].kind] | join(" ")' "$T/last.out"
}
assert_status 0 "$CDCPACK" run

# Within one run's changes: DDL that keeps the columns.
mysql_exec "$db" "INSERT INTO people VALUES (2, 'two'); CREATE INDEX by_name ON people(name);
INSERT INTO people VALUES (3, 'three'); INSERT INTO pets VALUES (2, 'tom');
ALTER TABLE pets ADD INDEX pet_name(name); UPDATE pets SET name = 'TOM' WHERE id = 2"
assert_status 0 "$CDCPACK" --json run
assert_eq cdc "$(kinds)" "a batch up to the CREATE INDEX"
for i in 1 2 3; do assert_status 0 "$CDCPACK" --json run; done
assert_eq "" "$(kinds)" "idle after the DDL was passed"
printf '%s\n' 'I,2,two' 'I,3,three' >want.csv
binlog_cdc_rows "$T/bucket" people >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "people around CREATE INDEX (< expected, > published)"; }
printf '%s\n' 'I,2,tom' 'U,2,TOM' >want.csv
binlog_cdc_rows "$T/bucket" pets >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "pets around ADD INDEX (< expected, > published)"; }
same "after index DDL"

# Between runs: columns added, renamed, dropped, with the other table's
# changes before and after each.
step=0
for ddl in "ADD COLUMN city VARCHAR(20) DEFAULT 'Oslo'" "RENAME COLUMN city TO town" "DROP COLUMN name"; do
	step=$((step + 1))
	mysql_exec "$db" "INSERT INTO pets VALUES ($((10 + step)), 'before $step');
	UPDATE people SET id = id WHERE id = 1; INSERT INTO people (id) VALUES ($((10 + step)));
	ALTER TABLE people $ddl;
	INSERT INTO people (id) VALUES ($((20 + step))); INSERT INTO pets VALUES ($((20 + step)), 'after $step')"
	assert_status 0 "$CDCPACK" --json run
	assert_eq "load cdc" "$(kinds)" "$ddl: people as a load, then the changes"
	assert_status 0 "$CDCPACK" --json run
	assert_eq "" "$(kinds)" "$ddl: idle after"
	same "after $ddl"
done
printf '%s\n' 'I,2,tom' 'U,2,TOM' 'I,11,before 1' 'I,21,after 1' 'I,12,before 2' 'I,22,after 2' \
	'I,13,before 3' 'I,23,after 3' >want.csv
binlog_cdc_rows "$T/bucket" pets >got.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "pets across people's DDL (< expected, > published)"; }
# people's changes after the last load: none (its rows came in the loads).
assert_eq "4" "$(find "$T/bucket" -name '*.tar.zst' -exec tar -tf {} \; | grep -c '^people/LOAD')" \
	"people loaded by the first run and after each column change"

# One table loaded on request: the other's changes meanwhile still ship.
mysql_exec "$db" "INSERT INTO pets VALUES (30, 'before the load'); INSERT INTO people VALUES (30, 'Rome')"
assert_status 0 "$CDCPACK" load people
mysql_exec "$db" "INSERT INTO pets VALUES (31, 'after the load'); INSERT INTO people VALUES (31, 'Pisa')"
assert_status 0 "$CDCPACK" --json run
binlog_cdc_rows "$T/bucket" pets | tail -2 >got.csv
printf '%s\n' 'I,30,before the load' 'I,31,after the load' >want.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "pets across 'load people'"; }
binlog_cdc_rows "$T/bucket" people >got.csv
printf '%s\n' 'I,2,two' 'I,3,three' 'I,31,Pisa' >want.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "people: 30 in the load, 31 after it (< expected, > published)"; }
same "after load people"

# Tables created, renamed and dropped between runs (the config captures
# every table): one new to the chain ships as a load, the others' changes
# logged meanwhile as changes.
mysql_exec "$db" "INSERT INTO pets VALUES (40, 'before the renames');
CREATE TABLE toys(id INT PRIMARY KEY, name VARCHAR(20)); INSERT INTO toys VALUES (1, 'ball');
RENAME TABLE people TO folks; INSERT INTO folks VALUES (41, 'Bonn'); UPDATE toys SET name = 'BALL';
INSERT INTO pets VALUES (41, 'after the renames')"
assert_status 0 "$CDCPACK" --json run
assert_eq "load cdc" "$(kinds)" "folks and toys as a load, then the changes"
assert_contains "$T/last.err" "table folks is new to the chain"
assert_contains "$T/last.err" "table people is no longer captured"
binlog_cdc_rows "$T/bucket" pets | tail -2 >got.csv
printf '%s\n' 'I,40,before the renames' 'I,41,after the renames' >want.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "pets across the renames"; }
mysql_exec "$db" "UPDATE toys SET name = 'red ball'; DROP TABLE toys; INSERT INTO folks VALUES (42, 'Gent')"
assert_status 0 "$CDCPACK" --json run
assert_eq "cdc" "$(kinds)" "after DROP TABLE"
binlog_cdc_rows "$T/bucket" folks >got.csv
printf '%s\n' 'I,42,Gent' >want.csv
cmp -s want.csv got.csv || { diff want.csv got.csv >&2; fail "folks after its load"; }
# A table dropped before the run ships nothing more (README "Schema
# changes"): its UPDATE before the DROP neither.
assert_eq "" "$(binlog_cdc_rows "$T/bucket" toys)" "toys' changes (its rows came in the load)"
for r in "sqlite:$T/replica.db" "$(mysql_url "$rep")"; do
	assert_status 0 "$CDCPACK" apply --to "$r"
done
mysql_exec "$rep" "DROP TABLE people, toys"
sqlite3 "$T/replica.db" "DROP TABLE people; DROP TABLE toys"
for r in "sqlite:$T/replica.db" "$(mysql_url "$rep")"; do
	assert_status 0 "$CDCPACK" verify --against "$r"
done
echo ok
