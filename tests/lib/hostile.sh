# Helpers for the hostile_*.sh integration tests: a real chain published by
# the binary (SQLite source "src" -> file: bucket), a replica applied up to
# batch 2, and tools to take batch 3 apart and rebuild it the wrong way.
# Source after tests/lib/common.sh and tests/lib/core.sh.
#
# After hostile_setup:
#   $VICTIM      the bucket file of batch 3 (a cdc batch touching t and a
#                table u that first appears in it); $PRISTINE a copy of it
#   $NEXT        the bucket file of batch 4
#   $REPLICA     a SQLite replica at batch 2; $T/replica.before its dump
#   $T/parts/    batch 3 unpacked: manifest.json and the change files
#   $DATA        the path (in the archive) of batch 3's change file for t

# Debian's python3 (tarfile) straight away: a pyenv shim in PATH costs a
# second per start, and the tests start it once per forged archive.
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3

# hostile_setup [--new-table]: publish batches 1 (load) .. 4, apply 1..2
# to the replica. With --new-table, batch 3 also carries a table u that the
# replica does not have yet.
hostile_setup() {
	local new_table=${1:-}
	# cdcpack's temp dirs (show, apply) go a few levels down in $T, so that
	# an entry climbing out with ".." would still land inside $T.
	export TMPDIR=$T/tmp/a/b/c
	mkdir -p "$TMPDIR"
	sqlite3 "$SRC_DB" "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, price REAL, data BLOB);
		INSERT INTO t VALUES (1, 'one', 1.5, x'01'), (2, 'two, \"2\"', NULL, NULL), (3, '', 0.25, x'');"
	core_config
	cdc triggers install
	cdc load
	sql "UPDATE t SET name = 'uno' WHERE id = 1; INSERT INTO t VALUES (4, 'four', 4.0, x'04');"
	cdc run
	REPLICA=$T/replica.db
	cdc apply --to "sqlite:$REPLICA"
	if [[ $new_table == --new-table ]]; then
		sql "CREATE TABLE u(k TEXT PRIMARY KEY, v INTEGER);"
		cdc triggers install
		sql "INSERT INTO u VALUES ('a', 1), ('b', 2);"
	fi
	sql "UPDATE t SET price = 9.75 WHERE id = 2; DELETE FROM t WHERE id = 3;
	     INSERT INTO t VALUES (5, 'five', 5.5, x'0505');"
	cdc run
	sql "INSERT INTO t VALUES (6, 'six', 6.0, NULL);"
	cdc run
	mapfile -t _published < <(published)
	assert_eq 4 "${#_published[@]}" "published batches after setup"
	VICTIM=${_published[2]}
	NEXT=${_published[3]}
	PRISTINE=$T/pristine.tar.zst
	cp "$VICTIM" "$PRISTINE"
	replica_dump >"$T/replica.before"
	rm -rf "$T/parts" && mkdir -p "$T/parts"
	tar --zstd -xf "$PRISTINE" -C "$T/parts"
	DATA=$(jq -r '.tables[] | select(.name == "t") | .file' "$T/parts/manifest.json")
	[[ -n $DATA && -f $T/parts/$DATA ]] || fail "batch 3 has no change file for t"
}

# replica_dump: the whole replica, cdcpack_applied included.
replica_dump() {
	sqlite3 "$REPLICA" .dump
}

# restore: batch 3 and 4 as published.
restore() {
	cp "$PRISTINE" "$VICTIM"
	[[ -e $NEXT ]] || fail "batch 4 went missing"
}

