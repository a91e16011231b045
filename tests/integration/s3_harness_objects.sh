#!/usr/bin/env bash
# The S3 test server stores what S3 would: keys with ".", "..", "//", "~",
# "+", "%", spaces and UTF-8 come back as sent and never leave the bucket's
# directory; listings are in UTF-8 byte order and page correctly; user
# metadata survives PUT, copy and multipart; a PUT above the 64 MiB the front
# keeps in memory goes through its spool file; temporary credentials need
# their token; a wrong region or a skewed clock is refused.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_reset
B=$CDCPACK_TEST_S3_BUCKET
P=$S3_PREFIX

# --- awkward keys, written by the AWS CLI (which sends "/./" and ".." raw)
# and by curl (key encoded whole, "/" as %2F), listed by the AWS CLI
keys=("$P/a/./b" "$P/a/../c" "$P/d//e" "$P/f~/g" "$P/sp ace+plus=eq&amp%25" "$P/ü/€" "$P/z/../../../escape" "$P/dir/")
enc() { jq -rn --arg k "$1" '$k | @uri'; }
i=0
for k in "${keys[@]}"; do
	printf 'object %d\n' "$i" >"obj$i"
	if ((i == 1 || i == 4)); then
		assert_status 0 aws_s3api put-object --bucket "$B" --key "$k" --body "obj$i"
	else
		assert_eq 200 "$(s3_req PUT "$(s3_url "$(enc "$k")")" "obj$i")" "PUT of [$k]"
	fi
	i=$((i + 1))
done
assert_status 0 aws_s3api list-objects-v2 --bucket "$B" --prefix "$P/"
jq -r '.Contents[].Key' last.out >listed.txt
printf '%s\n' "${keys[@]}" | LC_ALL=C sort >expected.txt
diff -u expected.txt listed.txt >&2 || fail "listed keys differ from the keys written (or from byte order)"
i=0
for k in "${keys[@]}"; do
	assert_eq 200 "$(s3_req GET "$(s3_url "$(enc "$k")")")" "GET of [$k]"
	cmp -s "obj$i" "$T/s3.body" || fail "key [$k] returned other bytes"
	i=$((i + 1))
done
# nothing was written outside the bucket's directory
outside=$(find "$CDCPACK_TEST_S3_DATA" -name '*escape*' -not -path "$CDCPACK_TEST_S3_DATA/$B/*")
assert_eq "" "$outside" "files written outside the bucket directory"

# --- pagination: two keys a page, the CLI follows the continuation tokens
assert_status 0 aws_s3api list-objects-v2 --bucket "$B" --prefix "$P/" --page-size 2
jq -r '.Contents[].Key' last.out >paged.txt
diff -u expected.txt paged.txt >&2 || fail "paged listing differs"
pages=$(s3_log | jq -s 'map(select(.op == "Bucket" and (.url | contains("max-keys=2")))) | length')
((pages >= 4)) || fail "a paged listing of ${#keys[@]} keys took $pages requests"

# --- user metadata: multipart upload, copy (COPY directive by default), REPLACE
meta() { # meta KEY: the object's x-amz-meta-* headers, sorted
	assert_eq 200 "$(s3_req HEAD "$(s3_url "$1")" "" -D "$T/head.txt")" "HEAD $1"
	tr -d '\r' <"$T/head.txt" | grep -i '^x-amz-meta-' | LC_ALL=C sort | xargs
}
head -c $((9 << 20)) /dev/urandom >nine.bin
assert_status 0 aws_s3 cp --only-show-errors --metadata xxh128=feed,origin=test nine.bin "s3://$B/$P/nine.bin"
assert_eq 2 "$(s3_log | jq -s 'map(select(.op == "UploadPart")) | length')" "parts of nine.bin"
assert_eq "x-amz-meta-origin: test x-amz-meta-xxh128: feed" "$(meta "$P/nine.bin")" "metadata of a multipart upload"
assert_status 0 aws_s3api copy-object --bucket "$B" --key "$P/nine.copy" --copy-source "$B/$P/nine.bin"
assert_eq "x-amz-meta-origin: test x-amz-meta-xxh128: feed" "$(meta "$P/nine.copy")" "metadata of the copy"
: >empty
assert_eq 200 "$(s3_req PUT "$(s3_url "$P/nine.repl")" empty -H "x-amz-copy-source: $B/$P/nine.bin" \
	-H 'x-amz-metadata-directive: REPLACE' -H 'x-amz-meta-xxh128: beef')" "copy with REPLACE"
