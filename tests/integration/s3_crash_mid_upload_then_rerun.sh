#!/usr/bin/env bash
# Killed in the middle of a multipart upload (CDCPACK_FAULT=crash:mid-upload,
# after the first part), after the upload and after the publish: each rerun
# carries the batch forward (aborting the multipart upload the killed run left)
# and the bucket ends with every batch once, no temp objects, no unfinished
# uploads, and a replica equal to the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup
write_config "$T/cdcpack.conf" "sqlite:$T/shop.db" "s3://$B/$S3_PREFIX" \
	"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION" \
	"part_size = 5M" '[batch]' 'compression = none'
export CDCPACK_CONFIG=$T/cdcpack.conf
sqlite3 shop.db "CREATE TABLE Persons(id INTEGER PRIMARY KEY, name TEXT);"
assert_status 0 "$CDCPACK" triggers install

next=1
for point in mid-upload after-upload after-publish; do
	# big enough for several parts, so mid-upload falls between parts
	sqlite3 shop.db "WITH RECURSIVE n(i) AS (SELECT $next UNION ALL SELECT i + 1 FROM n WHERE i < $next + 49999)
		INSERT INTO Persons SELECT i, hex(randomblob(64)) FROM n;"
	next=$((next + 50000))
	CDCPACK_FAULT=crash:$point assert_status 137 "$CDCPACK" run
	assert_status 0 "$CDCPACK" run
	assert_contains last.err "recovering batch"
	if [[ $point == mid-upload ]]; then
		assert_contains last.err "left by an earlier attempt"
	fi
done
assert_eq '[]' "$(curl -sS "$CDCPACK_TEST_S3_CONTROL/uploads" | jq -c --arg p "$S3_PREFIX/" 'map(select(.key | startswith($p)))')" \
	"unfinished multipart uploads"

s3_log >requests.log
assert_eq 0 "$(jq -s 'map(select(.sig_ok != true)) | length' requests.log)" "refused requests"
assert_status 0 aws_s3 ls --recursive "s3://$B/$S3_PREFIX/"
cp last.out listing.txt
assert_eq 3 "$(grep -c "$S3_PREFIX/cdc/" listing.txt)" "archives in the bucket ($(cat listing.txt))"
assert_eq 4 "$(wc -l <listing.txt)" "objects in the bucket: the archives and the claim ($(cat listing.txt))"
assert_not_contains listing.txt "_tmp/"
assert_eq "50000 50000 50000" \
	"$(sqlite3 state/state.db 'SELECT group_concat(rows, " ") FROM (SELECT rows FROM batches ORDER BY seq)')" \
	"rows per batch"
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_status 0 "$CDCPACK" verify --against "sqlite:$T/replica.db"
