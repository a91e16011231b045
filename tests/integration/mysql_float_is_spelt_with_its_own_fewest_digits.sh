#!/usr/bin/env bash
# A MySQL FLOAT is single precision: 1.1 stored is the float nearest 1.1,
# which widened to a double is 1.100000023841858. cdcpack spells it with the
# float's own fewest digits (1.1) in csv and jsonl, load and cdc, in both
# capture modes; replicas get that value (a MariaDB FLOAT the same float),
# and verify agrees.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/mysql.sh"

for mode in trigger snapshot; do
	for format in csv jsonl; do
		db=$(mysql_fresh_db "float_${mode}_$format")
		replica=$(mysql_fresh_db "float_${mode}_${format}_r")
		mysql_exec "$db" "CREATE TABLE t (id int PRIMARY KEY, f float, d double);
			INSERT INTO t VALUES (1, 1.1, 1.1), (2, 3.4e38, 5e-324), (3, 2.5, 0.1)"
		write_config "$T/$mode$format.conf" "$(mysql_url "$db")" "file:$T/bucket-$mode-$format" \
			'[capture]' "mode = $mode" '[batch]' "format = $format"
		sed -i "s|^dir = .*|dir = $T/state-$mode-$format|" "$T/$mode$format.conf"
		export CDCPACK_CONFIG=$T/$mode$format.conf
		if [[ $mode == trigger ]]; then
			assert_status 0 "$CDCPACK" triggers install
			assert_status 0 "$CDCPACK" load
		else
			assert_status 0 "$CDCPACK" run
		fi
		mysql_exec "$db" "INSERT INTO t VALUES (4, 0.3, 0.3)"
		assert_status 0 "$CDCPACK" run
		all=$(find "$T/bucket-$mode-$format/cdc" -type f | sort | while read -r a; do
			tar -xOf "$a" --exclude manifest.json
			echo
		done)
		for v in 1.1 3.4e+38 2.5 0.3 5e-324 0.1; do
			grep -q -- "[,:]$v[,}]\|[,:]$v\$" <<<"$all" || fail "$mode $format: $v not in the archives: $all"
		done
		[[ $all != *1.100000023841858* && $all != *0.30000001192092896* ]] ||
			fail "$mode $format: a FLOAT spelt as its widened double: $all"
		assert_status 0 "$CDCPACK" apply --to "$(mysql_url "$replica")"
		floats() { mysql_exec "$1" "SELECT id, CAST(f AS DOUBLE), d FROM t ORDER BY id"; }
		assert_eq "$(floats "$db")" "$(floats "$replica")" "$mode $format: MariaDB replica (the same floats)"
		assert_status 0 "$CDCPACK" verify --against "$(mysql_url "$replica")"
		assert_status 0 "$CDCPACK" apply --to "sqlite:$T/$mode$format.db"
		assert_eq "1.1" "$(sqlite3 "$T/$mode$format.db" "SELECT f FROM t WHERE id = 1")" "$mode $format: SQLite replica"
		assert_status 0 "$CDCPACK" verify --against "sqlite:$T/$mode$format.db"
	done
done
