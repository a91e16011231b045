#!/usr/bin/env bash
# If-None-Match: * on PutObject, CopyObject and CompleteMultipartUpload: the
# write happens only when the key is absent (412 PreconditionFailed
# otherwise, the object untouched), exactly one of several racing writers
# wins, and the mode switch makes the server ignore the header (a store
# without conditional writes) or answer 501.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_reset
B=$CDCPACK_TEST_S3_BUCKET
P=$S3_PREFIX
INM=(-H 'If-None-Match: *')

head -c 50000 /dev/urandom >a.bin
head -c 60000 /dev/urandom >b.bin
: >empty
same_as() { # same_as KEY FILE
	assert_eq 200 "$(s3_req GET "$(s3_url "$1")")" "GET $1"
	cmp -s "$T/s3.body" "$2" || fail "$1 does not hold $2"
}

# --- PutObject
assert_eq 200 "$(s3_req PUT "$(s3_url "$P/put")" a.bin "${INM[@]}")" "conditional PUT of a new key"
assert_eq 412 "$(s3_req PUT "$(s3_url "$P/put")" b.bin "${INM[@]}")" "conditional PUT of an existing key"
assert_contains "$T/s3.body" "<Code>PreconditionFailed</Code>"
same_as "$P/put" a.bin
assert_eq 200 "$(s3_req PUT "$(s3_url "$P/put")" b.bin)" "unconditional PUT of an existing key"
same_as "$P/put" b.bin

# --- CopyObject (metadata comes along, as with x-amz-metadata-directive COPY)
assert_eq 200 "$(s3_req PUT "$(s3_url "$P/src")" a.bin -H 'x-amz-meta-xxh3: 0123abcd')" "PUT with metadata"
copy=(-H "x-amz-copy-source: /$B/$P/src")
assert_eq 200 "$(s3_req PUT "$(s3_url "$P/dst")" empty "${INM[@]}" "${copy[@]}")" "conditional copy to a new key"
assert_contains "$T/s3.body" "<CopyObjectResult>"
assert_eq 412 "$(s3_req PUT "$(s3_url "$P/put")" empty "${INM[@]}" "${copy[@]}")" "conditional copy onto an existing key"
same_as "$P/put" b.bin
same_as "$P/dst" a.bin
assert_eq 200 "$(s3_req HEAD "$(s3_url "$P/dst")" "" -D head.txt)" "HEAD of the copy"
assert_contains head.txt "x-amz-meta-xxh3: 0123abcd"

# --- CompleteMultipartUpload
mp_complete() { # mp_complete KEY FILE [curl args]: one-part upload, prints the completion status
	local key=$1 file=$2 id etag
	shift 2
	# "uploads=": curl 7.88 signs a valueless "?uploads" wrongly (docs/design.md §8)
	[[ $(s3_req POST "$(s3_url "$key?uploads=")" "$T/empty") == 200 ]] || fail "CreateMultipartUpload: $(cat "$T/s3.body")"
	id=$(sed -n 's/.*<UploadId>\([^<]*\)<\/UploadId>.*/\1/p' "$T/s3.body")
	[[ $(s3_req PUT "$(s3_url "$key?partNumber=1&uploadId=$id")" "$file" -D "$T/part.h") == 200 ]] || fail "UploadPart: $(cat "$T/s3.body")"
	etag=$(tr -d '\r' <"$T/part.h" | sed -n 's/^etag: //Ip')
	printf '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>' \
		"$etag" >"$T/complete.xml"
	s3_req POST "$(s3_url "$key?uploadId=$id")" "$T/complete.xml" "$@"
}
assert_eq 412 "$(mp_complete "$P/put" a.bin "${INM[@]}")" "conditional completion onto an existing key"
same_as "$P/put" b.bin
assert_eq 200 "$(mp_complete "$P/mp" a.bin "${INM[@]}")" "conditional completion of a new key"
same_as "$P/mp" a.bin

# --- racing conditional writers: exactly one wins, and its bytes are stored
for i in 1 2 3 4 5 6; do
	head -c 40000 /dev/urandom >"w$i.bin"
	# each writer gets its own $T, where s3_req leaves the reply body
	(f=$T/w$i && T=$f.d && mkdir "$T" && s3_req PUT "$(s3_url "$P/race")" "$f.bin" "${INM[@]}" >"$f.status") &
done
wait
statuses=$(for f in w?.status; do echo "$(<"$f")"; done | sort | xargs)
assert_eq "200 412 412 412 412 412" "$statuses" "statuses of six racing conditional PUTs"
winner=$(grep -l "^200" w?.status)
same_as "$P/race" "${winner%.status}.bin"

# --- a store without conditional writes: the header is ignored
s3_mode '{"conditional_writes": false}'
assert_eq 200 "$(s3_req PUT "$(s3_url "$P/put")" a.bin "${INM[@]}")" "conditional PUT, conditional writes off"
same_as "$P/put" a.bin
s3_mode '{"conditional_writes": "not_implemented"}'
assert_eq 501 "$(s3_req PUT "$(s3_url "$P/put")" b.bin "${INM[@]}")" "conditional PUT, conditional writes not implemented"
assert_contains "$T/s3.body" "<Code>NotImplemented</Code>"
same_as "$P/put" a.bin
s3_reset
assert_eq 412 "$(s3_req PUT "$(s3_url "$P/put")" b.bin "${INM[@]}")" "conditional PUT after the reset restored the mode"
echo "ok: conditional writes"
