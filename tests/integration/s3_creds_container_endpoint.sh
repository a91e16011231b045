#!/usr/bin/env bash
# ECS/Fargate container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI (plain
# http only to loopback) with AWS_CONTAINER_AUTHORIZATION_TOKEN or, winning
# over it, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, sent as the Authorization
# header. A wrong token: exit 3 with the endpoint's status; an http URL off
# this machine: exit 2; an answer that is not the credentials JSON: exit 3.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_creds_setup
export AWS_CONTAINER_CREDENTIALS_FULL_URI=$CDCPACK_TEST_CREDS_ENDPOINT/ecs/credentials
export AWS_CONTAINER_AUTHORIZATION_TOKEN=$CDCPACK_TEST_ECS_TOKEN
s3_sqlite_source "endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION"
assert_status 0 "$CDCPACK" -v load
assert_contains last.err "credentials from container credentials at $AWS_CONTAINER_CREDENTIALS_FULL_URI"
s3_credlog >cred.log
assert_eq "ecs GET true 200" "$(jq -r '"\(.service) \(.method) \(.authorization_ok) \(.status)"' cred.log)" "the container request"
issued=$(jq -r '.issued.access_key' cred.log)
s3_log >s3.log
[[ $(jq -s length s3.log) -gt 0 ]] || fail "no S3 request"
assert_eq 0 "$(jq -s --arg k "$issued" 'map(select(.access_key != $k or .sig_ok != true or (.headers | index("x-amz-security-token") | not))) | length' s3.log)" \
	"S3 requests not signed with the container's credentials and token"

sqlite3 "$T/src.db" "INSERT INTO t VALUES(1, 'one');"
# the token file wins over the variable
echo "wrong-token" >"$T/token"
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$T/token assert_status 3 "$CDCPACK" run
assert_contains last.err "HTTP 401"
assert_not_contains last.err "wrong-token"
echo "$CDCPACK_TEST_ECS_TOKEN" >"$T/token"
AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$T/token \
	assert_status 0 "$CDCPACK" run
assert_contains last.out "published"
# plain http off this machine is refused before any request
AWS_CONTAINER_CREDENTIALS_FULL_URI=http://198.51.100.7/creds assert_status 2 "$CDCPACK" run
assert_contains last.err "AWS_CONTAINER_CREDENTIALS_FULL_URI"
assert_contains last.err "loopback"
# a bad answer
s3_mode '{"creds_bad_answer": true}'
sqlite3 "$T/src.db" "INSERT INTO t VALUES(2, 'two');"
assert_status 3 "$CDCPACK" run
assert_contains last.err "is not the credentials JSON"
# RELATIVE_URI (ECS's own variable) wins over FULL_URI and goes to ECS's
# link-local host; nothing there serves this test, so the run stops (exit 3)
# naming the URL it asked, whatever the network answers (refused, timeout,
# an error status).
s3_mode '{}'
AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/cdcpack-test assert_status 3 "$CDCPACK" run
assert_contains last.err "container credentials at http://169.254.170.2/v2/credentials/cdcpack-test"
