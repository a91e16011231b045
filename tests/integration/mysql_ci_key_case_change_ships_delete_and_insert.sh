#!/usr/bin/env bash
# A MariaDB key column under a case-insensitive collation: an UPDATE that
# changes only the key's letter case ('Ab' -> 'AB'), or only its trailing
# spaces under PAD SPACE ('c' -> 'c '), is one key to the source but new
# bytes to a replica. It ships as D(old) + I(new), in trigger and snapshot
# mode, and both replicas (SQLite, MariaDB) end with the source's rows and
# no old spelling. Under a NO PAD case-insensitive collation the source
# holds 'a' and 'a ' as two keys; a MariaDB replica keeps them apart too.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/mysql.sh"

for mode in trigger snapshot; do
	mkdir -p "$T/$mode" && cd "$T/$mode"
	db=$(mysql_fresh_db "ci_$mode")
	mysql_exec "$db" "
	CREATE TABLE ci(k varchar(20) COLLATE utf8mb4_general_ci NOT NULL PRIMARY KEY, v int);
	CREATE TABLE np(k varchar(20) COLLATE utf8mb4_general_nopad_ci NOT NULL PRIMARY KEY, v int);
	INSERT INTO ci VALUES ('Ab', 1), ('c', 2), ('x', 3);
	INSERT INTO np VALUES ('a', 1), ('a ', 2), ('b', 3);"
	write_config "$T/$mode/cdcpack.conf" "$(mysql_url "$db")" "file:$T/$mode/bucket" \
		'[capture]' "mode = $mode"
	sed -i "s|^dir = .*|dir = $T/$mode/state|" "$T/$mode/cdcpack.conf"
	export CDCPACK_CONFIG=$T/$mode/cdcpack.conf
	if [[ $mode == trigger ]]; then
		cdc triggers install
		cdc load
	else
		cdc run
	fi
	myrep=$(mysql_fresh_db "ci_${mode}_rep")
	cdc apply --to "sqlite:$T/$mode/replica.db"
	cdc apply --to "$(mysql_url "$myrep")"
	mysql_exec "$db" "UPDATE ci SET k = 'AB' WHERE k = 'Ab';
	UPDATE ci SET k = 'c ' WHERE k = 'c';
	UPDATE ci SET v = 30 WHERE k = 'X';
	UPDATE np SET k = 'A ' WHERE k = 'a ';
	UPDATE np SET k = 'B', v = 4 WHERE k = 'b';"
	cdc run

	archive=$(find "$T/$mode/bucket" -name '*-00000002-*')
	[[ -n $archive ]] || fail "$mode: no second batch"
	tar -xOf "$archive" --wildcards 'ci/*' | LC_ALL=C sort >"$T/ci.csv"
	tar -xOf "$archive" --wildcards 'np/*' | LC_ALL=C sort >"$T/np.csv"
	if [[ $mode == trigger ]]; then
		assert_lines "$T/ci.csv" "$mode: ci changes" 'D,Ab,1' 'D,c,2' 'I,AB,1' 'I,c ,2' 'U,x,30'
		assert_lines "$T/np.csv" "$mode: np changes" 'D,a ,2' 'D,b,3' 'I,A ,2' 'I,B,4'
	else
		assert_lines "$T/ci.csv" "$mode: ci changes" 'D,Ab,' 'D,c,' 'I,AB,1' 'I,c ,2' 'U,x,30'
		assert_lines "$T/np.csv" "$mode: np changes" 'D,a ,' 'D,b,' 'I,A ,2' 'I,B,4'
	fi

	want_ci=$(printf '4142\t1\n6320\t2\n78\t30')
	want_np=$(printf '4120\t2\n42\t4\n61\t1')
	cdc apply --to "sqlite:$T/$mode/replica.db"
	assert_eq "$want_ci" "$(sqlite3 -separator $'\t' "$T/$mode/replica.db" \
		'SELECT hex(k), v FROM ci ORDER BY hex(k)')" "$mode: SQLite replica ci"
	assert_eq "$want_np" "$(sqlite3 -separator $'\t' "$T/$mode/replica.db" \
		'SELECT hex(k), v FROM np ORDER BY hex(k)')" "$mode: SQLite replica np"
	cdc verify --against "sqlite:$T/$mode/replica.db"

	cdc apply --to "$(mysql_url "$myrep")"
	assert_eq "$want_ci" "$(mysql_exec "$myrep" 'SELECT HEX(k), v FROM ci ORDER BY HEX(k)')" \
		"$mode: MariaDB replica ci"
	assert_eq "$want_np" "$(mysql_exec "$myrep" 'SELECT HEX(k), v FROM np ORDER BY HEX(k)')" \
		"$mode: MariaDB replica np"
	cdc verify --against "$(mysql_url "$myrep")"
done
