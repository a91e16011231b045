#!/usr/bin/env bash
# Two cdcpack binaries on the same data, alternating, medians of RUNS: is a
# change no slower on the core paths? A full load, a cdc run of ROWS/10
# updates, an idle run, and a diff of two databases 1% apart, on one
# SQLite table of full-precision random REALs and random hex text.
# Not part of `make bench` (it compares builds, not peers).
#   git worktree add /tmp/old <rev> && make -C /tmp/old bin/cdcpack
#   bash tests/bench/ab_binaries.sh /tmp/old/bin/cdcpack bin/cdcpack 500000 7
set -e
OLD=$(realpath "$1") NEW=$(realpath "$2") ROWS=${3:-500000} RUNS=${4:-7}
W=$(mktemp -d /tmp/cdcpack-ab.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
sqlite3 src.db "PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, city TEXT, amount REAL, note TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < $ROWS)
INSERT INTO t SELECT i, 'name ' || i, 'city ' || (i % 97), (random() / 9223372036854775807.0) * 1000, 'note ' || hex(randomblob(16)) FROM n;" >/dev/null
cp src.db b.db
sqlite3 b.db "UPDATE t SET amount = amount + 1 WHERE id % 100 = 0; DELETE FROM t WHERE id % 1000 = 1;" 
conf() { printf '[source]\nurl = sqlite:%s\nname = s\n[state]\ndir = %s/state\n[target]\nurl = file:%s/bucket\n[batch]\nmax_rows = 100000000\n' "$1" $W $W; }
conf $W/src.db >load.conf
t() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -1; }
declare -A res
for ((r = 0; r < RUNS; r++)); do
	for b in old new; do
		bin=$OLD; [[ $b == new ]] && bin=$NEW
		rm -rf state bucket
		res[$b.load]+="$(t $bin -q -c load.conf load) "
		# cdc run of ROWS/10 updates
		rm -rf state bucket; cp src.db cdc.db; conf $W/cdc.db >cdc.conf
		$bin -q -c cdc.conf triggers install >/dev/null 2>&1; $bin -q -c cdc.conf load >/dev/null 2>&1
		sqlite3 cdc.db "UPDATE t SET amount = amount * 2 WHERE id % 10 = 0"
		res[$b.cdc]+="$(t $bin -q -c cdc.conf run) "
		res[$b.idle]+="$(t $bin -q -c cdc.conf run) "
		res[$b.diff]+="$(/usr/bin/time -f "%e" $bin -q diff sqlite:$W/src.db sqlite:$W/b.db 2>&1 >/dev/null | tail -1) "
	done
done
med() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for k in load cdc idle diff; do
	o=$(echo ${res[old.$k]} | med); n=$(echo ${res[new.$k]} | med)
	printf '%-5s old %6s s  new %6s s  new/old %.2f   (old: %s| new: %s)\n' $k $o $n $(echo "$n / $o" | bc -l) "${res[old.$k]}" "${res[new.$k]}"
done
