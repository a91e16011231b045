#!/usr/bin/env bash
# A lake key never changes content (issue 13): an object of other bytes at
# the key a batch's file needs stops the run with exit 3 naming the key,
# after the archive is published and before the batch is acknowledged; the
# object is left as it was. Once it is moved away, the next run finishes
# the batch (its lake objects, then the acknowledgement) and every lake
# object holds the archive's bytes.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

sql "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');"
core_config '[lake]' 'prefix = dms/'
cdc triggers install
mkdir -p "$BUCKET/dms/src/t"
echo 'not cdcpack' >"$BUCKET/dms/src/t/LOAD00000001.csv"
cdc_status 3 --json load
assert_contains "$T/last.err" "dms/src/t/LOAD00000001.csv holds 12 bytes"
assert_contains "$T/last.err" "a published key never changes content"
assert_eq 'not cdcpack' "$(cat "$BUCKET/dms/src/t/LOAD00000001.csv")" "the foreign object"
assert_eq 1 "$(published_count)" "archives published"
cdc --json status
assert_eq '1 0' "$(jq -r '"\(.batches.published) \(.batches.acked)"' "$T/last.out")" "batches published, acknowledged"

rm "$BUCKET/dms/src/t/LOAD00000001.csv"
sql "INSERT INTO t VALUES (3, 'c');"
cdc --json run
assert_eq 1 "$(jq .recovered "$T/last.out")" "batches the run recovered"
mkdir "$T/u"
for a in $(published); do tar -xf "$a" -C "$T/u"; done
cmp -s "$T/u/t/LOAD00000001.csv" "$BUCKET/dms/src/t/LOAD00000001.csv" || fail "the load object is not the archive's file"
cdc_file=$(cd "$T/u/t" && ls 2*.csv)
cmp -s "$T/u/t/$cdc_file" "$BUCKET/dms/src/t/$cdc_file" || fail "the change object is not the archive's file"
assert_eq 'I,3,c' "$(cat "$BUCKET/dms/src/t/$cdc_file")" "the change object"
