#!/usr/bin/env bash
# Where the S3 BLOB run's time goes (bench_s3.sh's "run of BLOB changes to
# S3"), step by step, from the `-v` log's timestamps: the same database
# (BENCH_BLOB_CHANGES inserts of randomblob(1500), default 100000, triggers
# installed), copied back before each run, over an empty prefix of the test
# S3 server (tests/lib/service-s3.sh). Each round runs every binary in every
# configuration (the default; `[capture] changelog_secure_delete = fast`;
# `[target] upload_while_compressing = true`; PHASES_CONFS="default fast
# stream" picks, e.g. for a binary older than the last), alternating, so that
# a shared machine's drifting load weighs on all alike. Not part of `make bench` (it explains a line, it has no peer).
#   bash tests/bench/s3_blob_phases.sh [RUNS [BIN...]]   (default: 3, bin/cdcpack)
# One line per run: wall, user + sys of cdcpack and of the two node processes
# (the SigV4 front and s3rver), then the steps (seconds):
#   capture   start to the end of compression (reading the changelog, the
#             CSV, zstd; with the first run's claim of the source name)
#   stage     the archive written from the compressed frames, fsynced, renamed,
#             recorded
#   check     the upload's pass over the staged archive (XXH3-128 against the
#             staging's, each part's SHA-256), with its HEAD and list calls
#             (0 for an archive of one part: counted in upload)
#   upload    the parts sent and the multipart upload completed and checked:
#             with parts sent while compressing (a build with them: the -v
#             line "N of them sent while compressing" ends the check), those
#             left after staging
#   early     the parts sent while compressing (that line's N; 0 without)
#   publish   the copy to the final key and its check (HEAD)
#   deltemp   the temp object deleted
#   delete    the acknowledgement's DELETE (with the library's secure_delete,
#             the erasure of every freed page into the WAL)
#   commit    the acknowledgement's commit, whose auto-checkpoint copies the
#             WAL's pages into the database and fsyncs both
#   close     the state's record, pruning, the source's close (WAL removed)
# Then the medians per binary and configuration.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNS=${1:-3}
shift || true
BINS=("$@")
[[ ${#BINS[@]} -gt 0 ]] || BINS=("$ROOT/bin/cdcpack")
for i in "${!BINS[@]}"; do BINS[i]=$(realpath "${BINS[i]}"); done
CHANGES=${BENCH_BLOB_CHANGES:-100000}
W=$(mktemp -d /tmp/cdcpack-phases.XXXXXX)
mkdir -p "$W/run" && bash "$ROOT/tests/lib/service-s3.sh" start "$W/run" >"$W/s3.log" 2>&1 || {
	cat "$W/s3.log" >&2
	exit 1
}
trap 'bash "$ROOT/tests/lib/service-s3.sh" stop "$W/run" >/dev/null 2>&1; rm -rf "$W"' EXIT
source "$W/run/s3.env"
export AWS_ACCESS_KEY_ID=$CDCPACK_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CDCPACK_TEST_S3_SECRET_KEY
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=
cd "$W"
printf '[source]\nurl = sqlite:%s/blob.db\n[state]\ndir = %s/state\n[target]\nurl = s3://%s/blob\nendpoint = %s\nregion = %s\n' \
	"$W" "$W" "$CDCPACK_TEST_S3_BUCKET" "$CDCPACK_TEST_S3_ENDPOINT" "$CDCPACK_TEST_S3_REGION" >default.conf
cp default.conf fast.conf && printf '[capture]\nchangelog_secure_delete = fast\n' >>fast.conf
# stream: [target] upload_while_compressing = true (the [target] section is last)
cp default.conf stream.conf && printf 'upload_while_compressing = true\n' >>stream.conf
CONFS=${PHASES_CONFS:-default fast stream}
sqlite3 blob.db "PRAGMA journal_mode=WAL; CREATE TABLE b(id INTEGER PRIMARY KEY, payload BLOB);" >/dev/null
"${BINS[0]}" -q -c default.conf triggers install >/dev/null
sqlite3 blob.db "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CHANGES)
  INSERT INTO b SELECT i, randomblob(1500) FROM n; COMMIT; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
cp blob.db blob.base
if [[ -d state ]]; then cp -a state state.base; fi

# cpu_of PID: user + sys clock ticks so far.
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# one BIN CONF: one run; appends its line to results.
one() {
	local bin=$1 conf=$2 f0 s0 f1 s1 w u s
	rm -rf state blob.db* && { test ! -d state.base || cp -a state.base state; } && cp blob.base blob.db
	/usr/bin/aws --endpoint-url "$CDCPACK_TEST_S3_ENDPOINT" --region "$CDCPACK_TEST_S3_REGION" s3 rm \
		--only-show-errors --recursive "s3://$CDCPACK_TEST_S3_BUCKET/blob/"
	sync
	f0=$(cpu_of "$CDCPACK_TEST_S3_FRONT_PID") s0=$(cpu_of "$CDCPACK_TEST_S3RVER_PID")
	/usr/bin/time -f '%e %U %S' -o time.out "$bin" -v -c "$conf" run >/dev/null 2>run.log
	f1=$(cpu_of "$CDCPACK_TEST_S3_FRONT_PID") s1=$(cpu_of "$CDCPACK_TEST_S3RVER_PID")
	read -r w u s <time.out
	python3 - "$bin" "${conf%.conf}" "$w" "$u" "$s" "$((f1 - f0))" "$((s1 - s0))" "$(cut -d' ' -f1 /proc/loadavg)" run.log <<'PY' | tee -a results
import datetime, re, sys
binary, conf, wall, user, sys_s, front, s3rver, load, log = sys.argv[1:]
marks = [("staging", "staging id="), ("staged", "batch staged"),
         ("listed", ("&uploads= ->", "of them sent while compressing")),
         ("uploaded", "batch uploaded"), ("published", "batch published"),
         ("deltemp", "DELETE /"), ("deleted", "acknowledge: rows deleted"),
         ("acked", "batch acknowledged")]
at, first, last, early = {}, None, None, 0
for line in open(log):
    m = re.match(r"(\d{4}-\d\d-\d\dT[\d:.]+)Z \w+ (.*)", line)
    if not m:
        continue
    t = datetime.datetime.fromisoformat(m.group(1)).timestamp()
    first = t if first is None else first
    last = t
    e = re.search(r"parts, (\d+) of them sent while compressing", m.group(2))
    early = int(e.group(1)) if e else early
    for name, text in marks:
        texts = text if isinstance(text, tuple) else (text,)
        after = {"deltemp": "published", "listed": "staged"}.get(name)
        if any(x in m.group(2) for x in texts) and name not in at and (not after or after in at):
            at[name] = t
# An archive of one part (up to [target] part_size, 16 MiB) goes by one PUT
# with no list call: its check is counted in "upload".
at.setdefault("listed", at.get("staged"))
missing = [n for n, _ in marks if at.get(n) is None]
if missing:
    sys.exit(f"s3_blob_phases: {log}: no line for {', '.join(missing)} (a build without the -v lines?)")
steps = [("capture", first, at["staging"]), ("stage", at["staging"], at["staged"]),
         ("check", at["staged"], at["listed"]), ("upload", at["listed"], at["uploaded"]),
         ("publish", at["uploaded"], at["published"]), ("deltemp", at["published"], at["deltemp"]),
         ("delete", at["deltemp"], at["deleted"]), ("commit", at["deleted"], at["acked"]),
         ("close", at["acked"], last)]
print("\t".join([binary, conf, wall, f"{float(user) + float(sys_s):.2f}", f"{int(front) / 100:.2f}",
                 f"{int(s3rver) / 100:.2f}", load] + [f"{b - a:.2f}" for _, a, b in steps] + [str(early)]))
PY
}

header="bin	conf	wall	cpu	front	s3rver	load	capture	stage	check	upload	publish	deltemp	delete	commit	close	early"
echo "$header"
for ((r = 0; r < RUNS; r++)); do
	for bin in "${BINS[@]}"; do
		for conf in $CONFS; do one "$bin" "$conf.conf"; done
	done
done
echo
echo "medians of $RUNS:"
echo "$header"
python3 - results <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
groups = {}
for r in rows:
    groups.setdefault((r[0], r[1]), []).append(r[2:])
for (b, c), vals in groups.items():
    med = [f"{statistics.median(float(v[i]) for v in vals):.2f}" for i in range(len(vals[0]))]
    print("\t".join([b, c] + med))
PY
