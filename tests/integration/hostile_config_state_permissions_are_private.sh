#!/usr/bin/env bash
# What cdcpack writes locally holds the data or names it, so it is private
# whatever the umask (here 000): the state dir and staging dir are 0700,
# staged archives and the state database 0600, nothing in the state dir is
# group- or world-writable; the source's own files keep the source's mode
# (cdcpack's journal files are never looser); a replica apply creates is
# not world-writable. An AWS credentials file readable by group or others
# gets a warning naming it; a 0600 one does not.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

umask 000
sqlite3 "$SRC_DB" "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a');"
chmod 0640 "$SRC_DB"
core_config '[state]' 'keep_local = 30d'
cdc triggers install
cdc load
sql "INSERT INTO t VALUES (2, 'b'); UPDATE t SET v = 'c' WHERE id = 1;"
cdc run
cdc apply --to "sqlite:$T/replica.db"

mode() { stat -c %a "$1"; }
assert_eq 700 "$(mode "$STATE_DIR")" "mode of the state dir"
assert_eq 600 "$(mode "$STATE_DIR/state.db")" "mode of the state database"
staged=$(find "$STATE_DIR" -name '*.tar*' -type f)
[[ -n $staged ]] || fail "no staged archive kept (keep_local = 30d)"
for f in $staged; do
	assert_eq 600 "$(mode "$f")" "mode of staged archive $f"
done
while IFS= read -r d; do
	assert_eq 700 "$(mode "$d")" "mode of $d (a directory in the state dir)"
done < <(find "$STATE_DIR" -mindepth 1 -type d)
loose=$(find "$STATE_DIR" -perm /022)
[[ -z $loose ]] || fail "group- or world-writable in the state dir: $loose"
loose=$(find "$STATE_DIR" -type f -perm /044)
[[ -z $loose ]] || fail "group- or world-readable files in the state dir: $loose"

# The source database and its journal files: no looser than the source.
for f in "$SRC_DB" "$SRC_DB"-wal "$SRC_DB"-shm "$SRC_DB"-journal; do
	[[ -e $f ]] || continue
	[[ -z $(find "$f" -perm /002) ]] || fail "$f is world-writable ($(mode "$f"))"
done
assert_eq 640 "$(mode "$SRC_DB")" "mode of the source database (cdcpack leaves it alone)"
[[ -z $(find "$T/replica.db" -perm /002) ]] || fail "the replica is world-writable ($(mode "$T/replica.db"))"

# An AWS credentials file others can read: a warning naming it.
printf '[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n' >"$T/aws-credentials"
write_config "$T/s3.conf" "sqlite:$SRC_DB" "s3://bucket/p" 'endpoint = http://127.0.0.1:9' 'max_retries = 0'
sed -i "s|^dir = .*|dir = $T/s3-state|; s|^url = sqlite:.*|&\nname = src|" "$T/s3.conf"
s3_status() {
	env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE \
		AWS_SHARED_CREDENTIALS_FILE="$T/aws-credentials" "$CDCPACK" -c "$T/s3.conf" status \
		>"$T/last.out" 2>"$T/last.err" || true
}
for m in 644 640 604; do
	chmod "$m" "$T/aws-credentials"
	s3_status
	assert_contains "$T/last.err" "$T/aws-credentials is readable by group or others"
done
chmod 600 "$T/aws-credentials"
s3_status
assert_not_contains "$T/last.err" "readable by group or others"
