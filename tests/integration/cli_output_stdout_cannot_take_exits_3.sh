#!/usr/bin/env bash
# A report that cannot be written (stdout on a full disk: /dev/full, or
# under ulimit -f) ends the command with exit 3 and "stdout: write: ...",
# never 0 (or diff/verify's 1) for a report nobody can read: status, ls,
# verify -v, diff, show and their --json reports; output that fits still
# exits as before (issue 18: an operating-system limit ends a command with
# exit 3 and a message).
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"

persons_loaded
sql "UPDATE Persons SET FullName = FullName || 'x'"
cdc run
cp "$SRC_DB" "$T/other.db"
sqlite3 "$T/other.db" "DELETE FROM Persons WHERE PersonID % 2 = 0"
key=$(ls "$BUCKET"/cdc/src/*/*/*/* | head -n 1)

# full CMD...: cdcpack CMD with stdout on /dev/full exits 3 saying so.
full() {
	local got=0
	"$CDCPACK" "$@" >/dev/full 2>"$T/last.err" || got=$?
	[[ $got -eq 3 ]] || fail "cdcpack $* >/dev/full exited $got, expected 3: $(cat "$T/last.err")"
	assert_contains "$T/last.err" "stdout: write: No space left on device"
}
for json in "" --json; do
	full status $json
	full ls $json
	full show $json "$key"
	full verify --against "sqlite:$T/other.db" -v $json
	full diff "sqlite:$SRC_DB" "sqlite:$T/other.db" $json
done
# Where the output fits, the exit codes are as before.
cdc status
cdc_status 1 verify --against "sqlite:$T/other.db"
cdc_status 1 diff "sqlite:$SRC_DB" "sqlite:$T/other.db"
# ulimit -f: the write fails (EFBIG) and says so, exit 3, no signal death.
got=0
(
	ulimit -f 0
	exec perl -e '$SIG{XFSZ} = "DEFAULT"; exec @ARGV or die "exec: $!"' \
		"$CDCPACK" status >"$T/status.out" 2>/dev/null
) || got=$?
assert_eq 3 "$got" "status under ulimit -f 0"
echo "ok"
