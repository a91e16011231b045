#!/usr/bin/env bash
# credential_process in a profile: cdcpack runs the command and signs with
# the credentials it prints (JSON, "Version": 1, with SessionToken and
# Expiration). A failing command, or output that is not the JSON, exits 3
# naming the profile; what the command prints never reaches the log.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_creds_setup
mkdir -p "$T/aws"
export AWS_CONFIG_FILE=$T/aws/config AWS_PROFILE=proc
cat >"$T/print-creds" <<EOF2
#!/bin/sh
echo "run" >>"$T/process-runs"
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "SessionToken": "%s", "Expiration": "2099-01-01T00:00:00Z"}\n' \
	"$CDCPACK_TEST_S3_SESSION_ACCESS_KEY" "$CDCPACK_TEST_S3_SESSION_SECRET_KEY" "$CDCPACK_TEST_S3_SESSION_TOKEN"
EOF2
chmod +x "$T/print-creds"
cat >"$AWS_CONFIG_FILE" <<EOF2
[profile proc]
credential_process = "$T/print-creds" --profile proc
[profile failing]
credential_process = echo '{"Version": 1, "AccessKeyId": "AKIAPRINTED"}'; exit 4
[profile garbled]
credential_process = echo '{"Version": 1, "AccessKeyId": "AKIAPRINTED", "SecretAccessKey": "printed-secret"'
[profile v2]
credential_process = echo '{"Version": 2, "AccessKeyId": "AKIAPRINTED", "SecretAccessKey": "printed-secret"}'
EOF2
s3_sqlite_source "endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION"
assert_status 0 "$CDCPACK" -v load
assert_contains last.err "credentials from profile proc (credential_process)"
assert_eq 1 "$(wc -l <"$T/process-runs")" "runs of the command"
s3_log >s3.log
[[ $(jq -s length s3.log) -gt 0 ]] || fail "no S3 request"
assert_eq 0 "$(jq -s --arg k "$CDCPACK_TEST_S3_SESSION_ACCESS_KEY" 'map(select(.access_key != $k or .sig_ok != true or (.headers | index("x-amz-security-token") | not))) | length' s3.log)" \
	"S3 requests not signed with the printed credentials and token"

sqlite3 "$T/src.db" "INSERT INTO t VALUES(1, 'one');"
AWS_PROFILE=failing assert_status 3 "$CDCPACK" run
assert_contains last.err "profile failing (credential_process): exited with status 4"
AWS_PROFILE=garbled assert_status 3 "$CDCPACK" -v run
assert_contains last.err "profile garbled (credential_process): the answer is not the credentials JSON"
assert_not_contains last.err "printed-secret"
AWS_PROFILE=v2 assert_status 3 "$CDCPACK" run
assert_contains last.err "Version is not 1"
assert_status 0 "$CDCPACK" run
assert_contains last.out "published"
