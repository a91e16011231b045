# shellcheck shell=bash
# Sourced by the tests of the upload that overlaps compression
# (tests/integration/s3_stream_*.sh, docs/design.md §4 step 5), after
# tests/lib/common.sh and tests/lib/s3.sh and s3_client_setup.
#
#   ss_setup [TARGET LINE...]  the source $T/src.db with tables t and u, its
#                              config (zstd, part_size = 5M,
#                              upload_while_compressing = true and the
#                              lines given), triggers installed, the load published
#   ss_big START               changes enough for several parts of the first
#                              data frame: 24,000 inserts of 1 KiB random BLOBs
#                              into t (ids from START), then 3 into u
#   ss_published_once [SEQ]    every batch in the state is published once;
#                              those from SEQ on (default 1) byte for byte
#                              their staged archive, with
#                              x-amz-meta-xxh128 the archive's XXH3-128; no
#                              temp object, no unfinished multipart upload;
#                              apply brings the replica $T/replica.db up to
#                              date and verify finds it equal
#   ss_uploads                 the unfinished multipart uploads under the prefix

ss_setup() {
	write_config "$T/cdcpack.conf" "sqlite:$T/src.db" "s3://$B/$S3_PREFIX" \
		"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION" \
		"part_size = 5M" "upload_while_compressing = true" "$@"
	export CDCPACK_CONFIG=$T/cdcpack.conf
	sqlite3 "$T/src.db" "CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB);
		CREATE TABLE u(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO u VALUES(0, 'zero');"
	assert_status 0 "$CDCPACK" triggers install
	assert_status 0 "$CDCPACK" load
}

ss_big() {
	sqlite3 "$T/src.db" "WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $1 + 23999)
		INSERT INTO t SELECT i, randomblob(1024) FROM n;
		INSERT INTO u VALUES($1, 'a'), ($1 + 1, 'b'), ($1 + 2, 'c');"
}

ss_uploads() {
	curl -sS "$CDCPACK_TEST_S3_CONTROL/uploads" | jq -c --arg p "$S3_PREFIX/" 'map(select(.key | startswith($p)))'
}

ss_published_once() {
	local from=${1:-1} seq key xxh bytes file n
	assert_eq '[]' "$(ss_uploads)" "unfinished multipart uploads"
	assert_status 0 aws_s3 ls --recursive "s3://$B/$S3_PREFIX/"
	cp last.out "$T/listing.txt"
	assert_not_contains "$T/listing.txt" "_tmp/"
	n=$(sqlite3 "$T/state/state.db" "SELECT count(*) FROM batches")
	assert_eq "$n" "$(grep -c "$S3_PREFIX/cdc/.*\.tar\.zst$" "$T/listing.txt")" \
		"archives in the bucket, one per batch ($(cat "$T/listing.txt"))"
	while read -r seq key xxh bytes file; do
		assert_status 0 aws_s3 cp --only-show-errors "s3://$B/$S3_PREFIX/cdc/$key" "$T/got.tar.zst"
		assert_eq "$bytes" "$(stat -c %s "$T/got.tar.zst")" "size of batch $seq"
		assert_eq "$xxh" "$(xxhsum -H2 "$T/got.tar.zst" | cut -d' ' -f1)" "xxhsum -H2 of batch $seq"
		if [[ -f $T/state/$file ]]; then
			cmp -s "$T/got.tar.zst" "$T/state/$file" || fail "batch $seq is not its staged archive"
		fi
		assert_status 0 aws_s3api head-object --bucket "$B" --key "$S3_PREFIX/cdc/$key"
		assert_eq "$xxh" "$(jq -r .Metadata.xxh128 last.out)" "x-amz-meta-xxh128 of batch $seq"
		assert_status 0 "$CDCPACK" show "$T/got.tar.zst"
	done < <(sqlite3 -separator ' ' "$T/state/state.db" "SELECT seq, key, xxh128, bytes, file FROM batches WHERE seq >= $from ORDER BY seq")
	assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
	assert_status 0 "$CDCPACK" verify --against "sqlite:$T/replica.db"
}
