#!/usr/bin/env bash
# DMS's output options in [batch] (issue 13 item 3) refuse values that
# would break the change files' format or could not be read back: a
# csv_delimiter that is the quote, a line end, more than one character or a
# multi-byte one, or a character unquoted values use (digits, letters,
# - + . / = '); a csv_null_value that holds a quote or the delimiter, reads
# as a number or a BLOB literal, or is too long; an unknown binary_encoding
# or cdc_ops; a timestamp_column name with a control character. Each is
# exit 2 naming file:line (or the file) and the key, and nothing is done.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

refused_line 'csv_delimiter = "' "csv_delimiter: '\"' is the quote" '' batch
refused_line 'csv_delimiter = "\\n"' "csv_delimiter: '\\\\n' is not one ASCII character" '' batch
refused_line 'csv_delimiter = ab' "csv_delimiter: 'ab' is not one ASCII character" '' batch
refused_line 'csv_delimiter = é' "csv_delimiter: 'é' is not one ASCII character" '' batch
refused_line 'csv_delimiter = ' "csv_delimiter: '' is not one ASCII character" '' batch
# (the control byte as a log line spells it, \xHH: docs/design.md §9 "Names")
refused_line 'csv_delimiter = "\x01"' "csv_delimiter: '\\x01' is a letter, a digit or a control character" '' batch
for c in 1 x E; do
	refused_line "csv_delimiter = $c" "csv_delimiter: '$c' is a letter, a digit or a control character" '' batch
done
for c in - + . / = "'"; do
	refused_line "csv_delimiter = $c" "csv_delimiter: '$c' appears in unquoted values" '' batch
done
refused_line 'csv_null_value = 0' "csv_null_value: '0' reads as a number or a BLOB literal" '' batch
refused_line 'csv_null_value = Infinity' "csv_null_value: 'Infinity' reads as a number" '' batch
refused_line "csv_null_value = X'00'" "csv_null_value: 'X'00'' reads as a number or a BLOB literal" '' batch
refused_line 'csv_null_value = say "null"' "csv_null_value: 'say \"null\"' holds a quote" '' batch
refused_line "csv_null_value = $(printf 'n%.0s' {1..33})" "csv_null_value: '$(printf 'n%.0s' {1..33})' is longer than 32 bytes" '' batch
refused_line 'binary_encoding = base32' "binary_encoding: 'base32' is not a binary encoding" 'hex | base64' batch
refused_line 'binary_encoding = HEX' "binary_encoding: 'HEX' is not a binary encoding" 'hex | base64' batch
refused_line 'cdc_ops = deletes' "cdc_ops: 'deletes' is not one of" 'all | inserts | inserts_and_updates' batch
refused_line 'timestamp_column = a\tb' "timestamp_column: 'a" 'holds a control character' batch

# The NULL marker holding the delimiter, whichever line comes first.
for order in null-first delimiter-first; do
	lines=('csv_null_value = a|b' 'csv_delimiter = |')
	[[ $order == delimiter-first ]] && lines=('csv_delimiter = |' 'csv_null_value = a|b')
	{ good_config; printf '[batch]\n'; printf '%s\n' "${lines[@]}"; } >"$T/bad.conf"
	echo "case: $order"
	config_refused "$T/bad.conf" "bad.conf: [batch] csv_null_value: 'a|b'" "holds a quote, a line end or the delimiter"
done

# The values the README shows are accepted.
sqlite3 "$T/src.db" "CREATE TABLE t(id INTEGER PRIMARY KEY)"
{
	good_config
	printf '%s\n' '[batch]' 'csv_delimiter = \t' 'csv_null_value = \N' 'binary_encoding = base64' \
		'cdc_ops = inserts_and_updates' 'timestamp_column = changed at'
} >"$T/ok.conf"
cdc -c "$T/ok.conf" init
{ good_config; printf '%s\n' '[batch]' 'csv_delimiter = ";"' 'csv_null_value = "NULL"'; } >"$T/ok2.conf"
cdc -c "$T/ok2.conf" init
