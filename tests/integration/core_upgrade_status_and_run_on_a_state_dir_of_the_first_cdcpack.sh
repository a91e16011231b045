#!/usr/bin/env bash
# The first cdcpack (2026-11-29) kept a state dir without a chain id (meta
# held only the source's name), without batches.generation, shipped_columns
# or lake_loads, and made no owner record beside the changelog. After an
# upgrade in place, `status` reads such a state dir as it is (read-only: it
# adds nothing, and says there is no chain yet) instead of crashing on the
# missing chain id, and the next `run` migrates it and ships what the old
# build left pending, once: the staged batch it never published, then the
# changes logged since.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE a(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO a VALUES (1, 'one'), (2, 'two');"
core_config
cdc triggers install
cdc load
sql "INSERT INTO a VALUES (3, 'three');"
cdc run
sql "UPDATE a SET v = 'uno' WHERE id = 1;"
crashed after-stage
sql "DELETE FROM a WHERE id = 2;"

# The state dir, source and target as the first cdcpack left them (its
# state.db schema, verbatim; the rows this one recorded, generation and all
# else that build did not keep dropped; no owner record, no claim).
sqlite3 "$STATE_DIR/state.db" "BEGIN;
	CREATE TEMP TABLE b AS SELECT seq, id, kind, state, created, key, file, bytes, xxh128,
	  rows, first_seq, last_seq, published_at, acked_at FROM batches;
	DROP TABLE batches; DROP TABLE shipped_columns; DROP TABLE lake_loads;
	CREATE TABLE batches( seq INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, state INTEGER NOT NULL, created TEXT NOT NULL, key TEXT NOT NULL, file TEXT NOT NULL, bytes INTEGER NOT NULL, xxh128 TEXT NOT NULL, rows INTEGER NOT NULL, first_seq INTEGER, last_seq INTEGER, published_at TEXT, acked_at TEXT);
	INSERT INTO batches SELECT * FROM b;
	DELETE FROM meta WHERE k <> 'source';
	COMMIT;"
sql "DROP TABLE cdcpack_changelog_owner;"
rm -r "$BUCKET/_cdcpack"
sqlite3 "$STATE_DIR/state.db" .schema >"$T/old.schema"

cdc status
assert_contains "$T/last.out" "chain: none yet"
assert_contains "$T/last.out" "staged"
cdc --json status
assert_eq "null 1 2" "$(jq -r '"\(.chain) \(.batches.staged) \(.pending)"' "$T/last.out")" \
	"status --json: chain, staged batches, pending changes"
sqlite3 "$STATE_DIR/state.db" .schema >"$T/after.schema"
assert_same_file "$T/old.schema" "$T/after.schema" "the old state dir's schema after status"

cdc run
check_cdc_rows "the old build's staged batch, then the change logged after it, each once" \
	'I,3,three' 'U,1,uno' 'D,2,two'
check_chain
cdc --json status
assert_eq "0 0" "$(jq -r '"\(.batches.staged) \(.pending)"' "$T/last.out")" "status after the run"
[[ $(jq -r .chain "$T/last.out") =~ ^[0-9a-f]{32}$ ]] || fail "no chain id after the run: $(jq -c .chain "$T/last.out")"
# (No apply here: the batches this test's setup published name the chain id
# dropped above, which the first cdcpack's never did.)
