#!/usr/bin/env bash
# An S3 failure that exits 3 says what and where (README "Exit codes"): the
# request, the object as s3://BUCKET/KEY and the endpoint host it went to,
# whichever of several buckets or endpoints a user runs, and never a
# credential or a signed query string. One fault per S3 request a command
# makes: the claim's read, an upload, its check (HEAD), the publish (copy),
# a listing, a download; in the text log and in --json's error.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_client_setup
host=${CDCPACK_TEST_S3_ENDPOINT#*://}
host=${host%%/*}
write_config "$T/cdcpack.conf" "sqlite:$T/shop.db" "s3://$B/$S3_PREFIX" \
	"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION" "max_retries = 1" \
	'[batch]' 'compression = none'
export CDCPACK_CONFIG=$T/cdcpack.conf
sqlite3 shop.db "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a');"
assert_status 0 "$CDCPACK" triggers install

# fails CASE VERB FAULT CMD...: with FAULT the only rule, CMD exits 3 and its
# ERROR line (and --json's error) names VERB s3://BUCKET/PREFIX/... at the
# endpoint's host; no secret or signature anywhere in stderr.
fails() {
	local case=$1 verb=$2 fault=$3 line
	shift 3
	echo "case: $case"
	s3_faults "[$fault]"
	assert_status 3 "$CDCPACK" "$@"
	line=$(grep -a ' ERROR ' last.err) || fail "$case: no ERROR line: $(cat last.err)"
	[[ $line == *" ERROR $verb s3://$B/$S3_PREFIX/"*" at $host: "* ]] ||
		fail "$case: the error does not name $verb s3://$B/$S3_PREFIX/... at $host: $line"
	echo "  ${line#* ERROR }"
	cp last.err text.err
	assert_status 3 "$CDCPACK" --json "$@"
	jq -e --arg want "$verb s3://$B/$S3_PREFIX/" --arg host " at $host: " \
		'.error | startswith($want) and contains($host)' last.out >/dev/null ||
		fail "$case: --json error: $(cat last.out)"
	for f in text.err last.err last.out; do
		assert_not_contains "$f" "$CDCPACK_TEST_S3_SECRET_KEY"
		if grep -aiE 'signature|credential=|x-amz-' "$f" >&2; then
			fail "$case: $f holds a signature or signed header (above)"
		fi
	done
	s3_reset
}

fails "the claim's read" download '{"method": ["HEAD", "GET"], "path": "_cdcpack/claims/", "action": "503"}' load
fails "an upload" upload '{"method": "PUT", "path": "/_tmp/.*tar", "copy_source": false, "action": "error",
	"status": 400, "code": "InvalidArgument", "message": "injected"}' load
fails "the upload's check" head '{"method": "HEAD", "path": "/_tmp/", "action": "500"}' load
fails "the publish" publish '{"method": "PUT", "copy_source": true, "action": "error", "status": 403,
	"code": "AccessDenied", "message": "injected"}' load
assert_status 0 "$CDCPACK" load
fails "a listing" list '{"method": "GET", "query": "list-type=2", "action": "500"}' ls
fails "a download" download '{"method": "GET", "path": "/cdc/.*tar", "action": "500"}' \
	apply --to "sqlite:$T/replica.db"
echo "ok"
