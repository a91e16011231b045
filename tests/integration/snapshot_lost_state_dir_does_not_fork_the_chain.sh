#!/usr/bin/env bash
# Snapshot mode has no changelog, so no owner record to tell a lost state
# dir: the bucket's batches must (check_fresh_state). A fresh state dir
# whose target already holds the source's batches is refused (exit 3,
# naming what the target holds and the way out) and publishes nothing: a
# second chain at batch 1 beside the first would stop every consumer.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/snapshot.sh"

persons_db "$SRC_DB"
snapshot_config
cdc run
sql "UPDATE Persons SET City = 'One' WHERE PersonID = 1"
cdc run
assert_eq 2 "$(published_count)" "published before the state dir is lost"

rm -rf "$STATE_DIR"
sleep 1 # a new batch key would differ from the old ones by its time too
sql "UPDATE Persons SET City = 'Two' WHERE PersonID = 2"
cdc_status 3 run
assert_contains "$T/last.err" "the state dir has no batch, but"
assert_contains "$T/last.err" "already holds 2 published batch(es) of source"
assert_contains "$T/last.err" "README: Recovery"
assert_eq 2 "$(published_count)" "published after the refused run"
snapshot_check_chain
