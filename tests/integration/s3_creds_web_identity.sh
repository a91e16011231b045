#!/usr/bin/env bash
# Web identity (Kubernetes IAM roles for service accounts): with
# AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN set, cdcpack asks STS
# (AssumeRoleWithWebIdentity, unsigned, at AWS_ENDPOINT_URL_STS) for temporary
# credentials, passing the token read from the file and AWS_ROLE_SESSION_NAME,
# and signs every S3 request with them and their session token. A wrong
# token: exit 3 with STS's error code; half the pair: exit 2 naming the other.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_creds_setup
printf '%s\n' "$CDCPACK_TEST_WEB_IDENTITY_TOKEN" >"$T/token"
export AWS_WEB_IDENTITY_TOKEN_FILE=$T/token AWS_ROLE_ARN=$CDCPACK_TEST_ROLE_ARN
export AWS_ROLE_SESSION_NAME=cdcpack-web-identity-test
s3_sqlite_source "endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION"
assert_status 0 "$CDCPACK" -v load
assert_contains last.err "credentials from web identity (AWS_ROLE_ARN)"

s3_credlog >cred.log
assert_eq 1 "$(jq -s 'map(select(.service == "sts")) | length' cred.log)" "STS calls"
assert_eq "AssumeRoleWithWebIdentity true false $CDCPACK_TEST_ROLE_ARN cdcpack-web-identity-test 200" \
	"$(jq -r '"\(.action) \(.web_identity_token_ok) \(.headers | index("authorization") != null) \(.role_arn) \(.session_name) \(.status)"' cred.log)" \
	"the STS request"
issued=$(jq -r '.issued.access_key' cred.log)
s3_log >s3.log
assert_eq 0 "$(jq -s --arg k "$issued" 'map(select(.access_key != $k or .sig_ok != true or (.headers | index("x-amz-security-token") | not))) | length' s3.log)" \
	"S3 requests not signed with the issued credentials and token"
[[ $(jq -s length s3.log) -gt 0 ]] || fail "no S3 request"

# a token STS does not accept: exit 3 naming the role and the code
echo "not-the-token" >"$T/token"
sqlite3 "$T/src.db" "INSERT INTO t VALUES(1, 'one');"
assert_status 3 "$CDCPACK" run
assert_contains last.err "AssumeRoleWithWebIdentity"
assert_contains last.err "InvalidIdentityToken"
assert_not_contains last.err "not-the-token"
# the token file missing, or the role not said: exit 2 naming what is missing
rm "$T/token"
assert_status 2 "$CDCPACK" run
assert_contains last.err "AWS_WEB_IDENTITY_TOKEN_FILE $T/token: no such file"
printf '%s\n' "$CDCPACK_TEST_WEB_IDENTITY_TOKEN" >"$T/token"
AWS_ROLE_ARN= assert_status 2 "$CDCPACK" run
assert_contains last.err "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"
assert_status 0 "$CDCPACK" run
assert_contains last.out "published"
