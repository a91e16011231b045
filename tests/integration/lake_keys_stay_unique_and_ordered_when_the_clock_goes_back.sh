#!/usr/bin/env bash
# Change file names (and so lake keys) carry the batch's time to the
# millisecond; two batches of a chain never share one, and a later batch
# never gets an earlier one (issue 13). The previous batch is recorded as
# made in the future (as if the clock was set back since, or the next
# batch came within the same millisecond): the next batch is made 1 ms
# after it, so its change file sorts after the previous one's and the lake
# merge keeps the order of the changes.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a');"
core_config '[lake]' 'prefix = dms/'
cdc triggers install
cdc load
sql "UPDATE t SET v = 'b' WHERE id = 1;"
cdc run
sqlite3 "$STATE_DIR/state.db" "UPDATE batches SET created = '2099-12-31T23:59:59.999Z' WHERE seq = 2"
sql "UPDATE t SET v = 'c' WHERE id = 1;"
cdc run
[[ -f $BUCKET/dms/src/t/21000101-000000000.csv ]] ||
	fail "the batch after one made at 2099-12-31T23:59:59.999Z is not made 1 ms later: $(find "$BUCKET/dms" -type f)"
assert_eq 'U,1,c' "$(cat "$BUCKET/dms/src/t/21000101-000000000.csv")" "the last change object"
assert_eq 'U,1,b' "$(ls "$BUCKET/dms/src/t" | grep '^2' | LC_ALL=C sort | head -n 1 | sed "s|^|$BUCKET/dms/src/t/|" | xargs cat)" \
	"the first change object in name order"