# mktar OUT SPEC...: writes an uncompressed pax tar with python's tarfile,
# entries in the order given. SPEC is one of
#   NAME=FILE              a regular file with FILE's bytes
#   symlink:NAME=TARGET    hardlink:NAME=TARGET    dir:NAME
#   size:NAME=FILE:SIZE    a header declaring SIZE bytes, then FILE's bytes
#                          and the end of the tar (a huge or lying size)
mktar() {
	"$PY" - "$@" <<'PY'
import sys, tarfile, io, os
out, specs = sys.argv[1], sys.argv[2:]
with open(out, "wb") as raw:
    tf = tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT)
    for spec in specs:
        kind, _, rest = spec.partition(":") if spec.split("=", 1)[0].count(":") else ("file", "", spec)
        name, _, arg = rest.partition("=")
        ti = tarfile.TarInfo(name)
        ti.mtime, ti.mode = 0, 0o644
        if kind == "file":
            data = open(arg, "rb").read()
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
        elif kind in ("symlink", "hardlink"):
            ti.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
            ti.linkname = arg
            tf.addfile(ti)
        elif kind == "dir":
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            tf.addfile(ti)
        elif kind == "size":
            path, size = arg.rsplit(":", 1)
            ti.size = int(size)
            tf.fileobj.write(ti.tobuf(tarfile.PAX_FORMAT, tf.encoding, tf.errors))
            tf.fileobj.write(open(path, "rb").read())
            tf.fileobj.write(b"\0" * 1024)
            raw.flush()
            sys.exit(0)
        else:
            sys.exit("mktar: unknown spec " + spec)
    tf.close()
PY
}

# build_victim SPEC...: batch 3 rebuilt from SPECs (as mktar's, with
# FILE relative to $T/parts), zstd-compressed, at batch 3's key.
build_victim() {
	local specs=() s name
	for s in "$@"; do
		case $s in
		symlink:* | hardlink:* | dir:*) specs+=("$s") ;;
		size:*)
			name=${s%%=*}
			specs+=("$name=$T/parts/${s#*=}")
			;;
		*) specs+=("${s%%=*}=$T/parts/${s#*=}") ;;
		esac
	done
	mktar "$T/victim.tar" "${specs[@]}"
	zstd -q -f "$T/victim.tar" -o "$VICTIM"
}

# honest_entries: "NAME=NAME" for manifest.json and each listed file,
# in the manifest's order: the specs of an honest archive.
honest_entries() {
	echo "manifest.json=manifest.json"
	jq -r '.tables[].file | "\(.)=\(.)"' "$T/parts/manifest.json"
}

# edit_manifest [JQ OPTIONS] FILTER: $T/parts/manifest.json is batch 3's
# manifest (the pristine one, each time) passed through jq, and resealed
# (seal_manifest) as a forger would: its own checksum is no signature.
edit_manifest() {
	tar --zstd -xOf "$PRISTINE" manifest.json | jq "$@" >"$T/parts/manifest.json"
	seal_manifest "$T/parts/manifest.json"
}

# seal_manifest FILE: sets the manifest's "manifest_xxh128" to the XXH3-128
# of FILE's bytes with those 32 digits read as zeros (README, "Archive
# layout"), computed apart from cdcpack with sed and xxhsum.
seal_manifest() {
	local re='("manifest_xxh128": ")[0-9a-f]{32}' sum
	sum=$(sed -E "s/$re/\\1$(printf '0%.0s' {1..32})/" "$1" | xxhsum -H2 - | cut -d' ' -f1)
	sed -i -E "s/$re/\\1$sum/" "$1"
}

# assert_error_matches ERE: the last command's stderr matches ERE.
assert_error_matches() {
	grep -qE -- "$1" "$T/last.err" || {
		cat "$T/last.err" >&2
		fail "stderr does not match [$1]"
	}
}

# expect_refused WHAT FAULT_ERE: `show` of the victim file exits 3 (or
# $REFUSED_STATUS) naming the archive and the fault (an extended regexp);
# `apply` exits the same naming
# the object key and the fault, and the replica is unchanged (whole dump,
# cdcpack_applied included). WHAT=apply runs apply only (faults only apply
# can see: the chain, the rows); WHAT=both runs both.
expect_refused() {
	local what=$1 fault=$2
	if [[ $what != apply ]]; then
		cdc_status "${REFUSED_STATUS:-3}" show "$VICTIM"
		assert_contains "$T/last.err" "$VICTIM: "
		assert_error_matches "$fault"
	fi
	cdc_status "${REFUSED_STATUS:-3}" apply --to "sqlite:$REPLICA"
	assert_contains "$T/last.err" "${REFUSED_KEY:-${VICTIM#"$BUCKET/"}}"
	assert_error_matches "$fault"
	replica_dump >"$T/replica.after"
	if ! cmp -s "$T/replica.before" "$T/replica.after"; then
		diff "$T/replica.before" "$T/replica.after" >&2 || true
		fail "the replica changed after a refused apply ($fault)"
	fi
	assert_eq 2 "$(sqlite3 "$REPLICA" 'SELECT max(seq) FROM cdcpack_applied')" \
		"last applied batch after a refused apply ($fault)"
}

