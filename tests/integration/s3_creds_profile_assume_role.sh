#!/usr/bin/env bash
# A profile of the shared config file with role_arn + source_profile: cdcpack
# signs STS AssumeRole (SigV4, service sts) with the source profile's keys,
# passing external_id, duration_seconds and role_session_name, and writes with
# the role's temporary credentials. The region comes from the profile when the
# config says none; AWS_ENDPOINT_URL_S3 stands in for [target] endpoint. Bad
# profile settings exit 2 naming the key; a role STS refuses exits 3.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_creds_setup
mkdir -p "$T/aws"
export AWS_SHARED_CREDENTIALS_FILE=$T/aws/credentials AWS_CONFIG_FILE=$T/aws/config
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<EOF2
[base]
aws_access_key_id = $CDCPACK_TEST_S3_ACCESS_KEY
aws_secret_access_key = $CDCPACK_TEST_S3_SECRET_KEY
EOF2
chmod 600 "$AWS_SHARED_CREDENTIALS_FILE"
cat >"$AWS_CONFIG_FILE" <<EOF2
[profile deploy]
role_arn = $CDCPACK_TEST_ROLE_ARN
source_profile = base
external_id = $CDCPACK_TEST_EXTERNAL_ID
duration_seconds = 1800
role_session_name = cdcpack-nightly
region = $CDCPACK_TEST_S3_REGION

[profile chained]
role_arn = $CDCPACK_TEST_ROLE_ARN
source_profile = deploy
region = eu-north-1

[profile wrong-external]
role_arn = $CDCPACK_TEST_ROLE_ARN
source_profile = base
external_id = guessed

[profile short]
role_arn = $CDCPACK_TEST_ROLE_ARN
source_profile = base
duration_seconds = 60

[profile orphan]
role_arn = $CDCPACK_TEST_ROLE_ARN
source_profile = nowhere
EOF2
export AWS_PROFILE=deploy AWS_ENDPOINT_URL_S3=$CDCPACK_TEST_S3_ENDPOINT
# no endpoint, no region in the config: the environment and the profile say
s3_sqlite_source
assert_status 0 "$CDCPACK" -v load
assert_contains last.err "credentials from profile deploy (role_arn)"

s3_credlog >cred.log
assert_eq "AssumeRole true $CDCPACK_TEST_S3_ACCESS_KEY $CDCPACK_TEST_EXTERNAL_ID 1800 cdcpack-nightly 200" \
	"$(jq -r '"\(.action) \(.sig_ok) \(.signed_by) \(.external_id) \(.duration_seconds) \(.session_name) \(.status)"' cred.log)" \
	"the AssumeRole request"
issued=$(jq -r '.issued.access_key' cred.log)
s3_log >s3.log
[[ $(jq -s length s3.log) -gt 0 ]] || fail "no S3 request"
assert_eq 0 "$(jq -s --arg k "$issued" 'map(select(.access_key != $k or .sig_ok != true)) | length' s3.log)" \
	"S3 requests not signed by the role's credentials"

# the profile's region is the one signed for (S3 and STS): the test servers
# refuse any other
s3_reset
sqlite3 "$T/src.db" "INSERT INTO t VALUES(1, 'one');"
AWS_PROFILE=chained assert_status 3 "$CDCPACK" run
assert_contains last.err "eu-north-1"
# a role assumed with the credentials of another role; AWS_REGION wins over the profile's
AWS_PROFILE=chained AWS_REGION=$CDCPACK_TEST_S3_REGION assert_status 0 "$CDCPACK" run
assert_contains last.out "published"
s3_credlog >cred2.log
assert_eq "AssumeRole AssumeRole" "$(jq -r 'select(.status == 200) | .action' cred2.log | xargs)" "two roles assumed"
first=$(jq -r 'select(.status == 200) | .issued.access_key' cred2.log | head -1)
assert_eq "$first" "$(jq -r 'select(.status == 200) | .signed_by' cred2.log | tail -1)" \
	"the second AssumeRole is signed by the first role"

# refused and bad settings
sqlite3 "$T/src.db" "INSERT INTO t VALUES(2, 'two');"
AWS_PROFILE=wrong-external assert_status 3 "$CDCPACK" run
assert_contains last.err "AccessDenied"
assert_contains last.err "profile wrong-external (role_arn)"
AWS_PROFILE=short assert_status 2 "$CDCPACK" run
assert_contains last.err "duration_seconds '60'"
AWS_PROFILE=orphan assert_status 2 "$CDCPACK" run
assert_contains last.err "source_profile"
assert_contains last.err "[nowhere]"
assert_not_contains last.err "$CDCPACK_TEST_S3_SECRET_KEY"
