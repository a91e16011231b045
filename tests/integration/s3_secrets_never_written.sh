#!/usr/bin/env bash
# The secret key and the session token never leave the process other than as
# a signature, whichever source of the chain gave them (environment, web
# identity, an assumed role, the container endpoint, IMDSv2), and neither do
# the tokens those sources take (web identity, container, IMDS session): not in the -v log (request lines and statuses only, no
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

# every other source of the chain, verbose, with --json: none of what each
# hands out or is handed (web identity token, container token, IMDS token,
# the source profile's secret key) is written anywhere either
(
	s3_chain_clear
	export AWS_ENDPOINT_URL_S3=$CDCPACK_TEST_S3_ENDPOINT
	echo "$CDCPACK_TEST_WEB_IDENTITY_TOKEN" >"$T/web-token"
	mkdir -p "$T/aws"
	printf '[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
		"$CDCPACK_TEST_S3_ACCESS_KEY" "$CDCPACK_TEST_S3_SECRET_KEY" >"$T/aws/credentials"
	chmod 600 "$T/aws/credentials"
	printf '[profile role]\nrole_arn = %s\nsource_profile = base\nexternal_id = %s\n' \
		"$CDCPACK_TEST_ROLE_ARN" "$CDCPACK_TEST_EXTERNAL_ID" >"$T/aws/config"
	n=100
	for source in web-identity profile container imds; do
		n=$((n + 1))
		sqlite3 shop.db "INSERT INTO Persons VALUES ($n, 'p');"
		case $source in
		web-identity) vars=(AWS_WEB_IDENTITY_TOKEN_FILE="$T/web-token" AWS_ROLE_ARN="$CDCPACK_TEST_ROLE_ARN") ;;
		profile) vars=(AWS_SHARED_CREDENTIALS_FILE="$T/aws/credentials" AWS_CONFIG_FILE="$T/aws/config" AWS_PROFILE=role) ;;
		container) vars=(AWS_CONTAINER_CREDENTIALS_FULL_URI="$CDCPACK_TEST_CREDS_ENDPOINT/ecs/x"
			AWS_CONTAINER_AUTHORIZATION_TOKEN="$CDCPACK_TEST_ECS_TOKEN") ;;
		imds) vars=(AWS_EC2_METADATA_SERVICE_ENDPOINT="$CDCPACK_TEST_CREDS_ENDPOINT") ;;
		esac
		env "${vars[@]}" "$CDCPACK" -v --json run >"out/$source.json" 2>"out/$source.err" ||
			fail "run with $source credentials: $(cat "out/$source.err")"
		env "${vars[@]}" "$CDCPACK" -v --json ls >"out/$source-ls.json" 2>"out/$source-ls.err" ||
			fail "ls with $source credentials: $(cat "out/$source-ls.err")"
	done
)
s3_credlog >cred.log
assert_eq "ecs imds sts" "$(jq -rs 'map(select(.status == 200) | .service) | unique | join(" ")' cred.log)" \
	"credential sources that answered"
mapfile -t handed < <(jq -r '.issued // empty | .secret_key, .session_token' cred.log; jq -r '.imds_token // empty' cred.log)
[[ ${#handed[@]} -ge 9 ]] || fail "too few secrets handed out: ${#handed[@]}"

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
for what in "$SECRET" "$TOKEN" "Signature=" "Authorization" "${handed[@]}" \
	"$CDCPACK_TEST_WEB_IDENTITY_TOKEN" "$CDCPACK_TEST_ECS_TOKEN" "$CDCPACK_TEST_S3_SECRET_KEY"; do
	if grep -rlaF -- "$what" out state extracted "$CDCPACK_TEST_S3_DATA/$B/$S3_PREFIX" >leaks.txt 2>/dev/null; then
		fail "[$what] written to: $(cat leaks.txt)"
	fi
done
