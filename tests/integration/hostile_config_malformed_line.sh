#!/usr/bin/env bash
# A line that is neither a comment, a [section] nor key = value (words, a
# key without '=', '= value' without a key, a section header not closed or
# followed by text, a UTF-8 byte order mark being fine) is exit 2 naming
# file:line and the line.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

refused_line 'just some words' "expected 'key = value', got 'just some words'" 'key = value'
refused_line 'url' "expected 'key = value', got 'url'" 'key = value'
refused_line '= file:x' "expected 'key = value', got no key before '='" 'key = value'
refused_line '[state' "malformed section header '[state'" 'malformed'
refused_line '[state] dir = x' "malformed section header '[state] dir = x'" 'malformed'
refused_line 'url: file:x' "expected 'key = value', got 'url: file:x'" 'key = value'
# A byte order mark (Windows editors) and CRLF line ends are fine.
sqlite3 "$T/src.db" "CREATE TABLE t(id INTEGER PRIMARY KEY)"
{ printf '\xef\xbb\xbf'; good_config | sed 's/$/\r/'; } >"$T/windows.conf"
cdc -c "$T/windows.conf" status
