#!/usr/bin/env bash
# Publishing to S3: a small load batch goes up in one PutObject, a cdc batch
# of more than three part sizes goes up in parts; only final keys stay in the
# bucket, the AWS CLI downloads bytes whose xxh128 is the one in the state and
# in x-amz-meta-xxh128, every request passed the reference SigV4 check, and
# apply from S3 rebuilds a replica equal to the source.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup
write_config "$T/cdcpack.conf" "sqlite:$T/shop.db" "s3://$B/$S3_PREFIX" \
	"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION" \
	"part_size = 5M" '[batch]' 'compression = none'
export CDCPACK_CONFIG=$T/cdcpack.conf

sqlite3 shop.db "CREATE TABLE Persons(PersonID INTEGER PRIMARY KEY, FullName TEXT, City TEXT);
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 101)
	INSERT INTO Persons SELECT i, 'Person ' || i, 'City ' || (i % 7) FROM n;"
assert_status 0 "$CDCPACK" triggers install
assert_status 0 "$CDCPACK" load
# ~120 000 rows of 128 random hex digits: an uncompressed archive of 16+ MiB
sqlite3 shop.db "WITH RECURSIVE n(i) AS (SELECT 1000 UNION ALL SELECT i + 1 FROM n WHERE i < 121000)
	INSERT INTO Persons SELECT i, hex(randomblob(64)), 'Bulk' FROM n;"
assert_status 0 "$CDCPACK" run

# the state holds keys without the final prefix (cdc/ by default)
sqlite3 -separator ' ' state/state.db "SELECT 'cdc/' || key, xxh128, bytes FROM batches ORDER BY seq" >batches.txt
assert_eq 2 "$(wc -l <batches.txt)" "batches in the state"
big=$(sed -n 2p batches.txt | cut -d' ' -f3)
((big > 15 * 1024 * 1024)) || fail "the cdc archive is $big bytes, expected more than 3 parts of 5 MiB"

s3_log >requests.log
count() { jq -s "map(select($1)) | length" requests.log; }
assert_eq 0 "$(count '.sig_ok != true')" "requests whose signature the reference signer refused"
assert_eq 0 "$(count '.status >= 500 or .status == 0')" "failed requests"
assert_eq 1 "$(count '.op == "PutObject" and (.key | test("_tmp/.*\\.tar$"))')" "single PUTs of archives"
assert_eq 1 "$(count '.op == "CreateMultipartUpload"')" "multipart uploads started"
parts=$(count '.op == "UploadPart" and .status == 200')
((parts >= 4)) || fail "expected at least 4 UploadPart requests, saw $parts"
assert_eq 1 "$(count '.op == "CompleteMultipartUpload" and .status == 200')" "multipart uploads completed"
assert_eq 0 "$(count '.headers | index("transfer-encoding") != null')" "chunked requests"
assert_eq 0 "$(count '(.op == "PutObject" or .op == "UploadPart") and .content_length == null')" \
	"uploads without Content-Length"
assert_eq '[]' "$(curl -sS "$CDCPACK_TEST_S3_CONTROL/uploads" | jq -c --arg p "$S3_PREFIX/" 'map(select(.key | startswith($p)))')" "unfinished multipart uploads"

# Only the final keys (and the chain's claim of the source name) are left;
# the AWS CLI reads back what the state says.
assert_status 0 aws_s3 ls --recursive "s3://$B/$S3_PREFIX/"
cp last.out listing.txt
assert_eq 3 "$(wc -l <listing.txt)" "objects under the prefix ($(cat listing.txt))"
assert_contains listing.txt "$S3_PREFIX/_cdcpack/claims/cdc/shop.json"
assert_not_contains listing.txt "_tmp/"
while read -r key xxh bytes; do
	assert_contains listing.txt " $S3_PREFIX/$key"
	assert_status 0 aws_s3 cp --only-show-errors "s3://$B/$S3_PREFIX/$key" got.tar
	assert_eq "$bytes" "$(stat -c %s got.tar)" "size of $key"
	assert_eq "$xxh" "$(xxhsum -H2 got.tar | cut -d' ' -f1)" "xxhsum -H2 of $key"
	assert_status 0 aws_s3api head-object --bucket "$B" --key "$S3_PREFIX/$key"
	assert_eq "$xxh" "$(jq -r .Metadata.xxh128 last.out)" "x-amz-meta-xxh128 of $key"
	assert_status 0 "$CDCPACK" show "$key"
done <batches.txt

assert_status 0 "$CDCPACK" ls
assert_eq 2 "$(grep -c '\.tar' last.out)" "batches listed by cdcpack ls"
assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_status 0 "$CDCPACK" verify --against "sqlite:$T/replica.db"
assert_eq "$(sqlite_dump_tables shop.db)" "$(sqlite_dump_tables replica.db)" "replica tables"
