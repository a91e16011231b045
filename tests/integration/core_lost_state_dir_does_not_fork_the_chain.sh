#!/usr/bin/env bash
# Batches form one numbered chain per source (docs/design.md §1). If the state
# dir is lost (a fresh container, a wiped disk) while the bucket keeps the
# published batches, the next run must not start a second chain at batch 1
# beside the first: it either refuses (exit 3, nothing published) or
# continues the chain; either way every consumer can still apply it.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
sql "UPDATE Persons SET City = 'One' WHERE PersonID = 1"
cdc run
assert_eq 2 "$(published_count)" "published before the state dir is lost"

rm -rf "$STATE_DIR"
sleep 1 # a new batch key would differ from the old ones by its time too
sql "UPDATE Persons SET City = 'Two' WHERE PersonID = 2"
got=0
"$CDCPACK" run >"$T/run.out" 2>"$T/run.err" || got=$?
case $got in
3) assert_eq 2 "$(published_count)" "published after a run that refused" ;;
0) check_chain ;;
*) fail "run after losing the state dir exited $got: $(cat "$T/run.err")" ;;
esac
cdc apply --to "sqlite:$T/replica.db"
