# Sourced by tests/bench/bench_*.sh. Each measurement runs the same command
# BENCH_RUNS times (default 3) and reports the median wall time and the
# largest peak RSS. Rows go to $BENCH_OUT as TSV:
#   name <tab> cdcpack_s <tab> peer <tab> peer_s <tab> ratio <tab> cdcpack_rss_kib <tab> peer_rss_kib <tab> goal
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CDCPACK=${CDCPACK_BIN:-$ROOT/bin/cdcpack}
BENCH_ROWS=${BENCH_ROWS:-1000000}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_OUT=${BENCH_OUT:-/dev/stdout}
W=${BENCH_DIR:-$(mktemp -d /tmp/cdcpack-bench.XXXXXX)}

# measure SETUP CMD: runs SETUP (untimed) then CMD, BENCH_RUNS times.
# Sets MEDIAN (seconds), CPU_MEDIAN (user + sys seconds: the figure that
# means something on a loaded machine) and RSS (KiB, the largest seen).
measure() {
	local setup=$1 cmd=$2 times=() cpus=() rss=0 i t r u s
	for ((i = 0; i < BENCH_RUNS; i++)); do
		bash -c "$setup" >/dev/null 2>&1
		# pipefail: a peer pipeline whose dump fails must not pass for a fast one.
		/usr/bin/time -f '%e %M %U %S' -o "$W/time.out" bash -o pipefail -c "$cmd" >/dev/null 2>"$W/err.out" ||
			{ cat "$W/err.out" >&2; echo "bench command failed: $cmd" >&2; return 1; }
		read -r t r u s <"$W/time.out"
		times+=("$t")
		cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')")
		((r > rss)) && rss=$r
	done
	MEDIAN=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	CPU_MEDIAN=$(printf '%s\n' "${cpus[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	RSS=$rss
}

# row NAME OURS_S PEER_NAME PEER_S OURS_RSS PEER_RSS GOAL
row() {
	local ratio
	ratio=$(awk -v a="$2" -v b="$4" 'BEGIN { printf (b > 0 ? "%.2f" : "n/a"), (b > 0 ? a / b : 0) }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$ratio" "$5" "$6" "$7" >>"$BENCH_OUT"
}

# make_table DB ROWS: t(id INTEGER PRIMARY KEY, name TEXT, city TEXT, amount REAL, note TEXT)
make_table() {
	sqlite3 "$1" "PRAGMA journal_mode=WAL;
	  CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, city TEXT, amount REAL, note TEXT);
	  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
	  INSERT INTO t SELECT i, 'name ' || i, 'city ' || (i % 97), i * 1.25,
	    CASE WHEN i % 10 = 0 THEN NULL ELSE 'note, with \"quotes\" ' || i END FROM n;" >/dev/null
}

# make_real_table DB ROWS: the random-REAL table of issue 16,
# t(id INTEGER PRIMARY KEY, name TEXT, city TEXT, amount REAL, note TEXT, day TEXT):
# amount is random.random() * 1000, a full-precision double whose shortest
# spelling takes 15-17 digits (not a short decimal), note 0-40 random
# characters, day an ISO date. Seeded: every invocation holds the same rows.
make_real_table() {
	python3 - "$1" "$2" <<'PY'
import datetime, random, sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(16)
alpha = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,-'\""
base = datetime.date(2015, 1, 1)
days = [(base + datetime.timedelta(d)).isoformat() for d in range(4000)]
con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode=WAL")
con.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, city TEXT, amount REAL, note TEXT, day TEXT)")
def rows():
    for i in range(1, n + 1):
        yield (i, f"name {i}", f"city {i % 97}", rnd.random() * 1000,
               "".join(rnd.choices(alpha, k=rnd.randrange(41))), rnd.choice(days))
con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", rows())
con.commit()
con.close()
PY
}

# make_text_table DB ROWS: a text-heavy table,
# t(id INTEGER PRIMARY KEY, title TEXT, body TEXT, tags TEXT, payload BLOB):
# body 100-2,000 characters of prose-like text (sentences from a pool of
# 40,000, larger than zstd -3's window, with commas, quotes and newlines),
# payload a 256-2,048-byte random BLOB on every tenth row, NULL elsewhere.
# Seeded: every invocation holds the same rows.
make_text_table() {
	python3 - "$1" "$2" <<'PY'
import itertools, random, sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(1616)
syl = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "de", "ba", "po", "gi", "fu", "ze", "an", "or", "el", "is"]
vocab = ["".join(rnd.choices(syl, k=rnd.randint(1, 4))) for _ in range(3000)]
cum = list(itertools.accumulate(1.0 / (r + 1) for r in range(len(vocab))))
def sentence():
    words = rnd.choices(vocab, cum_weights=cum, k=rnd.randint(4, 16))
    words[0] = words[0].capitalize()
    if rnd.random() < 0.3:
        words[rnd.randrange(len(words) - 1)] += ","
    if rnd.random() < 0.1:
        k = rnd.randrange(len(words))
        words[k] = '"' + words[k] + '"'
    return " ".join(words) + rnd.choice([". ", ". ", ". ", "? ", ".\n"])
