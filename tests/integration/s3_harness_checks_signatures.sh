#!/usr/bin/env bash
# The S3 test server checks every request's SigV4 signature: the AWS CLI (an
# independent signer) round-trips bytes through it, single PUT and multipart;
# a wrong secret, an unknown key, a signature replayed on another path or with
# another date, and a request without x-amz-content-sha256 are all refused;
# virtual-hosted requests are verified too; the log records every request.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_reset
B=$CDCPACK_TEST_S3_BUCKET
P=$S3_PREFIX

xxh() { xxhsum -H2 "$1" | cut -d' ' -f1; }
last_log() { s3_log | tail -n 1 >"$T/last.json"; jq -r "$1" "$T/last.json"; }

# --- AWS CLI round trip: a single PUT and a 3-part multipart upload
head -c 3000000 /dev/urandom >small.bin
head -c $((20 << 20)) /dev/urandom >multi.bin
assert_status 0 aws_s3 cp --only-show-errors small.bin "s3://$B/$P/small.bin"
assert_status 0 aws_s3 cp --only-show-errors multi.bin "s3://$B/$P/multi.bin"
assert_status 0 aws_s3 ls "s3://$B/$P/"
assert_contains last.out " 3000000 small.bin"
assert_contains last.out " 20971520 multi.bin"
assert_status 0 aws_s3 cp --only-show-errors "s3://$B/$P/small.bin" small.back
assert_status 0 aws_s3 cp --only-show-errors "s3://$B/$P/multi.bin" multi.back
assert_eq "$(xxh small.bin)" "$(xxh small.back)" "xxh128 of small.bin downloaded"
assert_eq "$(xxh multi.bin)" "$(xxh multi.back)" "xxh128 of multi.bin downloaded"

s3_log >ok.log
assert_eq 0 "$(jq -s 'map(select(.sig_ok != true or .status >= 400)) | length' ok.log)" \
	"requests that were not verified or failed (ok.log: $(cat ok.log))"
assert_eq 1 "$(jq -s 'map(select(.op == "PutObject")) | length' ok.log)" "PutObject requests"
assert_eq 3 "$(jq -s 'map(select(.op == "UploadPart")) | length' ok.log)" "UploadPart requests"
assert_eq 1 "$(jq -s 'map(select(.op == "CompleteMultipartUpload")) | length' ok.log)" "CompleteMultipartUpload requests"
assert_eq 3000000 "$(jq -s 'map(select(.op == "PutObject"))[0].content_length' ok.log)" "logged Content-Length of the PUT"
assert_eq true "$(jq -s 'map(select(.op == "PutObject"))[0].headers | index("x-amz-content-sha256") != null' ok.log)" \
	"x-amz-content-sha256 among the logged header names"

# --- wrong secret: refused, nothing stored
if AWS_TEST_SECRET_KEY='wrong/Secret+0123456789abcdefghijklmnopq' \
	aws_s3api put-object --bucket "$B" --key "$P/bad.bin" --body small.bin >bad.out 2>bad.err; then
	fail "a PUT signed with a wrong secret was accepted"
fi
assert_contains bad.err SignatureDoesNotMatch
assert_eq 403 "$(last_log .status)" "status of the badly signed PUT"
assert_eq false "$(last_log .sig_ok)" "sig_ok of the badly signed PUT"
assert_eq 404 "$(s3_req HEAD "$(s3_url "$P/bad.bin")")" "HEAD of the object the bad PUT named"

# --- unknown access key
status=$(curl -sS -o body.xml -w '%{http_code}' --aws-sigv4 "aws:amz:$CDCPACK_TEST_S3_REGION:s3" \
	--user "AKIANOSUCHKEY0000000:$CDCPACK_TEST_S3_SECRET_KEY" \
	-H "x-amz-content-sha256: $S3_EMPTY_SHA256" "$(s3_url "$P/small.bin")")
assert_eq 403 "$status" "unknown access key"
assert_contains body.xml "<Code>InvalidAccessKeyId</Code>"

