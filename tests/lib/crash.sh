# shellcheck shell=bash
# Helpers for the crash matrix and the signal and disk tests
# (tests/integration/crash_matrix_*.sh, signal_*.sh, disk_*.sh). Source after
# tests/lib/common.sh and tests/lib/core.sh; then `cm_init SOURCE TARGET
# [MODE]` with SOURCE sqlite|mysql, TARGET file|s3 and MODE trigger (the
# default) or binlog (mysql only: the cases capture from the binary log as
# the user cdc_binlog of tests/lib/binlog.sh; no triggers, no changelog).
#
# A test works in cases: `cm_case NAME` gives each its own directory
# ($CM_DIR, with core.sh's $SRC_DB, $BUCKET, $STATE_DIR, $CDCPACK_CONFIG in
# it), its own MySQL database ($CM_DB) and its own S3 prefix ($CM_PREFIX).
# The source, source name "src", holds two tables:
#   acct(id INT PRIMARY KEY, owner VARCHAR(40), bal INT)      rows 1..50
#   item(a INT, b VARCHAR(10), qty INT, PRIMARY KEY (a, b))   rows (1..20, 's')
# `cm_writer_script N` writes N writer steps (one transaction each: inserts,
# updates, key changes and deletes on both tables) and, per table, the cdc
# rows they must ship, in order ($CM_DIR/want.TABLE.csv). Every row a step
# writes is new (no change repeats an earlier one), so a row shipped twice
# or lost shows in the comparison.
#
# For an S3 target, `cm_fetch` mirrors the case's prefix to a local
# directory (with the AWS CLI, an independent client) and points $BUCKET at
# it, so that core.sh's published and temp_objects, and cm_unpack, read
# what the server holds.

CM_TABLES=(acct item)

cm_init() {
	CM_SOURCE=$1
	CM_TARGET=$2
	CM_MODE=${3:-trigger}
	case $CM_SOURCE in
	sqlite) ;;
	mysql) source "$ROOT/tests/lib/mysql.sh" ;;
	*) fail "cm_init: unknown source $CM_SOURCE" ;;
	esac
	case $CM_MODE:$CM_SOURCE in
	trigger:*) ;;
	binlog:mysql)
		source "$ROOT/tests/lib/binlog.sh"
		CM_NO_SEQS=1 # cm_check_chain: no changelog seqs in binlog mode
		;;
	*) fail "cm_init: no mode $CM_MODE with source $CM_SOURCE" ;;
	esac
	case $CM_TARGET in
	file) ;;
	s3)
		source "$ROOT/tests/lib/s3.sh"
		s3_reset
		export AWS_ACCESS_KEY_ID=$CDCPACK_TEST_S3_ACCESS_KEY
		export AWS_SECRET_ACCESS_KEY=$CDCPACK_TEST_S3_SECRET_KEY
		export AWS_SHARED_CREDENTIALS_FILE=/nonexistent
		unset AWS_SESSION_TOKEN AWS_PROFILE
		;;
	*) fail "cm_init: unknown target $CM_TARGET" ;;
	esac
	_cm_cleanups=()
	trap '_cm_rc=$?; cm_cleanup; (exit $_cm_rc); cleanup_tmp' EXIT
}

# cm_on_exit CMD: CMD (a string for eval) runs when the test ends, however
# it ends, before the temp dir goes (last registered, first run).
cm_on_exit() {
	_cm_cleanups+=("$1")
}