pool = [sentence() for _ in range(40000)]
con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode=WAL")
con.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, title TEXT, body TEXT, tags TEXT, payload BLOB)")
def rows():
    for i in range(1, n + 1):
        want = rnd.randint(100, 2000)
        body, size = [], 0
        while size < want:
            s = rnd.choice(pool)
            body.append(s)
            size += len(s)
        body = "".join(body)[:want]
        tags = ",".join(rnd.choices(vocab[:200], k=rnd.randint(0, 5)))
        blob = rnd.randbytes(rnd.randint(256, 2048)) if i % 10 == 0 else None
        yield (i, rnd.choice(pool).strip()[:80], body, tags, blob)
con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", rows())
con.commit()
con.close()
PY
}

median() {
	printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# pair NAME PEER GOAL SETUP OURS PEER_CMD [PEER_SETUP]: runs ours and the
# peer in turn, BENCH_RUNS times, so that the load of a shared machine
# drifting during the run weighs on both alike; reports the medians and the
# largest RSS as one row. SETUP runs (untimed) before each of ours, PEER_SETUP
# (default: nothing) before each of the peer's.
pair() {
	local name=$1 peer=$2 goal=$3 setup=$4 ours_cmd=$5 peer_cmd=$6 peer_setup=${7:-true}
	local runs=$BENCH_RUNS i ours=() theirs=() ours_rss=0 peer_rss=0
	for ((i = 0; i < runs; i++)); do
		BENCH_RUNS=1 measure "$setup" "$ours_cmd"
		ours+=("$MEDIAN")
		((RSS > ours_rss)) && ours_rss=$RSS
		BENCH_RUNS=1 measure "$peer_setup" "$peer_cmd"
		theirs+=("$MEDIAN")
		((RSS > peer_rss)) && peer_rss=$RSS
	done
	row "$name" "$(median "${ours[@]}")" "$peer" "$(median "${theirs[@]}")" "$ours_rss" \
		"$peer_rss" "$goal"
}

bench_config() { # bench_config FILE SOURCE_URL TARGET_URL [extra lines]
	local f=$1 s=$2 t=$3
	shift 3
	{
		printf '[source]\nurl = %s\n[state]\ndir = %s\n[target]\nurl = %s\n' "$s" "$W/state" "$t"
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$f"
}

# bench_mariadb: starts a MariaDB server of this script's own (stopped, and
# $W removed, on exit), every commit synced as on a production server, and
# exports its settings (tests/lib/service-mariadb.sh) and cdcpack's
# passwords: its cdc user serves every role.
bench_mariadb() {
	export CDCPACK_TEST_MYSQL_DURABLE=1
	mkdir -p "$W/run" && bash "$ROOT/tests/lib/service-mariadb.sh" start "$W/run" >"$W/db.log" 2>&1 || { cat "$W/db.log" >&2; exit 1; }
	trap 'bash "$ROOT/tests/lib/service-mariadb.sh" stop "$W/run" >/dev/null 2>&1; rm -rf "$W"' EXIT
	source "$W/run/mariadb.env"
	export CDCPACK_SOURCE_PASSWORD=$CDCPACK_TEST_MYSQL_PASSWORD
	export CDCPACK_REPLICA_PASSWORD=$CDCPACK_TEST_MYSQL_PASSWORD
	export CDCPACK_A_PASSWORD=$CDCPACK_TEST_MYSQL_PASSWORD CDCPACK_B_PASSWORD=$CDCPACK_TEST_MYSQL_PASSWORD
}

# mysql_txn_inserts N: SQL for cdc_bench.t(id, name, city, amount, note) of
# rows 1..N in transactions of 1,000 rows, one multi-row INSERT each.
mysql_txn_inserts() {
	python3 - "$1" <<'PY'
import sys
n = int(sys.argv[1])
out = ["USE cdc_bench;"]
for start in range(1, n + 1, 1000):
    rows = ",".join(f"({i},'name {i}','city {i % 97}',{i * 1.25},'note {i}')"
                    for i in range(start, min(start + 1000, n + 1)))
    out.append(f"BEGIN; INSERT INTO t VALUES {rows}; COMMIT;")
print("\n".join(out))
PY
}