# --- a valid signature replayed: accepted as is, refused on another path or date
s3_curl -v -o replay0.bin -H "x-amz-content-sha256: $S3_EMPTY_SHA256" "$(s3_url "$P/small.bin")" 2>trace.txt
auth=$(tr -d '\r' <trace.txt | grep -i '^> Authorization: ' | cut -d' ' -f3-)
date=$(tr -d '\r' <trace.txt | grep -i '^> x-amz-date: ' | cut -d' ' -f3)
[[ $auth == AWS4-HMAC-SHA256* && $date =~ ^[0-9]{8}T[0-9]{6}Z$ ]] || fail "no signed headers in curl's trace: $(cat trace.txt)"
replay() { # replay URL DATE: prints the status
	curl -sS -o replay.xml -w '%{http_code}' -H "Authorization: $auth" -H "x-amz-date: $2" \
		-H "x-amz-content-sha256: $S3_EMPTY_SHA256" "$1"
}
assert_eq 200 "$(replay "$(s3_url "$P/small.bin")" "$date")" "the signed request replayed unchanged"
cmp -s replay.xml small.bin || fail "replayed GET did not return small.bin"
assert_eq 403 "$(replay "$(s3_url "$P/multi.bin")" "$date")" "the signature replayed on another key"
assert_contains replay.xml "<Code>SignatureDoesNotMatch</Code>"
assert_contains replay.xml "<CanonicalRequest>GET"
other_date=$(date -u -d "@$(($(date -u -d "${date:0:8} ${date:9:2}:${date:11:2}:${date:13:2}" +%s) + 1))" +%Y%m%dT%H%M%SZ)
assert_eq 403 "$(replay "$(s3_url "$P/small.bin")" "$other_date")" "the signature replayed with another x-amz-date"
assert_contains replay.xml "<Code>SignatureDoesNotMatch</Code>"

# --- the query is part of the signature, sorted and with "key=" for empty
# values: curl 7.88 signs "?uploads" and unsorted queries as sent (docs/design.md §8)
: >empty
assert_eq 403 "$(s3_req POST "$(s3_url "$P/mp?uploads")" empty)" "curl-signed valueless ?uploads"
assert_contains "$T/s3.body" "<Code>SignatureDoesNotMatch</Code>"
assert_eq 200 "$(s3_req POST "$(s3_url "$P/mp?uploads=")" empty)" "curl-signed ?uploads="
id=$(sed -n 's/.*<UploadId>\([^<]*\)<\/UploadId>.*/\1/p' "$T/s3.body")
assert_eq 403 "$(s3_req PUT "$(s3_url "$P/mp?uploadId=$id&partNumber=1")" small.bin)" "curl-signed unsorted query"
assert_eq 200 "$(s3_req PUT "$(s3_url "$P/mp?partNumber=1&uploadId=$id")" small.bin)" "curl-signed sorted query"
assert_eq 204 "$(s3_req DELETE "$(s3_url "$P/mp?uploadId=$id")")" "AbortMultipartUpload"

# --- x-amz-content-sha256 is required
status=$(s3_curl -o body.xml -w '%{http_code}' "$(s3_url "$P/small.bin")")
assert_eq 400 "$status" "GET without x-amz-content-sha256"
assert_contains body.xml "<Code>InvalidRequest</Code>"
assert_contains body.xml "x-amz-content-sha256"

# --- virtual-hosted style (curl resolves *.localhost to loopback)
port=${CDCPACK_TEST_S3_ENDPOINT##*:}
assert_eq 200 "$(s3_req GET "http://$B.localhost:$port/$P/small.bin")" "virtual-hosted GET"
cmp -s "$T/s3.body" small.bin || fail "virtual-hosted GET did not return small.bin"
assert_eq true "$(last_log .vhost)" "vhost flag in the log"
assert_eq true "$(last_log .sig_ok)" "sig_ok of the virtual-hosted GET"
assert_eq "$B" "$(last_log .bucket)" "bucket of the virtual-hosted GET"

# --- the log holds every request seen since the reset, with what it needs
s3_log >all.log
assert_eq 0 "$(jq -s 'map(select(.status == null or .method == null or .url == null or .host == null)) | length' all.log)" \
	"log entries missing fields"
assert_eq 5 "$(jq -s 'map(select(.code == "SignatureDoesNotMatch")) | length' all.log)" "SignatureDoesNotMatch entries"
assert_eq 1 "$(jq -s 'map(select(.code == "InvalidAccessKeyId")) | length' all.log)" "InvalidAccessKeyId entries"
assert_eq 1 "$(jq -s 'map(select(.code == "InvalidRequest")) | length' all.log)" "InvalidRequest entries"
echo "ok: signatures checked"
