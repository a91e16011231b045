#!/usr/bin/env bash
# make demo: the main job end to end on an embedded default (a SQLite source
# and a local file: bucket), in build/demo, printing what it published.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cdcpack=$root/bin/cdcpack
work=$root/build/demo
rm -rf "$work"
mkdir -p "$work"
cd "$work"
cp "$here/cdcpack.conf" .

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "create shop.db (101 Persons, 3 Orders) from examples/demo/shop.sql"
sqlite3 shop.db <"$here/shop.sql"

step "cdcpack init"
"$cdcpack" init
step "cdcpack triggers install"
"$cdcpack" triggers install
step "cdcpack load  (full load)"
"$cdcpack" load

step "make changes (examples/demo/changes.sql)"
sqlite3 shop.db <"$here/changes.sql"
"$cdcpack" triggers status

step "cdcpack run  (capture, package, stage, upload to _tmp/, publish to cdc/, acknowledge)"
"$cdcpack" run
step "cdcpack run again: nothing new"
"$cdcpack" run

step "what was published (cdcpack ls)"
"$cdcpack" ls
latest=$(find bucket/cdc -name '*.tar.zst' | sort | tail -1)
step "cdcpack show $latest"
"$cdcpack" show "$latest"
step "the Persons cdc file inside it (DMS row shape)"
tar --zstd -xOf "$latest" --wildcards 'Persons/*.csv'

step "cdcpack apply --to sqlite:replica.db"
"$cdcpack" apply --to sqlite:replica.db
step "cdcpack verify --against sqlite:replica.db"
"$cdcpack" verify --against sqlite:replica.db

echo
echo "demo done: everything is in $work"
