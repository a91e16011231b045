#!/usr/bin/env bash
# Long work (a load) draws a progress line when stderr is a terminal, and
# nothing of the kind when it is a pipe or a file (cron, CI, log files).
source "$(dirname "$0")/../lib/common.sh"

sqlite3 src.db "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
  INSERT INTO t SELECT i, printf('%0200d', i) FROM n;"
write_config c.conf sqlite:src.db "file:$T/bucket"

# Not a terminal: no carriage returns or escape sequences anywhere.
assert_status 0 "$CDCPACK" -c c.conf load
if grep -q $'\r\|\033' last.err last.out; then
	fail "progress drawn on a pipe: $(od -c last.err | head -5)"
fi

# A terminal (script(1) gives the command a pty): the bar shows up.
rm -rf state bucket
script -qec "'$CDCPACK' -c c.conf load" /dev/null >tty.out 2>&1 </dev/null ||
	fail "load on a pty failed: $(tail -5 tty.out)"
grep -q 'load t: [0-9]* rows' tty.out || fail "no progress line on a terminal: $(head -c 600 tty.out | od -c | head)"
# ... and -q silences it like every other non-error output on stderr.
rm -rf state bucket
script -qec "'$CDCPACK' -q -c c.conf load" /dev/null >quiet.out 2>&1 </dev/null
grep -q 'published load' quiet.out || fail "load under -q on a pty did not run: $(cat quiet.out)"
if grep -q 'load t: [0-9]* rows' quiet.out; then
	fail "progress drawn under -q"
fi