assert_eq "x-amz-meta-xxh128: beef" "$(meta "$P/nine.repl")" "metadata of a copy with REPLACE"

# --- one PUT larger than the front keeps in memory
head -c $((70 << 20)) /dev/urandom >big.bin
assert_eq 200 "$(s3_req PUT "$(s3_url "$P/big.bin")" big.bin)" "70 MiB PUT"
assert_eq 200 "$(s3_req GET "$(s3_url "$P/big.bin")")" "70 MiB GET"
cmp -s "$T/s3.body" big.bin || fail "the 70 MiB object came back different"
rm -f big.bin "$T/s3.body"

# --- temporary credentials: the token is required and checked
with_session() {
	env -u AWS_PROFILE AWS_ACCESS_KEY_ID="$CDCPACK_TEST_S3_SESSION_ACCESS_KEY" \
		AWS_SECRET_ACCESS_KEY="$CDCPACK_TEST_S3_SESSION_SECRET_KEY" AWS_SESSION_TOKEN="$1" \
		AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_MAX_ATTEMPTS=1 \
		/usr/bin/aws --endpoint-url "$CDCPACK_TEST_S3_ENDPOINT" --region "$CDCPACK_TEST_S3_REGION" \
		s3api head-object --bucket "$B" --key "$P/nine.bin"
}
assert_status 0 with_session "$CDCPACK_TEST_S3_SESSION_TOKEN"
session_curl() {
	curl -sS -o "$T/s3.body" -w '%{http_code}' --aws-sigv4 "aws:amz:$CDCPACK_TEST_S3_REGION:s3" \
		--user "$CDCPACK_TEST_S3_SESSION_ACCESS_KEY:$CDCPACK_TEST_S3_SESSION_SECRET_KEY" \
		-H "x-amz-content-sha256: $S3_EMPTY_SHA256" "$@" "$(s3_url "$P/obj0")"
}
assert_eq 403 "$(session_curl -H 'x-amz-security-token: wrong-token')" "wrong session token"
assert_contains "$T/s3.body" "<Code>InvalidToken</Code>"
assert_eq 403 "$(session_curl)" "temporary key without its token"
assert_contains "$T/s3.body" "<Code>InvalidToken</Code>"

# --- a credential scope for another region; a skewed server clock
status=$(curl -sS -o body.xml -w '%{http_code}' --aws-sigv4 "aws:amz:eu-west-1:s3" \
	--user "$CDCPACK_TEST_S3_ACCESS_KEY:$CDCPACK_TEST_S3_SECRET_KEY" \
	-H "x-amz-content-sha256: $S3_EMPTY_SHA256" "$(s3_url "$P/nine.bin")")
assert_eq 400 "$status" "request signed for eu-west-1"
assert_contains body.xml "<Code>AuthorizationHeaderMalformed</Code>"
s3_mode '{"clock_skew_s": 960}'
assert_eq 403 "$(s3_req GET "$(s3_url "$P/obj0")")" "request 16 minutes behind the server"
assert_contains "$T/s3.body" "<Code>RequestTimeTooSkewed</Code>"
s3_mode '{"clock_skew_s": -840}'
assert_eq 404 "$(s3_req GET "$(s3_url "$P/obj0")")" "request 14 minutes ahead of the server"
echo "ok: objects stored as S3 would"
