#!/usr/bin/env bash
# Every option is honoured or refused, never silently ignored: a config key
# set where it has no effect (an S3 key with a file: target, a password
# file with a SQLite source, the changelog, its secure delete or reconcile in
# snapshot mode, SQLite's secure delete with a MySQL source, CSV options
# with format = jsonl) and a command-line option that would drop a value
# (a single-valued option or -c given twice, -v with -q, diff --out with the
# summary format, a table named twice to load or triggers) are exit 2 naming the key
# or option, and nothing is done. Keys left at their defaults (as the
# README's reference spells them) stay accepted.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

sqlite3 "$T/src.db" "CREATE TABLE t(id INTEGER PRIMARY KEY)"
echo "not a real CA" >"$T/ca.pem"
echo secret >"$T/pw" && chmod 600 "$T/pw"

# unused_key WHY SECTION LINE...: the good config plus LINEs under [SECTION]
# is refused naming "[SECTION] KEY" (KEY from the last LINE) and WHY.
unused_key() {
	local why=$1 section=$2
	shift 2
	{ good_config; printf '[%s]\n' "$section"; printf '%s\n' "$@"; } >"$T/bad.conf"
	echo "case: [$section] $*"
	config_refused "$T/bad.conf" "bad.conf: [$section] ${!#%% *}" "$why"
	assert_contains "$T/last.err" "would be ignored"
}

for line in 'region = eu-west-1' 'endpoint = http://127.0.0.1:9' 'path_style = true' \
	'part_size = 32M' 'max_retries = 2' "ca_bundle = $T/ca.pem" 'sse = AES256' 'storage_class = STANDARD_IA' \
	'tags = a=b' 'acl = private' 'expected_bucket_owner = 111122223333'; do
	unused_key 'applies to s3:// targets only' target "$line"
done
unused_key 'applies to s3:// targets only' target 'sse = aws:kms' 'sse_kms_key_id = alias/k'
unused_key 'applies to s3:// targets only' target 'sse = aws:kms' 'bucket_key = false'
unused_key 'applies to mysql:// sources only' source "password_file = $T/pw"
unused_key 'applies to mode = trigger only' capture 'mode = snapshot' 'changelog = my_log'
unused_key 'snapshot mode compares every row' capture 'mode = snapshot' 'reconcile = 1d'
unused_key 'applies to mode = trigger only' capture 'mode = snapshot' 'changelog_secure_delete = on'
# SQLite's pragma: a MySQL source's changelog is InnoDB's to erase
{ good_config; printf '[source]\nurl = mysql://cdc@127.0.0.1/db\n[capture]\nchangelog_secure_delete = fast\n'; } >"$T/bad.conf"
echo "case: [capture] changelog_secure_delete with a mysql:// source"
config_refused "$T/bad.conf" "bad.conf: [capture] changelog_secure_delete" 'applies to sqlite: sources only'
unused_key 'applies to format = csv only' batch 'format = jsonl' 'csv_header = true'
unused_key 'applies to format = csv only' batch 'format = jsonl' 'load_op_column = true'
unused_key 'applies to format = csv only' batch 'format = jsonl' 'csv_delimiter = |'
unused_key 'applies to format = csv only' batch 'format = jsonl' 'csv_null_value = NULL'
unused_key 'applies to format = csv only' batch 'format = jsonl' 'binary_encoding = base64'
unused_key 'jsonl lines carry each change' batch 'format = jsonl' 'timestamp_column = ts'

# the defaults, spelled out, are no conflict
{
	good_config
	printf '%s\n' 'region = us-east-1' 'path_style = auto' 'part_size = 16M' 'max_retries = 8'
	printf '%s\n' 'sse = none' 'sse_kms_key_id =' 'bucket_key =' 'storage_class =' 'tags =' 'acl =' \
		'expected_bucket_owner ='
	printf '%s\n' '[capture]' 'mode = snapshot' 'changelog = cdcpack_changelog' 'reconcile = 0'
	printf '%s\n' '[batch]' 'format = jsonl' 'csv_header = false' 'load_op_column = false' \
		'csv_delimiter = ,' 'csv_null_value =' 'binary_encoding = hex' 'timestamp_column =' 'cdc_ops = inserts'
} >"$T/ok.conf"
cdc -c "$T/ok.conf" status
rm -rf "$T/state" "$T/bucket"

good_config >"$T/good.conf"
export CDCPACK_CONFIG=$T/good.conf
args_refused 'apply --to: given twice' apply --to "sqlite:$T/a.db" --to "sqlite:$T/b.db"
args_refused 'apply --until: given twice' apply --to "sqlite:$T/a.db" --until 2026-01-01T00:00:00Z --until 2026-02-01T00:00:00Z
args_refused 'apply --password-file: given twice' apply --to mysql://u@h/d --password-file a --password-file b
args_refused 'verify --against: given twice' verify --against "sqlite:$T/a.db" --against "sqlite:$T/b.db"
args_refused 'run --every: given twice' run --every 1m --every 2m
args_refused 'run --max-batches: given twice' run --max-batches 1 --max-batches 2
args_refused 'ls --since: given twice' ls --since 2026-01-01 --since 2026-02-01
args_refused 'diff --format: given twice' diff "sqlite:$T/src.db" "sqlite:$T/src.db" --format rows --format=sql
args_refused 'diff --out: given twice' diff "sqlite:$T/src.db" "sqlite:$T/src.db" --format rows --out a --out b
args_refused 'diff --out a: the summary prints on stdout' diff "sqlite:$T/src.db" "sqlite:$T/src.db" --out a
args_refused 'a config file given twice' -c "$T/good.conf" --config="$T/good.conf" status
args_refused '-v and -q: give one of them' -v -q status
args_refused '-v and -q: give one of them' --quiet --verbose status
args_refused "load: table 't' named twice" load t t
args_refused "triggers: table 't' named twice" triggers install t t
[[ ! -e $T/a ]] || fail "diff wrote --out a although it was refused"
cdc -q -q status
