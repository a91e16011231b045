#!/usr/bin/env bash
# The S3 test server injects the faults the client must survive, exactly as
# the rules say: 503 SlowDown with Retry-After (seen by the AWS CLI when it
# may not retry, absorbed when it may), resets before the request reaches the
# store (old object kept) or after it did (new object stored), truncated
# replies, 200 carrying <Error>, reproducible probabilistic faults; and it
# refuses chunked uploads and bodies that do not match their hash.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_reset
B=$CDCPACK_TEST_S3_BUCKET
P=$S3_PREFIX

last_log() { s3_log | tail -n 1 >"$T/last.json"; jq -r "$1" "$T/last.json"; }
head -c 100000 /dev/urandom >a.bin
head -c 200000 /dev/urandom >b.bin
assert_eq 200 "$(s3_req PUT "$(s3_url "$P/obj")" a.bin)" "PUT a.bin"

# --- 503 SlowDown once, with Retry-After: the next request is served
s3_faults '[{"method": "GET", "path": "/obj$", "count": 1, "action": "503", "retry_after": 3}]'
assert_eq 503 "$(s3_req GET "$(s3_url "$P/obj")" "" -D headers.txt)" "GET under a 503 rule"
assert_contains "$T/s3.body" "<Code>SlowDown</Code>"
assert_contains headers.txt "Retry-After: 3"
assert_eq '{"rule":0,"action":"503"}' "$(last_log '.fault | tojson')" "logged fault"
assert_eq 200 "$(s3_req GET "$(s3_url "$P/obj")")" "GET once the rule is spent"

# the AWS CLI sees it when it may not retry, and gets past it when it may
s3_faults '[{"method": "GET", "count": 1, "action": "503"}]'
if AWS_MAX_ATTEMPTS=1 aws_s3api get-object --bucket "$B" --key "$P/obj" out.bin >cli.out 2>cli.err; then
	fail "the AWS CLI did not see the injected 503"
fi
assert_contains cli.err SlowDown
s3_faults '[{"method": "GET", "nth": [1, 2], "action": "500"}]'
assert_status 0 aws_s3api get-object --bucket "$B" --key "$P/obj" out.bin
cmp -s out.bin a.bin || fail "GET after two injected 500s returned other bytes"
assert_eq "500 500 200" "$(s3_log | jq -r 'select(.method == "GET") | .status' | tail -n 3 | xargs)" "statuses the AWS CLI went through"

# --- reset after part of the body: the store never sees the PUT
s3_faults '[{"method": "PUT", "action": "reset", "request_bytes": 65536}]'
assert_eq 000 "$(s3_req PUT "$(s3_url "$P/obj")" b.bin)" "PUT reset mid-body"
assert_eq true "$(last_log .reset)" "reset flag in the log"
s3_faults '[]'
assert_eq 200 "$(s3_req GET "$(s3_url "$P/obj")")" "GET after the reset PUT"
cmp -s "$T/s3.body" a.bin || fail "a PUT reset mid-body changed the stored object"

# --- reset after the store did the write: the client sees a failure, the write happened
s3_faults '[{"method": "PUT", "action": "reset", "forward": true}]'
assert_eq 000 "$(s3_req PUT "$(s3_url "$P/obj")" b.bin)" "PUT reset after forwarding"
s3_faults '[]'
assert_eq 200 "$(s3_req GET "$(s3_url "$P/obj")")" "GET after the forwarded, reset PUT"
cmp -s "$T/s3.body" b.bin || fail "the forwarded PUT was not stored"

# --- 500 after the write (forward): same, with a status
s3_faults '[{"method": "PUT", "action": "500", "forward": true}]'
assert_eq 500 "$(s3_req PUT "$(s3_url "$P/obj")" a.bin)" "PUT answered 500 after forwarding"
s3_faults '[]'
assert_eq 200 "$(s3_req GET "$(s3_url "$P/obj")")" "GET"
cmp -s "$T/s3.body" a.bin || fail "the PUT answered 500 after forwarding was not stored"

