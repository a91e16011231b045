#!/usr/bin/env bash
# A cdc batch that does not fit the replica's tables makes apply look
# ahead, through the later batches, for a load of each such table (design
# §6). The look-ahead fetches each later batch once, whatever the number of
# tables asking, and apply fetches it once more to apply it: with three
# tables changed by hand in the replica and four cdc batches before their
# load, each archive is fetched at most twice (it was fetched once per
# table and once to apply: four times), and the replica then equals the
# source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
source "$ROOT/tests/lib/core.sh"
s3_client_setup
write_config "$T/cdcpack.conf" "sqlite:$T/src.db" "s3://$B/$S3_PREFIX" \
	"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION"
export CDCPACK_CONFIG=$T/cdcpack.conf
SRC_DB=$T/src.db
sqlite3 src.db "CREATE TABLE a(id INTEGER PRIMARY KEY, x TEXT); CREATE TABLE b(id INTEGER PRIMARY KEY, x TEXT);
	CREATE TABLE c(id INTEGER PRIMARY KEY, x TEXT); INSERT INTO a VALUES (1, 'a'); INSERT INTO b VALUES (1, 'b');
	INSERT INTO c VALUES (1, 'c');"
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"

# The replica's tables changed by hand: the cdc batches no longer fit them.
sqlite3 replica.db "ALTER TABLE a RENAME COLUMN x TO here; ALTER TABLE b RENAME COLUMN x TO here;
	ALTER TABLE c RENAME COLUMN x TO here;"
for i in 2 3 4 5; do
	sqlite3 src.db "INSERT INTO a VALUES ($i, 'a$i'); INSERT INTO b VALUES ($i, 'b$i'); INSERT INTO c VALUES ($i, 'c$i');"
	assert_status 0 "$CDCPACK" run
done
assert_status 0 "$CDCPACK" load a b c

s3_reset
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_contains last.out "applied 5 batch(es)"
s3_log >apply.log
assert_eq 5 "$(jq -s --arg p "$S3_PREFIX/cdc/" 'map(select(.key // "" | startswith($p)) | .key) | unique | length' apply.log)" \
	"archives fetched"
assert_eq '[]' "$(jq -sc --arg p "$S3_PREFIX/cdc/" 'map(select(.key // "" | startswith($p))) | group_by(.key) |
	map(select(length > 2) | {key: .[0].key, gets: length})' apply.log)" "archives fetched more than twice"
assert_eq 0 "$(jq -s 'map(select(.status != 200)) | length' apply.log)" "answers other than 200"
assert_status 0 "$CDCPACK" verify --against "sqlite:$T/replica.db"
check_replica_equals_source "$T/replica.db"
