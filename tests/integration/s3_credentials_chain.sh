#!/usr/bin/env bash
# Credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY first, then
# the AWS_PROFILE section (default "default") of AWS_SHARED_CREDENTIALS_FILE
# or ~/.aws/credentials. None found: exit 2 naming every place looked at. A
# credentials file others can read gets a warning.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_reset
B=$CDCPACK_TEST_S3_BUCKET
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE
export HOME=$T/home
mkdir -p "$HOME"
write_config "$T/cdcpack.conf" "sqlite:$T/shop.db" "s3://$B/$S3_PREFIX" \
	"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION"
export CDCPACK_CONFIG=$T/cdcpack.conf
sqlite3 shop.db "CREATE TABLE Persons(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO Persons VALUES (1, 'a');"
assert_status 0 "$CDCPACK" triggers install
n=1
change() { # so that the next run has something to publish
	n=$((n + 1))
	sqlite3 shop.db "INSERT INTO Persons VALUES ($n, 'x');"
}

# nothing anywhere
assert_status 2 "$CDCPACK" load
assert_contains last.err "AWS_ACCESS_KEY_ID"
assert_contains last.err "AWS_SECRET_ACCESS_KEY"
assert_contains last.err "[default]"
assert_contains last.err "$HOME/.aws/credentials"

# half of the environment pair
AWS_ACCESS_KEY_ID=$CDCPACK_TEST_S3_ACCESS_KEY assert_status 2 "$CDCPACK" load
assert_contains last.err "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"

# ~/.aws/credentials, default profile; a named profile through AWS_PROFILE
mkdir -p "$HOME/.aws"
cat >"$HOME/.aws/credentials" <<EOF
[default]
aws_access_key_id = AKIANOSUCHKEY0000000
aws_secret_access_key = not-the-secret

[cdc test]
aws_access_key_id = $CDCPACK_TEST_S3_ACCESS_KEY
aws_secret_access_key = $CDCPACK_TEST_S3_SECRET_KEY
EOF
chmod 600 "$HOME/.aws/credentials"
assert_status 3 "$CDCPACK" load
assert_contains last.err "InvalidAccessKeyId"
export AWS_PROFILE='cdc test'
assert_status 0 "$CDCPACK" load
assert_not_contains last.err "readable by group"
change
AWS_PROFILE=missing assert_status 2 "$CDCPACK" run
assert_contains last.err "[missing]"

# AWS_SHARED_CREDENTIALS_FILE overrides the path; a readable file is warned about
cp "$HOME/.aws/credentials" "$T/shared"
chmod 644 "$T/shared"
rm "$HOME/.aws/credentials"
AWS_SHARED_CREDENTIALS_FILE=$T/shared assert_status 0 "$CDCPACK" run
assert_contains last.out "published"
assert_contains last.err "readable by group or others"
assert_not_contains last.err "$CDCPACK_TEST_S3_SECRET_KEY"

# the environment wins over the file
change
AWS_SHARED_CREDENTIALS_FILE=$T/shared AWS_ACCESS_KEY_ID=AKIANOSUCHKEY0000000 AWS_SECRET_ACCESS_KEY=x \
	assert_status 3 "$CDCPACK" run
assert_contains last.err "InvalidAccessKeyId"
AWS_SHARED_CREDENTIALS_FILE=$T/shared AWS_ACCESS_KEY_ID=$CDCPACK_TEST_S3_ACCESS_KEY \
	AWS_SECRET_ACCESS_KEY=$CDCPACK_TEST_S3_SECRET_KEY assert_status 0 "$CDCPACK" run
assert_contains last.out "published"
AWS_SHARED_CREDENTIALS_FILE=$T/shared assert_status 0 "$CDCPACK" apply --to "sqlite:$T/replica.db"
assert_eq "$(sqlite_dump_tables shop.db)" "$(sqlite_dump_tables replica.db)" "replica tables"