# --- a reply cut after 1000 bytes
s3_faults '[{"method": "GET", "action": "reset", "response_bytes": 1000}]'
assert_eq 000 "$(s3_req GET "$(s3_url "$P/obj")")" "GET whose reply is cut"
assert_eq "200 true" "$(last_log '"\(.status) \(.reset)"')" "logged status and reset of the cut reply"
size=$(stat -c %s "$T/s3.body")
((size <= 1000)) || fail "the cut reply carried $size bytes"
cmp -s "$T/s3.body" a.bin && fail "the cut reply was complete"

# --- slow delivery still delivers every byte
s3_faults '[{"method": "GET", "action": "slow", "delay_ms": 50, "chunk_bytes": 16384, "chunk_delay_ms": 5}]'
assert_eq 200 "$(s3_req GET "$(s3_url "$P/obj")")" "slow GET"
cmp -s "$T/s3.body" a.bin || fail "the slow GET returned other bytes"
assert_eq slow "$(last_log .fault.action)" "fault of the slow GET"

# --- 200 carrying <Error> on CompleteMultipartUpload: nothing is created
s3_faults '[{"method": "POST", "query": "uploadId", "action": "error200"}]'
id=$(aws_s3api create-multipart-upload --bucket "$B" --key "$P/mp" | jq -r .UploadId)
etag=$(aws_s3api upload-part --bucket "$B" --key "$P/mp" --upload-id "$id" --part-number 1 --body a.bin | jq -r .ETag)
printf '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>' "$etag" >complete.xml
assert_eq 200 "$(s3_req POST "$(s3_url "$P/mp?uploadId=$id")" complete.xml)" "status of the 200-with-Error reply"
assert_contains "$T/s3.body" "<Error><Code>InternalError</Code>"
assert_eq 404 "$(s3_req HEAD "$(s3_url "$P/mp")")" "HEAD of the key whose completion failed"
s3_faults '[]'
assert_eq 200 "$(s3_req POST "$(s3_url "$P/mp?uploadId=$id")" complete.xml)" "completion retried"
assert_eq 200 "$(s3_req GET "$(s3_url "$P/mp")")" "GET of the completed upload"
cmp -s "$T/s3.body" a.bin || fail "the completed upload holds other bytes"

# --- probability with a seed: the same requests fail on every run
probe() {
	local i out=()
	s3_faults '[{"method": "HEAD", "probability": 0.5, "seed": 42, "action": "503"}]'
	for ((i = 0; i < 12; i++)); do out+=("$(s3_req HEAD "$(s3_url "$P/obj")")"); done
	echo "${out[*]}"
}
first=$(probe)
assert_eq "$first" "$(probe)" "statuses under a seeded probability rule"
[[ $first == *503* && $first == *200* ]] || fail "a 0.5 probability rule gave: $first"

# --- refused uploads: chunked, body not matching its hash; neither is stored
s3_faults '[]'
status=$(s3_curl -o body.xml -w '%{http_code}' -X PUT -T - -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
	"$(s3_url "$P/chunked")" <a.bin)
assert_eq 411 "$status" "chunked PUT without Content-Length"
assert_contains body.xml "<Code>MissingContentLength</Code>"
status=$(s3_curl -o body.xml -w '%{http_code}' -X PUT --data-binary @a.bin \
	-H "x-amz-content-sha256: $(sha256sum b.bin | cut -d' ' -f1)" "$(s3_url "$P/badhash")")
assert_eq 400 "$status" "PUT whose body does not match x-amz-content-sha256"
assert_contains body.xml "<Code>XAmzContentSHA256Mismatch</Code>"
assert_eq 404 "$(s3_req HEAD "$(s3_url "$P/chunked")")" "HEAD of the refused chunked upload"
assert_eq 404 "$(s3_req HEAD "$(s3_url "$P/badhash")")" "HEAD of the refused bad-hash upload"

# --- bad rules are refused by the control API, and leave the rules as they were
s3_faults '[{"method": "GET", "count": 1, "action": "503"}]'
if s3_control POST /faults '[{"action": "explode"}]' >bad.json 2>&1; then fail "an unknown action was accepted"; fi
assert_contains bad.json 'unknown action'
assert_eq 503 "$(s3_req GET "$(s3_url "$P/obj")")" "the rule set before the refused one"
echo "ok: faults injected"
