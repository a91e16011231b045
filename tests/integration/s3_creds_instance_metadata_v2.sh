#!/usr/bin/env bash
# run.sh: alone (timing: the refusal must come within 5 s)
# EC2 instance metadata, IMDSv2 only: a PUT for a session token with the TTL
# header, then the role name and its credentials, each GET carrying the token
# (the stand-in refuses IMDSv1 GETs). The endpoint comes from
# AWS_EC2_METADATA_SERVICE_ENDPOINT. Without an IMDS (nothing listening), the
# chain fails at once, exit 2, naming every source it tried; a bad answer: exit 3.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_creds_setup
s3_sqlite_source "endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION"

# nothing anywhere, no IMDS: a quick, complete refusal
start=$(date +%s)
assert_status 2 "$CDCPACK" load
[[ $(($(date +%s) - start)) -le 5 ]] || fail "without IMDS the chain took more than 5 s"
for what in "environment" "AWS_WEB_IDENTITY_TOKEN_FILE" "profile [default]" "$AWS_CONFIG_FILE" \
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" "EC2 instance metadata" "http://127.0.0.1:9"; do
	assert_contains last.err "$what"
done
AWS_EC2_METADATA_DISABLED=true assert_status 2 "$CDCPACK" load
assert_contains last.err "AWS_EC2_METADATA_DISABLED=true"

export AWS_EC2_METADATA_SERVICE_ENDPOINT=$CDCPACK_TEST_CREDS_ENDPOINT/
assert_status 0 "$CDCPACK" -v load
assert_contains last.err "credentials from EC2 instance metadata at $CDCPACK_TEST_CREDS_ENDPOINT (role cdcpack-test-instance-role)"
s3_credlog >cred.log
assert_eq "PUT /latest/api/token 21600 200
GET /latest/meta-data/iam/security-credentials/ true 200
GET /latest/meta-data/iam/security-credentials/cdcpack-test-instance-role true 200" \
	"$(jq -r '"\(.method) \(.path) \(.ttl // .token_ok) \(.status)"' cred.log)" "the IMDSv2 requests"
issued=$(jq -r 'select(.issued) | .issued.access_key' cred.log)
s3_log >s3.log
[[ $(jq -s length s3.log) -gt 0 ]] || fail "no S3 request"
assert_eq 0 "$(jq -s --arg k "$issued" 'map(select(.access_key != $k or .sig_ok != true or (.headers | index("x-amz-security-token") | not))) | length' s3.log)" \
	"S3 requests not signed with the instance role's credentials and token"

s3_mode '{"creds_bad_answer": true}'
sqlite3 "$T/src.db" "INSERT INTO t VALUES(1, 'one');"
assert_status 3 "$CDCPACK" run
assert_contains last.err "EC2 instance metadata"
assert_contains last.err "is not the credentials JSON"
