#!/usr/bin/env bash
# Long work draws a progress line when stderr is a terminal, and nothing of
# the kind when it is a pipe or a file (cron, CI, log files). Short work draws
# nothing at all (the bar waits 200 ms), so the test makes the upload long
# for certain: an uncompressed archive of several MiB, with a delay injected
# at its midpoint; the bytes copied after the delay must be drawn.
source "$(dirname "$0")/../lib/common.sh"

sqlite3 src.db "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
  INSERT INTO t SELECT i, printf('%0200d', i) FROM n;"
write_config c.conf sqlite:src.db "file:$T/bucket" '[batch]' 'compression = none'
export CDCPACK_FAULT=delay:mid-upload:400

# Not a terminal: no carriage returns or escape sequences anywhere.
assert_status 0 "$CDCPACK" -c c.conf load
assert_contains last.err 'fault injected: delay at mid-upload'
if grep -q $'\r\|\033' last.err last.out; then
	fail "progress drawn on a pipe: $(od -c last.err | head -5)"
fi

# A terminal (script(1) gives the command a pty): the bar shows up.
rm -rf state bucket
script -qec "'$CDCPACK' -c c.conf load" /dev/null >tty.out 2>&1 </dev/null ||
	fail "load on a pty failed: $(tail -5 tty.out)"
grep -q 'fault injected: delay at mid-upload' tty.out || fail "no delay injected on the pty: $(cat tty.out)"
grep -q $'\rupload \\[#*  *\\] *[0-9]*% [0-9]*/[0-9]* bytes\033\\[K' tty.out ||
	fail "no progress line on a terminal: $(od -c tty.out | head -20)"

# ... and -q silences it like every other non-error output on stderr.
rm -rf state bucket
script -qec "'$CDCPACK' -q -c c.conf load" /dev/null >quiet.out 2>&1 </dev/null
[ -n "$(ls bucket/cdc 2>/dev/null)" ] || fail "load under -q on a pty published nothing: $(cat quiet.out)"
if grep -q 'upload \[' quiet.out; then
	fail "progress drawn under -q: $(od -c quiet.out | head)"
fi
