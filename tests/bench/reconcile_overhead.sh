#!/usr/bin/env bash
# What keeping reconcile's published state costs a trigger-mode run: one cdc
# run of N inserts (a REAL, hex text, a BLOB) with [capture] reconcile off,
# then manual, alternating, RUNS times each; prints user, sys and wall
# seconds per run. Not part of `make bench`.
#   bash tests/bench/reconcile_overhead.sh bin/cdcpack 100000 3
set -e
B=$(realpath "$1") N=${2:-100000} RUNS=${3:-3}
one() {
	local mode=$1 d
	d=$(mktemp -d /tmp/cdcpack-rcb.XXXXXX)
	(
		cd "$d"
		sqlite3 src.db "CREATE TABLE t(id INTEGER PRIMARY KEY, a REAL, b TEXT, c BLOB);"
		printf '[source]\nurl = sqlite:src.db\n[state]\ndir = %s/state\n[target]\nurl = file:%s/bucket\n[capture]\nreconcile = %s\n[batch]\nmax_rows = 100000000\n' \
			"$d" "$d" "$mode" >c.conf
		"$B" -q -c c.conf triggers install >/dev/null 2>&1
		"$B" -q -c c.conf load >/dev/null 2>&1
		sqlite3 src.db "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < $N)
			INSERT INTO t SELECT i, random() / 7.0, hex(randomblob(40)), randomblob(20) FROM n;"
		echo "$mode $(/usr/bin/time -f '%U %S %e' "$B" -q -c c.conf run 2>&1 >/dev/null | tail -1)"
	)
	rm -rf "$d"
}
for ((r = 0; r < RUNS; r++)); do
	one off
	one manual
done
