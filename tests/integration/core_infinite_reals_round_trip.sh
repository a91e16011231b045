#!/usr/bin/env bash
# +Inf and -Inf are REAL values SQLite stores (9e999, -9e999). They survive
# load and cdc in csv and in jsonl: the replica holds the same REAL bits,
# never a NULL in their place (docs/design.md §7: bad input never loses data).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

for fmt in csv jsonl; do
	core_use "$T/$fmt"
	core_config '[batch]' "format = $fmt"
	sql "CREATE TABLE f(id INTEGER PRIMARY KEY, r REAL, u);
	     INSERT INTO f VALUES(1, 9e999, -9e999), (2, -9e999, 9e999), (3, 1.5, NULL);"
	cdc triggers install
	cdc load
	sql "INSERT INTO f VALUES(11, 9e999, -9e999), (12, -9e999, 9e999);
	     UPDATE f SET r = -r, u = 9e999 WHERE id IN (3, 1);"
	cdc run
	apply_and_compare "$T/$fmt/replica.db"
done
