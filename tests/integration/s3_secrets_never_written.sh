#!/usr/bin/env bash
# The secret key and the session token never leave the process other than as
# a signature: not in the -v log (request lines and statuses only, no
# Authorization header), not in --json reports, error messages, the state dir,
# the archives or what the server stored. The session token is sent
# (x-amz-security-token, signed) and accepted.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/s3.sh"
s3_reset
B=$CDCPACK_TEST_S3_BUCKET
SECRET=$CDCPACK_TEST_S3_SESSION_SECRET_KEY
TOKEN=$CDCPACK_TEST_S3_SESSION_TOKEN
export AWS_ACCESS_KEY_ID=$CDCPACK_TEST_S3_SESSION_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SECRET
export AWS_SESSION_TOKEN=$TOKEN AWS_SHARED_CREDENTIALS_FILE=/nonexistent
unset AWS_PROFILE
write_config "$T/cdcpack.conf" "sqlite:$T/shop.db" "s3://$B/$S3_PREFIX" \
	"endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION"
export CDCPACK_CONFIG=$T/cdcpack.conf
mkdir out

sqlite3 shop.db "CREATE TABLE Persons(id INTEGER PRIMARY KEY, name TEXT);
	INSERT INTO Persons VALUES (1, 'a'), (2, 'b');"
"$CDCPACK" -v --json init >out/init.json 2>out/init.err || fail "init: $(cat out/init.err)"
"$CDCPACK" -v triggers install >out/triggers.out 2>out/triggers.err || fail "triggers install failed"
"$CDCPACK" -v --json load >out/load.json 2>out/load.err || fail "load: $(cat out/load.err)"
sqlite3 shop.db "UPDATE Persons SET name = 'c' WHERE id = 2;"
"$CDCPACK" -v --json run >out/run.json 2>out/run.err || fail "run: $(cat out/run.err)"
"$CDCPACK" -v --json ls >out/ls.json 2>out/ls.err || fail "ls: $(cat out/ls.err)"
"$CDCPACK" -v apply --to "sqlite:$T/replica.db" >out/apply.out 2>out/apply.err ||
	fail "apply: $(cat out/apply.err)"
assert_contains out/run.err "DEBUG s3: PUT"
assert_contains out/run.err "-> 200"

# the token went out on every request, and was signed
s3_log >requests.log
assert_eq 0 "$(jq -s 'map(select(.sig_ok != true or .status >= 400 and .status != 404 and .status != 412)) | length' requests.log)" \
	"refused requests with session credentials"
assert_eq 0 "$(jq -s 'map(select(.headers | index("x-amz-security-token") | not)) | length' requests.log)" \
	"requests without x-amz-security-token"

# a failing run, verbose, with --json: still nothing secret in what it says
sqlite3 shop.db "INSERT INTO Persons VALUES (3, 'd');"
AWS_SESSION_TOKEN=wrong-token-$TOKEN "$CDCPACK" -v --json run >out/bad.json 2>out/bad.err && fail "a wrong token was accepted"
assert_contains out/bad.err "InvalidToken"

# extract the archives: what is inside is scanned too
for f in $(find state -name '*.tar*'); do
	mkdir -p "extracted/$f" && tar -xf "$f" -C "extracted/$f"
done
for what in "$SECRET" "$TOKEN" "Signature=" "Authorization"; do
	if grep -rlaF -- "$what" out state extracted "$CDCPACK_TEST_S3_DATA/$B/$S3_PREFIX" >leaks.txt 2>/dev/null; then
		fail "[$what] written to: $(cat leaks.txt)"
	fi
done