cm_cleanup() {
	local i
	for ((i = ${#_cm_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cm_cleanups[i]}" >/dev/null 2>&1 || true
	done
	_cm_cleanups=()
}

# cm_case NAME: a fresh case (directory, database, S3 prefix).
cm_case() {
	CM_NAME=$1
	CM_DIR=$T/$1
	rm -rf "$CM_DIR"
	core_use "$CM_DIR"
	CM_BUCKET_DIR=$BUCKET
	if [[ $CM_SOURCE == mysql ]]; then
		CM_DB=$(mysql_fresh_db "cm_${CM_TARGET}_${1//-/_}")
	fi
	if [[ $CM_MODE == binlog ]]; then
		binlog_grant "$CM_DB"
		CM_BINLOG_URL=$url
		cm_on_exit binlog_drop_user
	fi
	if [[ $CM_TARGET == s3 ]]; then
		CM_PREFIX=$S3_PREFIX/$1
	fi
}

# cm_source_url: the case's source.
cm_source_url() {
	if [[ $CM_MODE == binlog ]]; then
		echo "$CM_BINLOG_URL"
	elif [[ $CM_SOURCE == mysql ]]; then
		mysql_url "$CM_DB"
	else
		echo "sqlite:$SRC_DB"
	fi
}

# cm_config [extra INI lines...]: the case's config (source named "src");
# extra lines go after [target]'s keys (start them with a section; binlog
# mode's [capture] section comes last).
cm_config() {
	local tgt="file:$CM_BUCKET_DIR" extra=() mode=()
	if [[ $CM_TARGET == s3 ]]; then
		tgt="s3://$CDCPACK_TEST_S3_BUCKET/$CM_PREFIX"
		extra=("endpoint = $CDCPACK_TEST_S3_ENDPOINT" "region = $CDCPACK_TEST_S3_REGION")
	fi
	[[ $CM_MODE == binlog ]] && mode=('[capture]' 'mode = binlog')
	write_config "$CDCPACK_CONFIG" "$(cm_source_url)" "$tgt" "${extra[@]}" "$@" "${mode[@]}"
	sed -i -e '/^url = \(sqlite\|mysql\):/a name = src' -e "s|^dir = .*|dir = $STATE_DIR|" \
		"$CDCPACK_CONFIG"
}

# cm_sql SQL: runs SQL on the source; prints rows tab-separated.
cm_sql() {
	if [[ $CM_SOURCE == mysql ]]; then
		mysql_exec "$CM_DB" "$1"
	else
		sqlite3 -separator $'\t' "$SRC_DB" ".timeout 30000" "$1"
	fi
}

# cm_seed: the two tables and their first rows.
cm_seed() {
	local i acct= item=
	for ((i = 1; i <= 50; i++)); do acct+="${acct:+,}($i, 's $i', $i)"; done
	for ((i = 1; i <= 20; i++)); do item+="${item:+,}($i, 's', $i)"; done
	cm_sql "CREATE TABLE acct (id INT PRIMARY KEY, owner VARCHAR(40), bal INT);
		CREATE TABLE item (a INT, b VARCHAR(10), qty INT, PRIMARY KEY (a, b));
		INSERT INTO acct VALUES $acct;
		INSERT INTO item VALUES $item;"
}

# cm_setup [extra INI lines...]: a seeded source, its config, triggers (in
# trigger mode) and the load batch.
cm_setup() {
	cm_seed
	cm_config "$@"
	[[ $CM_MODE == binlog ]] || cdc triggers install
	cdc load
}

# cm_writer_script N [FIRST]: steps FIRST..FIRST+N-1 (FIRST defaults to 1;
# give later scripts of one case higher numbers) into $CM_DIR/writer.sql,
# one transaction a line; appends the rows they ship to
# $CM_DIR/want.TABLE.csv. Step i: inserts acct 1000+i and item (100+i,'w');
# moves 50 to seed account (i % 50) + 1; every 3rd step moves acct 1000+i to
# key 5000+i (D + I); every 4th deletes the account of step i-1; every 2nd
# changes item (100+i-1,'w')'s key to (100+i-1,'k'); every 5th deletes
# seed item i/5.
cm_writer_script() {
	local n=$1 first=${2:-1} i s id prev k sql= acct= item=
	if ((first == 1)); then
		declare -gA _cm_bal=() _cm_acct_id=() _cm_seed_item=()
		for ((i = 1; i <= 50; i++)); do _cm_bal[$i]=$i; done
		: >"$CM_DIR/want.acct.csv"
		: >"$CM_DIR/want.item.csv"
		: >"$CM_DIR/want.steps"
		_cm_na=0 _cm_ni=0
	fi
	# built in memory, written once: a process per step would cost seconds
	local steps="$((first - 1)) $_cm_na $_cm_ni"$'\n'
	for ((i = first; i < first + n; i++)); do
		id=$((1000 + i))
		s="INSERT INTO acct VALUES ($id, 'w $i', $i); INSERT INTO item VALUES ($((100 + i)), 'w', $i);"
		acct+="I,$id,w $i,$i"$'\n'
		item+="I,$((100 + i)),w,$i"$'\n'
		k=$((i % 50 + 1))
		_cm_bal[$k]=$((_cm_bal[$k] + 50))
		s+=" UPDATE acct SET bal = bal + 50 WHERE id = $k;"
		acct+="U,$k,s $k,${_cm_bal[$k]}"$'\n'
		_cm_na=$((_cm_na + 2)) _cm_ni=$((_cm_ni + 1))
		if ((i % 3 == 0)); then
			s+=" UPDATE acct SET id = $((5000 + i)) WHERE id = $id;"
			acct+="D,$id,w $i,$i"$'\n'"I,$((5000 + i)),w $i,$i"$'\n'
			_cm_na=$((_cm_na + 2))
			id=$((5000 + i))
		fi
		_cm_acct_id[$i]=$id
		if ((i % 4 == 0 && i > 1)); then
			prev=${_cm_acct_id[$((i - 1))]}
			s+=" DELETE FROM acct WHERE id = $prev;"
			acct+="D,$prev,w $((i - 1)),$((i - 1))"$'\n'
			_cm_na=$((_cm_na + 1))
		fi
		if ((i % 2 == 0 && i > 1)); then
			s+=" UPDATE item SET b = 'k' WHERE a = $((100 + i - 1)) AND b = 'w';"
			item+="D,$((100 + i - 1)),w,$((i - 1))"$'\n'"I,$((100 + i - 1)),k,$((i - 1))"$'\n'
			_cm_ni=$((_cm_ni + 2))
		fi
		if ((i % 5 == 0 && i / 5 <= 20)) && [[ -z ${_cm_seed_item[$((i / 5))]-} ]]; then
			_cm_seed_item[$((i / 5))]=gone
			s+=" DELETE FROM item WHERE a = $((i / 5)) AND b = 's';"
			item+="D,$((i / 5)),s,$((i / 5))"$'\n'
			_cm_ni=$((_cm_ni + 1))
		fi
		sql+="BEGIN; $s COMMIT;"$'\n'
		steps+="$i $_cm_na $_cm_ni"$'\n'
	done
	printf '%s' "$sql" >"$CM_DIR/writer.sql"
	printf '%s' "$acct" >>"$CM_DIR/want.acct.csv"
	printf '%s' "$item" >>"$CM_DIR/want.item.csv"
	printf '%s' "$steps" >>"$CM_DIR/want.steps"
	_cm_writer_first=$first
}

# cm_writer_start [PAUSE]: a background writer plays writer.sql through one
# client session, PAUSE seconds (default 0.03, 0 for none) between transactions; its
# pid is in CM_WRITER. Output in $CM_DIR/writer.out.
cm_writer_start() {
	local pause=${1:-0.03} client
	rm -f "$CM_DIR/writer.stop" "$CM_DIR/writer.sent"
	if [[ $CM_SOURCE == mysql ]]; then
		client=(mariadb --defaults-file="$CDCPACK_TEST_MYSQL_ROOT_CNF" -N -B -D "$CM_DB")
	else
		client=(sqlite3 -bail "$SRC_DB")
	fi
	(
		{
			[[ $CM_SOURCE == sqlite ]] && echo ".timeout 30000"
			# `read -t` on a pipe nobody writes: a pause without a process
			exec 9<> <(:)
			local sent=0
			while IFS= read -r line; do
				[[ -e $CM_DIR/writer.stop ]] && break
				printf '%s\n' "$line"
				sent=$((sent + 1))
				read -r -t "$pause" -u 9 || true
			done <"$CM_DIR/writer.sql"
			echo "$sent" >"$CM_DIR/writer.sent"
			echo "SELECT 'writer done';"
		} | "${client[@]}"
	) >"$CM_DIR/writer.out" 2>&1 &
	CM_WRITER=$!
	cm_on_exit "kill $CM_WRITER"
}

cm_writer_running() {
	kill -0 "$CM_WRITER" 2>/dev/null
}

# cm_writer_stop: the writer plays no further step; cm_writer_wait.
cm_writer_stop() {
	: >"$CM_DIR/writer.stop"
	cm_writer_wait
}

# cm_writer_wait: the writer ends (at most 120 s) having committed every
# step it sent; the want files are cut to the steps it played.
cm_writer_wait() {
	local i
	for ((i = 0; i < 1200; i++)); do
		cm_writer_running || break
		sleep 0.1
	done
	cm_writer_running && fail "the writer is still running after 120 s"
	wait "$CM_WRITER" || fail "the writer failed: $(cat "$CM_DIR/writer.out")"
	[[ $(cat "$CM_DIR/writer.out") == "writer done" ]] ||
		fail "the writer reported: $(cat "$CM_DIR/writer.out")"
	local last a i
	last=$((_cm_writer_first - 1 + $(cat "$CM_DIR/writer.sent")))
	read -r a i < <(awk -v s="$last" '$1 == s { a = $2; i = $3 } END { print a, i }' "$CM_DIR/want.steps")
	head -n "$a" "$CM_DIR/want.acct.csv" >"$CM_DIR/want.tmp" && mv "$CM_DIR/want.tmp" "$CM_DIR/want.acct.csv"
	head -n "$i" "$CM_DIR/want.item.csv" >"$CM_DIR/want.tmp" && mv "$CM_DIR/want.tmp" "$CM_DIR/want.item.csv"
	CM_WRITER_STEPS=$(cat "$CM_DIR/writer.sent")
}

# cm_changelog_count: rows waiting in the source's changelog.
cm_changelog_count() {
	cm_sql "SELECT COUNT(*) FROM cdcpack_changelog WHERE op <> '-'"
}

cm_changelog_has() { # cm_changelog_has N: at least N rows wait
	(($(cm_changelog_count) >= $1))
}

# cm_fetch: for an S3 target, mirror the case's prefix into a fresh local
# directory with the AWS CLI and point $BUCKET at it; unfinished multipart
# uploads under the prefix go to $CM_DIR/uploads.json. For file: a no-op.
cm_fetch() {
	[[ $CM_TARGET == s3 ]] || return 0
	_cm_fetches=$((${_cm_fetches:-0} + 1))
	BUCKET=$CM_DIR/mirror.$_cm_fetches
	mkdir -p "$BUCKET"
	s3_aws s3 sync --only-show-errors "s3://$CDCPACK_TEST_S3_BUCKET/$CM_PREFIX/" "$BUCKET/" \
		>"$CM_DIR/sync.out" 2>&1 || fail "aws s3 sync of $CM_PREFIX: $(cat "$CM_DIR/sync.out")"
	s3_control GET /uploads | jq -c --arg p "$CM_PREFIX/" 'map(select(.key | startswith($p)))' \
		>"$CM_DIR/uploads.json"
}

# cm_published_sums: for file:, the sha256 of every published object, paths
# relative to the bucket (for cm_check_unchanged). For S3 nothing: the
# server's request log tells instead.
cm_published_sums() {
	[[ $CM_TARGET == file && -d $BUCKET/cdc ]] || return 0
	local dirs=(cdc)
	[[ -d $BUCKET/dms ]] && dirs+=(dms)
	(cd "$BUCKET" && find "${dirs[@]}" -type f | LC_ALL=C sort | xargs -r -d '\n' sha256sum)
}

# cm_check_unchanged SUMS: no published object changed. file: every object
# listed in SUMS still has its bytes. S3: the server's log (since cm_init's
# s3_reset) shows at most one successful write (PutObject, CopyObject,
# CompleteMultipartUpload) to each key under the case's final prefix (and
# lake prefix, dms/).
cm_check_unchanged() {
	if [[ $CM_TARGET == s3 ]]; then
		s3_log | jq -r -s --arg p "$CM_PREFIX/cdc/" --arg l "$CM_PREFIX/dms/" '
			map(select(.status == 200 and (.key // "" | startswith($p) or startswith($l))
			    and (.op == "PutObject" or .op == "CopyObject" or .op == "CompleteMultipartUpload")))
			| group_by(.key)[] | select(length > 1)
			| "\(.[0].key) written \(length) times: \(map(.op) | join(", "))"' >"$CM_DIR/writes.err"
		[[ ! -s $CM_DIR/writes.err ]] || fail "a published key was written twice: $(cat "$CM_DIR/writes.err")"
		return 0
	fi
	[[ -s $1 ]] || return 0
	(cd "$BUCKET" && sha256sum --quiet -c "$1") >"$CM_DIR/sha.err" 2>&1 ||
		fail "an object published before the rerun changed: $(cat "$CM_DIR/sha.err")"
}

# cm_rerun_and_check MAX_RUNS [SUMS]: runs until idle (at most MAX_RUNS
# runs); then no object published before changed (file: the objects SUMS,
# from cm_published_sums, lists -- none when not given; S3: the server's log)
# and cm_check_all.
cm_rerun_and_check() {
	local sums=$CM_DIR/before.sha
	if [[ -n ${2:-} ]]; then
		sums=$2
	else
		: >"$sums"
	fi
	run_until_idle "$1"
	cm_check_unchanged "$sums"
	cm_check_all
}

# cm_check_no_temp: nothing is left under the temp prefix: no file at all
# (hidden side files included) in the bucket dir, or, for S3, in the mirror
# cm_fetch made with the AWS CLI (which lists the whole prefix); no
# unfinished multipart upload.
cm_check_no_temp() {
	assert_eq "" "$(temp_objects)" "objects left under the temp prefix"
	if [[ $CM_TARGET == s3 ]]; then
		assert_eq "[]" "$(cat "$CM_DIR/uploads.json")" "unfinished multipart uploads"
	fi
}

# cm_check_rows: per table, the cdc rows of all published batches, in chain
# order, are exactly want.TABLE.csv: every change once, none lost, none
# twice. Reads what cm_unpack left.
cm_check_rows() {
	local t
	jq -r 'select(.batch.kind == "cdc") | .key as $k | .tables[] | "\(.name)\t\($k)/\(.file)"' \
		"$CM_DIR/manifests.jsonl" >"$CM_DIR/cdc.files"
	for t in "${CM_TABLES[@]}"; do
		awk -F'\t' -v t="$t" -v u="$CM_DIR/unpacked" '$1 == t { print u "/" $2 }' "$CM_DIR/cdc.files" |
			xargs -r -d '\n' cat >"$CM_DIR/rows.$t.csv"
		if ! cmp -s "$CM_DIR/want.$t.csv" "$CM_DIR/rows.$t.csv"; then
			diff "$CM_DIR/want.$t.csv" "$CM_DIR/rows.$t.csv" | head -n 20 >&2 || true
			fail "table $t: the cdc rows of the published batches are not the changes made, once each (< expected, > published)"
		fi
	done
}

# cm_dump DB: both tables ordered by key, as the engine's own client prints them.
cm_dump() {
	if [[ $CM_SOURCE == mysql ]]; then
		mysql_exec "$1" "SELECT 'acct'; SELECT * FROM acct ORDER BY id;
			SELECT 'item'; SELECT * FROM item ORDER BY a, b"
	else
		sqlite3 -separator $'\t' "$1" "SELECT 'acct'; SELECT * FROM acct ORDER BY id;
			SELECT 'item'; SELECT * FROM item ORDER BY a, b"
	fi
}

# cm_check_replica: apply every published batch to a fresh replica (same
# engine as the source); verify says it equals the source; so do the
# engine's own dumps ordered by key (and, for SQLite, the typed byte-exact
# comparison of core.sh).
cm_check_replica() {
	local rep src
	if [[ $CM_SOURCE == mysql ]]; then
		rep=$(mysql_fresh_db "cm_${CM_TARGET}_${CM_NAME//-/_}_rep")
		cdc apply --to "$(mysql_url "$rep")"
		cdc verify --against "$(mysql_url "$rep")"
		src=$CM_DB
	else
		rep=$CM_DIR/replica.db
		cdc apply --to "sqlite:$rep"
		cdc verify --against "sqlite:$rep"
		check_replica_equals_source "$rep"
		src=$SRC_DB
	fi
	cm_dump "$src" >"$CM_DIR/dump.src"
	cm_dump "$rep" >"$CM_DIR/dump.rep"
	if ! cmp -s "$CM_DIR/dump.src" "$CM_DIR/dump.rep"; then
		diff "$CM_DIR/dump.src" "$CM_DIR/dump.rep" | head -n 20 >&2 || true
		fail "the replica's dump differs from the source's (< source, > replica)"
	fi
}

# cm_unpack: every published archive unpacked (one tar each) into
# $CM_DIR/unpacked/KEY_BASENAME/ -- names begin src-SEQ, so they sort in
# chain order -- and its manifest, with "key" (that basename) added, one a
# line in chain order in $CM_DIR/manifests.jsonl.
cm_unpack() {
	local a dir
	rm -rf "$CM_DIR/unpacked"
	mkdir -p "$CM_DIR/unpacked"
	while IFS= read -r a; do
		dir=$CM_DIR/unpacked/${a##*/}
		mkdir "$dir"
		tar -xf "$a" -C "$dir" || fail "cannot unpack $a"
	done < <(published)
	: >"$CM_DIR/manifests.jsonl"
	compgen -G "$CM_DIR/unpacked/*/manifest.json" >/dev/null || return 0
	jq -c '. + {key: (input_filename | split("/") | .[-2])}' "$CM_DIR"/unpacked/*/manifest.json \
		>"$CM_DIR/manifests.jsonl"
}

# cm_check_checksums: every file of every unpacked archive has the size
# and XXH3-128 its manifest gives (xxhsum, independently of cdcpack), and
# every archive holds its manifest's files and nothing else.
cm_check_checksums() {
	local u=$CM_DIR/unpacked
	jq -r --arg u "$u" '.key as $k | .tables[] | "\(.xxh128)  \($u)/\($k)/\(.file)"' \
		"$CM_DIR/manifests.jsonl" >"$CM_DIR/xxh.sum"
	[[ -s $CM_DIR/xxh.sum ]] || return 0
	xxhsum -c --quiet "$CM_DIR/xxh.sum" >"$CM_DIR/xxh.err" 2>&1 ||
		fail "a published file does not match its manifest's xxh128: $(head -n 5 "$CM_DIR/xxh.err")"
	jq -r --arg u "$u" '.key as $k | .tables[] | "\($u)/\($k)/\(.file) \(.bytes)"' \
		"$CM_DIR/manifests.jsonl" | LC_ALL=C sort >"$CM_DIR/sizes.want"
	(cd "$u" && find . -type f ! -name manifest.json -printf "$u/%P %s\n") | LC_ALL=C sort >"$CM_DIR/sizes.got"
	if ! cmp -s "$CM_DIR/sizes.want" "$CM_DIR/sizes.got"; then
		diff "$CM_DIR/sizes.want" "$CM_DIR/sizes.got" | head -n 10 >&2 || true
		fail "the archives' files and sizes are not their manifests' (< manifests, > archives)"
	fi
}

# cm_check_chain: published batches are numbered 1..N (keys, ids, seq)
# with no gap or duplicate, each `previous` names the batch before it; every
# cdc file has first_seq <= last_seq; and the changelog ranges of different
# batches (each batch's lowest first_seq to highest last_seq over its
# files) are disjoint: one writer session commits in sequence order, so a
# change in two batches would make two ranges overlap; with CM_NO_SEQS=1
# (binlog mode: changes carry no changelog seq) the seq checks are left out
# and cm_check_rows alone shows each change once. (core.sh's
# check_chain compares files, which fits one-table tests only: the files of
# two tables of one batch interleave.) Reads what cm_unpack left.
cm_check_chain() {
	jq -r -s --argjson seqs "$([[ -n ${CM_NO_SEQS:-} ]] && echo false || echo true)" '
		. as $m
		| [range(length) as $i | $m[$i] as $b
		   | ("src-" + ("0000000" + ($i + 1 | tostring))[-8:]) as $want
		   | if ($b.key | split("/") | last | startswith($want + "-")) | not
		       then "position \($i + 1): expected batch \($want), found key \($b.key)" else empty end,
		     if $b.batch.id != $want or $b.batch.seq != $i + 1
		       then "\($b.key): id \($b.batch.id) seq \($b.batch.seq), expected \($want)" else empty end,
		     (if $i == 0 then null else $m[$i - 1].batch.id end) as $prev
		     | if $b.batch.previous != $prev
		       then "\($want): previous is \($b.batch.previous), expected \($prev)" else empty end]
		+ (if $seqs | not then [] else [.[] | select(.batch.kind == "cdc") | .tables[]
		    | if .first_seq == null or .last_seq == null then "\(.file): no first_seq/last_seq"
		      elif .first_seq > .last_seq then "\(.file): first_seq > last_seq"
		      elif .rows < 1 then "\(.file): no rows"
		      else empty end] end)
		+ (if $seqs | not then [] else [.[] | select(.batch.kind == "cdc")
		    | {id: .batch.id, a: ([.tables[].first_seq] | min), b: ([.tables[].last_seq] | max)}]
		   | sort_by(.a) | . as $r
		   | [range(1; length) as $i | select($r[$i].a <= $r[$i - 1].b)
		      | "seq range \($r[$i].a)..\($r[$i].b) of \($r[$i].id) overlaps \($r[$i - 1].a)..\($r[$i - 1].b) of \($r[$i - 1].id)"] end)
		| .[]' "$CM_DIR/manifests.jsonl" >"$CM_DIR/chain.err"
	if [[ -s $CM_DIR/chain.err ]]; then
		fail "published chain: $(cat "$CM_DIR/chain.err")"
	fi
}

# CM_LAKE_CONFIG: the [lake] lines the crash matrix runs with (issue 13).
CM_LAKE_CONFIG=('[lake]' 'prefix = dms/' 'compression = gzip' 'date_partition = YYYYMMDD')

# cm_lake_cat TABLE PATTERN: the lake objects of TABLE whose file name
# matches PATTERN, in file name order (load counter, or change time),
# decompressed and concatenated.
cm_lake_cat() {
	local schema=src dir
	[[ $CM_SOURCE == mysql ]] && schema=$CM_DB
	dir=$BUCKET/dms/$schema/$1
	[[ -d $dir ]] || return 0
	find "$dir" -type f -name "$2" | awk -F/ '{ print $NF "\t" $0 }' | LC_ALL=C sort | cut -f2 |
		xargs -r -d '\n' zcat
}

# cm_check_lake: with the lake on (cm_setup "${CM_LAKE_CONFIG[@]}"), every
# published archive file is in the lake once: per table, the lake's change
# objects in name order hold exactly want.TABLE.csv (each change once), its
# load objects the archives' load files, and there are as many lake objects
# as archive files. Reads what cm_unpack left.
cm_check_lake() {
	local t want got
	for t in "${CM_TABLES[@]}"; do
		cm_lake_cat "$t" '2*.csv.gz' >"$CM_DIR/lake.$t.csv"
		if ! cmp -s "$CM_DIR/want.$t.csv" "$CM_DIR/lake.$t.csv"; then
			diff "$CM_DIR/want.$t.csv" "$CM_DIR/lake.$t.csv" | head -n 20 >&2 || true
			fail "table $t: the lake's change objects are not the changes made, once each (< expected, > lake)"
		fi
		cm_lake_cat "$t" 'LOAD*.csv.gz' >"$CM_DIR/lake.load.$t.csv"
		jq -r 'select(.batch.kind == "load") | .key as $k | .tables[] | "\(.name)\t\($k)/\(.file)"' \
			"$CM_DIR/manifests.jsonl" | awk -F'\t' -v t="$t" -v u="$CM_DIR/unpacked" \
			'$1 == t { print u "/" $2 }' | xargs -r -d '\n' cat >"$CM_DIR/load.$t.csv"
		cmp -s "$CM_DIR/load.$t.csv" "$CM_DIR/lake.load.$t.csv" ||
			fail "table $t: the lake's load objects are not the archives' load files"
	done
	want=$(jq -s '[.[].tables[]] | length' "$CM_DIR/manifests.jsonl")
	got=$(find "$BUCKET/dms" -type f 2>/dev/null | wc -l)
	assert_eq "$want" "$got" "lake objects (one per archive file)"
}

# cm_check_all: after the last run: the chain (cm_check_chain), every
# archive whole (cm_check_checksums), the rows once each, no temp object, a
# replica equal to the source; with CM_LAKE=1, the lake (cm_check_lake).
cm_check_all() {
	cm_fetch
	cm_unpack
	cm_check_chain
	cm_check_checksums
	cm_check_rows
	[[ -z ${CM_LAKE:-} ]] || cm_check_lake
	cm_check_no_temp
	cm_check_replica
}

# cm_expect_recovered N: the last `--json run` carried N batches forward.
cm_expect_recovered() {
	assert_eq "$1" "$(jq .recovered "$T/last.out")" "${2:-batches the run recovered}"
}

# cm_cases NAME...: runs `cm_scenario NAME` for each NAME, each in a
# subshell so that one failing case does not hide the others; prints
# "ok NAME (Ns)" or "FAIL NAME (Ns)" per case, and fails at the end if any
# failed. cm_scenario is the test's function. CM_CASES (space-separated)
# runs only those of the NAMEs.
cm_cases() {
	local name started rc failed=()
	for name in "$@"; do
		[[ -z ${CM_CASES:-} || " $CM_CASES " == *" $name "* ]] || continue
		started=$SECONDS
		set +e
		(
			set -e
			trap '_cm_rc=$?; cm_cleanup; exit $_cm_rc' EXIT
			cm_scenario "$name"
		)
		rc=$?
		set -e
		if ((rc == 0)); then
			echo "ok   $name ($((SECONDS - started))s)"
		else
			echo "FAIL $name ($((SECONDS - started))s)"
			failed+=("$name")
		fi
	done
	((${#failed[@]} == 0)) || fail "failed cases: ${failed[*]}"
}

# cm_killed_at POINT COMMAND...: cdcpack COMMAND, run with
# CDCPACK_FAULT=crash:POINT, dies there by SIGKILL (exit 137, saying so).
cm_killed_at() {
	local point=$1 got=0
	shift
	{ CDCPACK_FAULT=crash:$point "$CDCPACK" "$@" >"$CM_DIR/crash.out" 2>"$CM_DIR/crash.err"; } 2>/dev/null ||
		got=$?
	if ((got != 137)); then
		cat "$CM_DIR/crash.err" >&2
		fail "$* with CDCPACK_FAULT=crash:$point exited $got, expected 137 (SIGKILL)"
	fi
	assert_contains "$CM_DIR/crash.err" "crash at $point"
}

# cm_crash_scenario POINT: the crash matrix case. A writer plays steps
# (at most 120); a run is killed at POINT (CDCPACK_FAULT=crash:POINT,
# SIGKILL) while it writes; the next run must carry forward the batch the
# killed run left (none at after-capture and after-ack); two more runs while
# the writer works; the writer stops; runs until idle. Then: no object published before the
# rerun changed, and cm_check_all. The lake is on (CM_LAKE_CONFIG), so
# every point also checks that each change lands in the lake once.
cm_crash_scenario() {
	local point=$1 runs=0 recovered=1
	[[ $point == after-capture || $point == after-ack ]] && recovered=0
	cm_case "$point"
	CM_LAKE=1
	cm_setup "${CM_LAKE_CONFIG[@]}"
	cm_writer_script 120
	cm_writer_start
	wait_for 30 "the writer's first changes" cm_changelog_has 3
	cm_killed_at "$point" run
	cm_writer_running || echo "note: the writer ended before the crash" >&2
	cm_published_sums >"$CM_DIR/before.sha"

	cdc --json run
	cm_expect_recovered "$recovered" "batches the run after a crash at $point recovered"
	while cm_writer_running && ((runs++ < 2)); do
		sleep 0.2
		cdc --json run
		cm_expect_recovered 0 "batches recovered by a later run"
	done
	cm_writer_stop
	echo "$point: the writer played $CM_WRITER_STEPS steps"
	cm_rerun_and_check 10 "$CM_DIR/before.sha"
}

CM_POINTS=(after-capture after-stage mid-upload after-upload after-publish mid-lake after-lake
	mid-ack after-ack)

# cm_tmpfs DIR SIZE: mounts a fresh tmpfs of SIZE (mount's size=, e.g. 4m)
# on DIR, unmounted when the case or test ends. Returns 1, saying why, when
# mounting is not permitted (not root, no CAP_SYS_ADMIN): the caller then
# injects the failure another way. CM_NO_MOUNT=1 makes it return 1 (to
# try that way where mounting works).
cm_tmpfs() {
	mkdir -p "$1"
	if [[ -n ${CM_NO_MOUNT:-} ]] && echo "CM_NO_MOUNT is set" >"$CM_DIR/mount.err" ||
		! mount -t tmpfs -o "size=$2,mode=0700" tmpfs "$1" 2>"$CM_DIR/mount.err"; then
		echo "note: cannot mount a tmpfs on $1 ($(cat "$CM_DIR/mount.err")): injecting the failure instead" >&2
		return 1
	fi
	cm_on_exit "umount '$1' || umount -l '$1'"
}

# cm_fill DIR FREE: a file DIR/.filler leaves about FREE bytes free on
# DIR's file system (0: full, as far as dd can fill it).
cm_fill() {
	local dir=$1 free=$2 avail
	rm -f "$dir/.filler"
	avail=$(($(stat -f -c '%a * %S' "$dir")))
	if ((free == 0)); then
		dd if=/dev/zero of="$dir/.filler" bs=64k status=none 2>/dev/null || true
	elif ((avail > free)); then
		fallocate -l $((avail - free)) "$dir/.filler"
	fi
}

# cm_unfill DIR: the space cm_fill took is free again.
cm_unfill() {
	rm -f "$1/.filler"
}

# cm_bulk N: one transaction inserts accounts 100001..100000+N with
# 300-digit owners (about 310 bytes a row in a cdc file), the rows they
# ship appended to want.acct.csv (SQLite source only).
cm_bulk() {
	cm_sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
		INSERT INTO acct SELECT 100000 + i, printf('%0300d', i), i FROM n"
	cm_sql "SELECT 'I', id, owner, bal FROM acct WHERE id > 100000 AND id <= 100000 + $1 ORDER BY id" |
		tr '\t' ',' >>"$CM_DIR/want.acct.csv"
}

# cm_writer_play N: the writer's first N steps, at once, in the foreground.
cm_writer_play() {
	cm_writer_script "$1"
	cm_writer_start 0
	cm_writer_wait
}

# cm_state_snapshot: what a failed run must leave alone: the changelog
# (count, lowest and highest seq), the published objects, the acknowledged
# batches of the state database.
cm_state_snapshot() {
	cm_sql "SELECT COUNT(*), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM cdcpack_changelog"
	cm_fetch
	published
	sqlite3 "file:$STATE_DIR/state.db?mode=ro" "SELECT seq, state FROM batches WHERE state = 3 ORDER BY seq" 2>&1
}

# cm_limit_file_size KB: from now on $CDCPACK runs with RLIMIT_FSIZE of KB
# KiB and SIGXFSZ ignored, so a write past KB fails (EFBIG): the stand-in
# for a full disk where mounting is not permitted. cm_unlimit undoes it.
cm_limit_file_size() {
	_cm_real=${_cm_real:-$CDCPACK}
	printf '#!/usr/bin/env bash\ntrap "" XFSZ\nulimit -f %s\nexec %q "$@"\n' "$1" "$_cm_real" \
		>"$CM_DIR/limited"
	chmod +x "$CM_DIR/limited"
	CDCPACK=$CM_DIR/limited
}

cm_unlimit() {
	CDCPACK=${_cm_real:-$CDCPACK}
}

# cm_expect_runtime_failure WHAT PATH: the last cdcpack command exited 3 (the
# caller used cdc_status 3) and its message names PATH; the snapshot taken
# before ($CM_DIR/before.state) still holds: nothing was acknowledged or
# published.
cm_expect_runtime_failure() {
	assert_contains "$T/last.err" "$2"
	echo "$1: $(grep -m1 ERROR "$T/last.err")"
	cm_state_snapshot >"$CM_DIR/after.state"
	if ! cmp -s "$CM_DIR/before.state" "$CM_DIR/after.state"; then
		diff "$CM_DIR/before.state" "$CM_DIR/after.state" >&2 || true
		fail "$1: the failed run changed the changelog, the published objects or the acked batches (< before, > after)"
	fi
}

# cm_random_kills_scenario MAX_KILLS [MAX_ROWS]: runs killed with SIGKILL at
# random moments while a writer plays (batches of at most MAX_ROWS rows,
# default 25, so a run has several batches to be killed in); at most 3 * MAX_KILLS runs are
# started. The delays spread over five times the time an idle run takes
# (measured first), from a fixed seed, printed (CM_KILL_SEED overrides). Then runs until idle and cm_check_all; no published key was
# written twice.
cm_random_kills_scenario() {
	local max=$1 seed=${CM_KILL_SEED:-7} kills=0 tries=0 run ms
	cm_case random-kills
	cm_setup '[batch]' "max_rows = ${2:-25}"
	# the delays spread over five times what an idle run takes here and
	# now: over the start, and one or several batches of a busy run
	local t0=$EPOCHREALTIME span
	cdc run
	span=$(((${EPOCHREALTIME/./} - ${t0/./}) * 5 / 1000))
	((span > 300)) || span=300
	cm_writer_script 300
	cm_writer_start
	RANDOM=$seed
	echo "random kills: seed $seed (CM_KILL_SEED=$seed reproduces the delays), within $span ms"
	while ((kills < max && tries++ < 3 * max)); do
		"$CDCPACK" run >>"$CM_DIR/runs.log" 2>&1 &
		run=$!
		ms=$((RANDOM % span))
		sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
		if kill -9 "$run" 2>/dev/null; then
			kills=$((kills + 1))
			echo "kill $kills after $ms ms"
		else
			echo "run $tries ended before its kill at $ms ms"
		fi
		wait "$run" 2>/dev/null || true
	done
	cm_writer_stop
	echo "the writer played $CM_WRITER_STEPS steps"
	echo "the killed runs logged: $(grep -oE '(recovering|batch (staged|uploaded|published|acknowledged)) ' \
		"$CM_DIR/runs.log" | sort | uniq -c | tr -s ' \n' ' ')"
	cm_rerun_and_check 30
	if [[ $CM_MODE == binlog ]]; then
		assert_eq "acct item" "$(cm_sql "SHOW TABLES" | LC_ALL=C sort | xargs)" "tables of the source (no changelog)"
	else
		assert_eq 0 "$(cm_changelog_count)" "changelog rows left after the runs"
	fi
	echo "random kills: $kills kills survived in $tries runs (seed $seed)"
	((kills >= max / 2)) || fail "only $kills of $max kills landed: the runs ended too fast to test anything"
}

# cm_sigterm_scenario ROUNDS: `run --every 1s` gets SIGTERM at random
# moments (fixed seed, printed; CM_KILL_SEED overrides) while a writer
# plays; each time it must exit 0 within 20 s, having left nothing half
# done (at most one batch between staged and acked, no unfinished multipart
# upload) and the next loop starts fine. Then runs until idle and
# cm_check_all.
cm_sigterm_scenario() {
	local rounds=$1 seed=${CM_KILL_SEED:-11} round pid ms
	cm_case sigterm-every
	cm_setup '[batch]' 'max_rows = 25'
	cm_writer_script 300
	cm_writer_start 0.05
	RANDOM=$seed
	echo "SIGTERM: seed $seed (CM_KILL_SEED=$seed reproduces the delays)"
	for ((round = 1; round <= rounds; round++)); do
		"$CDCPACK" run --every 1s >"$CM_DIR/every.$round.out" 2>"$CM_DIR/every.$round.err" &
		pid=$!
		# the random delay counts from when the SIGTERM handler is in
		# place (cm_sigterm_at_start_scenario tests the time before)
		wait_for 20 "run --every to catch SIGTERM" cm_catches_sigterm "$pid"
		ms=$((RANDOM % 2500))
		sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
		kill -TERM "$pid"
		wait_exit "$pid" 20
		cp "$CM_DIR/every.$round.err" "$T/last.err"
		assert_eq 0 "$EXIT_STATUS" \
			"exit status of run --every after SIGTERM at $ms ms (log: $(tail -n 3 "$CM_DIR/every.$round.err"))"
		assert_not_contains "$CM_DIR/every.$round.err" " ERROR "
		cdc --json status
		local unfinished
		unfinished=$(jq '.batches.staged + .batches.uploaded + .batches.published' "$T/last.out")
		((unfinished <= 1)) || fail "$unfinished unfinished batches after SIGTERM at $ms ms"
		if [[ $CM_TARGET == s3 ]]; then
			assert_eq "[]" "$(s3_control GET /uploads | jq -c --arg p "$CM_PREFIX/" 'map(select(.key | startswith($p)))')" \
				"unfinished multipart uploads after SIGTERM at $ms ms"
		fi
		echo "round $round: SIGTERM at $ms ms, exit 0, $unfinished batch(es) left to carry forward"
	done
	cm_writer_stop
	echo "the writer played $CM_WRITER_STEPS steps"
	cm_rerun_and_check 30
}

# cm_catches_sigterm PID: PID has a handler for SIGTERM (SigCgt of
# /proc/PID/status, bit 15).
cm_catches_sigterm() {
	local mask
	mask=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
	[[ -n $mask ]] && ((0x$mask & (1 << 14)))
}

# cm_sigterm_at_start_scenario: SIGTERM reaches `run --every 1s` as it
# starts (within its first 20 ms), before it may have done anything: it
# stops cleanly too -- exit 0, nothing left unfinished -- and the next run
# ships what waits.
cm_sigterm_at_start_scenario() {
	cm_case term-at-start
	cm_setup
	cm_writer_play 8
	local round pid
	for ((round = 1; round <= 3; round++)); do
		"$CDCPACK" run --every 1s >"$CM_DIR/start.$round.out" 2>"$CM_DIR/start.$round.err" &
		pid=$!
		# The first thing run does is take SIGTERM; before that the process is
		# still being loaded (no program can catch a signal before its main),
		# so the signal goes as soon as the handler is there, plus 0-10 ms.
		wait_for 20 "run --every to catch SIGTERM" cm_catches_sigterm "$pid"
		sleep 0.00$(((round - 1) * 5))
		kill -TERM "$pid"
		wait_exit "$pid" 20
		assert_eq 0 "$EXIT_STATUS" \
			"exit status of run --every after SIGTERM $(((round - 1) * 5)) ms after it could catch it (log: $(tail -n 3 "$CM_DIR/start.$round.err"))"
	done
	cdc --json status
	assert_eq 0 "$(jq '.batches.staged + .batches.uploaded + .batches.published' "$T/last.out")" \
		"unfinished batches after SIGTERM at start"
	cm_rerun_and_check 10
}

# cm_sigterm_held_scenario POINT...: for each POINT in turn, new changes,
# then `run --every 1s` held at POINT (CDCPACK_FAULT=delay:POINT:1500)
# gets SIGTERM: it exits 0 between steps without acknowledging, so its
# batch is left unfinished (staged, uploaded or published), and the next
# run carries it forward. Then cm_check_all.
cm_sigterm_held_scenario() {
	local point first=1
	cm_case term-held
	cm_setup
	for point in "$@"; do
		cm_writer_script 4 "$first"
		first=$((first + 4))
		cm_writer_start 0
		cm_writer_wait
		start_held held "$point" 1500 run --every 1s
		kill -TERM "$HELD_PID"
		wait_exit "$HELD_PID" 20
		assert_eq 0 "$EXIT_STATUS" "exit status after SIGTERM held at $point (log: $(tail -n 3 "$T/held.err"))"
		assert_not_contains "$T/held.err" " ERROR "
		cdc --json status
		assert_eq 1 "$(jq '.batches.staged + .batches.uploaded + .batches.published' "$T/last.out")" \
			"unfinished batches after SIGTERM held at $point"
		cdc --json run
		cm_expect_recovered 1 "batches the run after SIGTERM held at $point recovered"
		echo "SIGTERM held at $point: exit 0, its batch finished by the next run"
	done
	cm_rerun_and_check 10
}
