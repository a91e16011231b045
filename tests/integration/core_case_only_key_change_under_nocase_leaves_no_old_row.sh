#!/usr/bin/env bash
# A key column whose collation calls two spellings the same key (NOCASE:
# 'Ab' and 'AB'; RTRIM: 'a' and 'a ') or whose IS calls two values equal
# (1 and 1.0 in a column without affinity, trigger mode): an UPDATE between
# them changes the key's bytes or type, and replicas compare bytes. It ships
# as D(old) + I(new), never as one U keyed by the new spelling, so no
# replica keeps the old row: trigger and snapshot mode, into a SQLite and a
# MariaDB replica. (Snapshot mode compares values canonically, 1 = 1.0, and
# ships nothing for 1 -> 1.0.)
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"

schema="CREATE TABLE n(k TEXT PRIMARY KEY COLLATE NOCASE, v INT);
	CREATE TABLE r(k TEXT COLLATE RTRIM NOT NULL PRIMARY KEY, v INT) WITHOUT ROWID;
	CREATE TABLE c(a TEXT COLLATE NOCASE NOT NULL, b INT NOT NULL, v TEXT, PRIMARY KEY(a, b));
	CREATE TABLE u(k PRIMARY KEY, v TEXT);
	INSERT INTO n VALUES('Ab', 1), ('cd', 2), ('x', 3);
	INSERT INTO r VALUES('a', 1), ('b ', 2);
	INSERT INTO c VALUES('p', 1, 'one'), ('q', 2, 'two');
	INSERT INTO u VALUES(1, 'int'), ('t', 'text');"
changes="UPDATE n SET k = 'AB' WHERE k = 'Ab';
	UPDATE n SET k = 'CD', v = 20 WHERE k = 'cd';
	UPDATE n SET v = 30 WHERE k = 'X';
	UPDATE r SET k = 'a ' WHERE k = 'a';
	UPDATE r SET k = 'b' WHERE k = 'b ';
	UPDATE c SET a = 'P' WHERE a = 'p';"

# expect_rows MODE TABLE LINE...: the table's rows in batch 2 (both modes
# ship the same D + I; trigger mode keeps change order, snapshot mode key order).
expect_rows() {
	local mode=$1 table=$2 archive
	shift 2
	archive=$(published | sed -n 2p)
	[[ -n $archive ]] || fail "$mode: no second batch"
	tar -xOf "$archive" --wildcards "$table/*" >"$T/got.csv"
	[[ $mode == snapshot ]] && LC_ALL=C sort -o "$T/got.csv" "$T/got.csv"
	assert_lines "$T/got.csv" "$mode: the changes of $table" "$@"
}

for mode in trigger snapshot; do
	core_use "$T/$mode"
	sql "$schema"
	core_start_capture $mode
	myrep=$(mysql_fresh_db "nocase_$mode")
	cdc apply --to "sqlite:$T/$mode/replica.db"
	cdc apply --to "$(mysql_url "$myrep")"
	sql "$changes"
	[[ $mode == snapshot ]] || sql "UPDATE u SET k = 1.0 WHERE k = 1"
	cdc run

	if [[ $mode == trigger ]]; then
		expect_rows $mode n 'D,Ab,1' 'I,AB,1' 'D,cd,2' 'I,CD,20' 'U,x,30'
		expect_rows $mode r 'D,a,1' 'I,a ,1' 'D,b ,2' 'I,b,2'
		expect_rows $mode c 'D,p,1,one' 'I,P,1,one'
		expect_rows $mode u 'D,1,int' 'I,1.0,int'
	else # a D carries the key only; U of x sorts by its bytes
		expect_rows $mode n 'D,Ab,' 'D,cd,' 'I,AB,1' 'I,CD,20' 'U,x,30'
		expect_rows $mode r 'D,a,' 'D,b ,' 'I,a ,1' 'I,b,2'
		expect_rows $mode c 'D,p,1,' 'I,P,1,one'
	fi

	cdc apply --to "sqlite:$T/$mode/replica.db"
	check_replica_equals_source "$T/$mode/replica.db"
	cdc verify --against "sqlite:$T/$mode/replica.db"

	cdc apply --to "$(mysql_url "$myrep")"
	assert_eq "$(printf '4142\t1\n4344\t20\n78\t30')" \
		"$(mysql_exec "$myrep" 'SELECT HEX(k), v FROM n ORDER BY HEX(k)')" "$mode: MariaDB replica n"
	assert_eq "$(printf '6120\t1\n62\t2')" \
		"$(mysql_exec "$myrep" 'SELECT HEX(k), v FROM r ORDER BY HEX(k)')" "$mode: MariaDB replica r"
	assert_eq "$(printf '50\t1\tone\n71\t2\ttwo')" \
		"$(mysql_exec "$myrep" 'SELECT HEX(a), b, v FROM c ORDER BY HEX(a)')" "$mode: MariaDB replica c"
	cdc diff --table n --table r --table c "sqlite:$SRC_DB" "$(mysql_url "$myrep")"
done
