#!/usr/bin/env bash
# Temporary credentials are fetched again before they expire (a quarter of
# their life before, at most 5 minutes), also between the requests of one
# multipart upload, and an expired token is never sent: the instance role's
# credentials live 6 s, CreateMultipartUpload's reply is held 5 s and each
# part's 4 s, so the upload starts with one key and ends with another, and the
# front (which refuses an expired token with 400 ExpiredToken) refuses nothing.
# If they cannot be fetched again, the old ones serve while they last, then the
# run stops (exit 3) rather than send them expired.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_creds_setup
export AWS_EC2_METADATA_SERVICE_ENDPOINT=$CDCPACK_TEST_CREDS_ENDPOINT
s3_sqlite_source "endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION" \
	"part_size = 5M" '[batch]' 'compression = none'
more_rows() { # about 14 MB of CSV: three parts
	sqlite3 "$T/src.db" "WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $1 + 99999)
		INSERT INTO t SELECT i, hex(randomblob(64)) FROM n;"
}
more_rows 1
s3_mode '{"cred_lifetime_s": 6}'
s3_faults '[{"method": "POST", "query": "uploads", "action": "slow", "delay_ms": 5000},
	{"method": "PUT", "query": "partNumber", "action": "slow", "delay_ms": 4000}]'
assert_status 0 "$CDCPACK" -v load
assert_contains last.err "fetched again"

s3_log >s3.log
s3_credlog >cred.log
assert_eq 0 "$(jq -s 'map(select(.status >= 400 and .status != 404 and .status != 412)) | length' s3.log)" \
	"refused S3 requests ($(jq -c 'select(.status >= 400) | [.op, .code]' s3.log))"
create=$(jq -r 'select(.op == "CreateMultipartUpload") | .access_key' s3.log)
complete=$(jq -r 'select(.op == "CompleteMultipartUpload") | .access_key' s3.log)
[[ -n $create && -n $complete ]] || fail "no multipart upload in the log"
[[ $create != "$complete" ]] || fail "the whole upload was signed with one key: no refresh"
assert_eq 3 "$(jq -s 'map(select(.op == "UploadPart")) | length' s3.log)" "parts"
# every key used was issued by the stand-in, and used before it expired
jq -s 'map(select(.issued) | {key: .issued.access_key, expires: (.issued.expiration | fromdate)}) ' cred.log >issued.json
assert_eq 0 "$(jq -s --slurpfile issued issued.json '
	map(. as $r | ($issued[0] | map(select(.key == $r.access_key)) | first) as $i
		| select($i == null or ($r.time | sub("\\.[0-9]+Z$"; "Z") | fromdate) >= $i.expires)) | length' s3.log)" \
	"requests with a key not issued or past its expiry"
[[ $(jq 'length' issued.json) -ge 2 ]] || fail "credentials were fetched only once"

# the source fails when they are due: the old ones serve while valid, then
# the run stops with exit 3 rather than sign with an expired token (40 s, due
# 10 s before: the parts, 32 s in, go out with the old ones; 10 s later
# CompleteMultipartUpload would be too late; seconds of slack for a loaded machine)
s3_reset
s3_mode '{"cred_lifetime_s": 40}'
s3_faults '[{"method": "POST", "query": "uploads", "action": "slow", "delay_ms": 32000},
	{"method": "PUT", "query": "partNumber", "action": "slow", "delay_ms": 10000}]'
more_rows 200001
"$CDCPACK" -v run >late.out 2>late.err &
pid=$!
# once the run holds its credentials, the source breaks
for ((i = 0; i < 300; i++)); do
	[[ -n $(s3_credlog | jq -r 'select(.issued) | .seq') ]] && break
	sleep 0.1
done
s3_mode '{"creds_bad_answer": true}'
status=0
wait $pid || status=$?
assert_eq 3 "$status" "exit status when the credentials cannot be fetched again ($(tail -3 late.err))"
assert_contains late.err "fetching credentials again failed"
assert_contains late.err "expired"
assert_eq 0 "$(s3_log | jq -s 'map(select(.code == "ExpiredToken")) | length')" "requests sent with an expired token"
s3_mode '{"creds_bad_answer": false}'
s3_faults '[]'
assert_status 0 "$CDCPACK" run
assert_contains last.err "recovering batch"