# finish: with batch 3 restored, apply brings the replica to batch 4 and it
# equals the source: nothing the refusals did got in the way.
finish() {
	restore
	cdc apply --to "sqlite:$REPLICA"
	assert_eq 4 "$(sqlite3 "$REPLICA" 'SELECT max(seq) FROM cdcpack_applied')" "replica batch at the end"
	assert_eq "$(sqlite_dump_tables "$SRC_DB")" "$(sqlite_dump_tables "$REPLICA")" "replica vs source at the end"
}

# nothing_left: cdcpack wrote nothing outside its own temp dirs and removed
# those: no file named escape* anywhere in $T but the parts it was built
# from, no link anywhere under $T/tmp, and no leftover cdcpack-* temp dir.
nothing_left() {
	local stray
	stray=$(find "$T" -name 'escape*' ! -path "$T/parts/*" 2>/dev/null)
	[[ -z $stray ]] || fail "files written outside the extraction dir: $stray"
	stray=$(find "$T/tmp" -type l)
	[[ -z $stray ]] || fail "links created: $stray"
	stray=$(find "$TMPDIR" -mindepth 1 -maxdepth 1)
	[[ -z $stray ]] || fail "temp dirs left behind: $stray"
}

# ---- hostile configs and arguments (hostile_config_*.sh) ----

# A config that is fine, to break one line of: source sqlite:$T/src.db,
# target file:$T/bucket, state $T/state. Lines 1-9.
good_config() {
	printf '[source]\nurl = sqlite:%s/src.db\nname = src\n\n[state]\ndir = %s/state\n\n[target]\nurl = file:%s/bucket\n' \
		"$T" "$T" "$T"
}

# nothing_done: a refused command created no state dir and no bucket.
nothing_done() {
	[[ ! -e $T/state ]] || fail "a refused command created the state dir"
	[[ ! -e $T/bucket ]] || fail "a refused command created the bucket"
}

# config_refused FILE WHERE WHY: `run -c FILE` and `init` with
# CDCPACK_CONFIG=FILE each exit 2 naming WHERE (like "bad.conf:7: mode")
# and WHY, and do nothing. (Every command loads the config the same way,
# cmd_load_config; run and init are the ones that would create things.)
config_refused() {
	local file=$1 where=$2 why=$3
	cdc_status 2 -c "$file" run
	assert_contains "$T/last.err" "$where"
	assert_contains "$T/last.err" "$why"
	CDCPACK_CONFIG=$file cdc_status 2 init
	assert_contains "$T/last.err" "$where"
	assert_contains "$T/last.err" "$why"
	nothing_done
}

# refused_line LINE_TEXT WHERE_SUFFIX WHY [SECTION]: the good config with
# LINE_TEXT (printf %b) appended (after "[SECTION]" when given), refused
# with "bad.conf:N: WHERE_SUFFIX" where N is the line it landed on.
refused_line() {
	local text=$1 where=$2 why=$3 section=${4:-} n
	{
		good_config
		[[ -n $section ]] && printf '[%s]\n' "$section"
		printf '%b\n' "$text"
	} >"$T/bad.conf"
	n=$(wc -l <"$T/bad.conf")
	echo "case: line $n: $(printf '%b' "$text" | tr -d '\0')"
	config_refused "$T/bad.conf" "bad.conf:$n: $where" "$why"
}

# args_refused WHAT_ERE CDCPACK_ARGS...: exits 2 with stderr matching
# WHAT_ERE, and does nothing.
args_refused() {
	local what=$1
	shift
	echo "case: cdcpack $*"
	cdc_status 2 "$@"
	grep -qE -- "$what" "$T/last.err" || {
		cat "$T/last.err" >&2
		fail "cdcpack $*: stderr does not match [$what]"
	}
	nothing_done
}
