#!/usr/bin/env bash
# FINDINGS.md F3 and F4: in a SQLite column of NUMERIC affinity (NUMERIC,
# DECIMAL, DATETIME, BOOLEAN), CSV's "Infinity" came back as the TEXT
# 'Infinity', and a full-precision REAL one ulp off: the digits reached
# SQLite's own text-to-REAL conversion (3.40), which is not correctly
# rounded. Now such columns read numbers with strtod and bind REALs and
# INTEGERs (docs/design.md §5): +-Inf, denormals, -1.0041570691087332e-305
# and random full-precision REALs come back with the same bits, through a
# load and through cdc rows, in csv as in jsonl, next to the same values in
# INTEGER and REAL columns; text SQLite kept as text there ('abc', '1.5x',
# and 'Infinity' and 'NaN', which SQLite does not read as numbers) stays
# text. The replica equals the source by typeof and REAL bits.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

# rows FIRST COUNT: COUNT rows from id FIRST, each value in every column.
rows() {
	python3 - "$SRC_DB" "$1" "$2" <<'PY'
import random, sqlite3, struct, sys
db, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = random.Random(first)
fixed = [float("inf"), float("-inf"), -1.0041570691087332e-305, 5e-324, -2.5e-320, 0.1 + 0.2,
         1.7976931348623157e308, 2.2250738585072014e-308, 12, -7, 2**62, "abc", "1.5x",
         "Infinity", "-Infinity", "NaN", ""]
values = fixed if first == 1 else []
while len(values) < count:
    x = struct.unpack("<d", r.getrandbits(64).to_bytes(8, "little"))[0]
    if x == x and abs(x) != float("inf"):
        values.append(x)
c = sqlite3.connect(db, timeout=30)
c.executemany("INSERT INTO v VALUES (?, ?, ?, ?, ?, ?, ?)",
              [(first + k, x, x, x, x, x, x) for k, x in enumerate(values)])
c.commit()
PY
}

for fmt in csv jsonl; do
	core_use "$T/$fmt"
	core_config '[batch]' "format = $fmt" 'compression = none'
	sql "CREATE TABLE v(id INTEGER PRIMARY KEY, n NUMERIC, d DECIMAL(10,2), dt DATETIME,
	                    bo BOOLEAN, i INTEGER, r REAL);"
	rows 1 200
	cdc triggers install
	cdc load
	rows 1000 200
	sql "UPDATE v SET n = -n, d = -d, dt = -dt, bo = -bo, i = -i, r = -r
	     WHERE id % 3 = 0 AND typeof(n) = 'real';
	     UPDATE v SET n = 9e999, dt = -9e999, bo = 'Infinity' WHERE id IN (1005, 1006);"
	cdc run
	apply_and_compare "$T/$fmt/replica.db"
	sql "SELECT typeof(n), typeof(bo) FROM v WHERE id IN (1, 14) ORDER BY id" >"$T/types"
	assert_lines "$T/types" "Inf and 'Infinity' at the source" "real|real" "text|text"
done
