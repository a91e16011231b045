#!/usr/bin/env bash
# Every README section another text sends the reader to exists: "(see
# NAME)" and see "NAME" in the README, "README: NAME" in the docs, the
# examples and the binary's own messages and --help. NAME is found as a
# README heading (a line underlined with ---), or as the words that start
# one of its paragraphs or list items ("Erasing acknowledged changes
# (SQLite). ..."). The Commands list sent readers to "Trigger mode", a
# section the README did not have.
source "$(dirname "$0")/../lib/common.sh"

readme=$ROOT/README
# names: one reference a line, "WHERE<TAB>NAME"
{
	grep -noE '\(see [A-Z][A-Za-z -]*[a-z][;)]' "$readme" |
		sed -E 's/^([0-9]+):\(see (.*).$/README:\1\t\2/'
	grep -noE 'see "[A-Z][^"]+"' "$readme" | sed -E 's/^([0-9]+):see "(.*)"$/README:\1\t\2/'
	grep -rnoE 'README: [A-Z][A-Za-z -]*[a-z]' "$ROOT/README" "$ROOT/docs" "$ROOT/examples" |
		sed -E "s|^$ROOT/||; s/^([^:]+:[0-9]+):README: (.*)$/\1\t\2/"
	strings "$CDCPACK" | grep -oE 'README: [A-Z][A-Za-z -]*[a-z]' | sed -E 's/^README: /bin\/cdcpack\t/'
} >refs.txt
(($(wc -l <refs.txt) >= 10)) || fail "found only $(wc -l <refs.txt) README references: $(cat refs.txt)"

# headings: the line above each underline of dashes
awk '/^-{3,}$/ && prev != "" {print prev} {prev = $0}' "$readme" >headings.txt
missing=
while IFS=$'\t' read -r where name; do
	grep -qxF -- "$name" headings.txt && continue
	# a heading that begins with it ("Binlog mode (MariaDB; ...)")
	grep -qF -- "$name (" headings.txt && continue
	# a paragraph or list item led by it
	grep -qE -- "^( *- )?${name}[:.( ]" "$readme" && continue
	missing+="  $where: '$name'"$'\n'
done <refs.txt
[[ -z $missing ]] || fail "README sections named but not in the README:"$'\n'"$missing"
