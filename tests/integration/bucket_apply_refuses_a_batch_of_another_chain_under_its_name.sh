#!/usr/bin/env bash
# Batch ids and "previous" look alike in two chains under one source name:
# a batch of another chain (another database given the same name, published
# before the name was claimed, or copied in by hand) chains onto ours as if it
# were the next one. Every manifest names the chain that wrote it, the target's
# claim names the chain owning the name, and apply refuses (exit 3, the replica
# keeps only our batches) a batch of another chain, with or without a claim;
# `show` prints the chain.
source "$(dirname "$0")/../lib/common.sh"

for d in a b; do
	mkdir "$d"
	sqlite3 "$d/app.db" "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, '$d');"
	write_config "$d/c.conf" "sqlite:$T/$d/app.db" "file:$T/$d/bucket"
	sed -i "s|^dir = .*|dir = $T/$d/state|" "$d/c.conf"
	assert_status 0 "$CDCPACK" -c "$d/c.conf" triggers install
	assert_status 0 "$CDCPACK" -c "$d/c.conf" load
	sqlite3 "$d/app.db" "INSERT INTO t VALUES (2, '$d')"
	assert_status 0 "$CDCPACK" -c "$d/c.conf" run
done
chain_a=$(sqlite3 a/state/state.db "SELECT v FROM meta WHERE k = 'chain'")
chain_b=$(sqlite3 b/state/state.db "SELECT v FROM meta WHERE k = 'chain'")
[[ $chain_a != "$chain_b" ]] || fail "two state dirs made one chain id"
a2=$(find a/bucket/cdc -name 'app-00000002-*')
b2=$(find b/bucket/cdc -name 'app-00000002-*')
assert_status 0 "$CDCPACK" -c a/c.conf --json show "$a2"
assert_eq "$chain_a" "$(jq -r .manifest.batch.chain last.out)" "chain in a's manifest"
/usr/bin/python3 "$ROOT/tests/lib/validate_json.py" "$ROOT/schemas/report.schema.json" last.out ||
	fail "show's report does not match the schema"

# b's batch 2 takes the place of a's at a's target
rm "$a2"
cp "$b2" "$(dirname "$a2")/"
for claim in kept removed; do
	[[ $claim == kept ]] || rm a/bucket/_cdcpack/claims/cdc/app.json
	rm -f "replica-$claim.db"
	assert_status 3 "$CDCPACK" -c a/c.conf apply --to "sqlite:$T/replica-$claim.db"
	assert_contains last.err "batch of chain $chain_b, but source 'app' at file:$T/a/bucket is chain $chain_a"
	assert_contains last.err "nothing of it was applied"
	assert_eq "1|a" "$(sqlite3 "replica-$claim.db" 'SELECT * FROM t ORDER BY id')" \
		"replica after the refusal (claim $claim)"
done
