#!/usr/bin/env bash
# The seed pipeline's scenario on MySQL/MariaDB, step by step:
#   1. create Persons (101 rows)        persons.sql
#   2. install the audit triggers       cdcpack triggers install
#   3. full load                        cdcpack load      -> LOAD00000001.csv
#   4. make the scenario's changes      changes.sql
#   5. ship them                        cdcpack run       -> <YYYYMMDD-HHMMSSmmm>.csv
#   6. print the cdc file, which begins exactly like expected-cdc.csv (AWS DMS's output)
# Progress goes to stderr; stdout carries only the cdc file.
#
# Run it from a directory holding the config (default ./cdcpack.conf, or
# CDCPACK_CONFIG). Environment:
#   MYSQL_CLIENT  the client command, connected to the example's database as a
#                 user that may create tables (default: mariadb persons)
#   CDCPACK       the cdcpack binary (default: cdcpack on PATH, else ../../bin/cdcpack)
# The cdc user's password comes from the config's password_file or from
# CDCPACK_SOURCE_PASSWORD.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MYSQL_CLIENT=${MYSQL_CLIENT:-mariadb persons}
if [[ -z ${CDCPACK:-} ]]; then
	CDCPACK=$(command -v cdcpack || echo "$here/../../bin/cdcpack")
fi

step() { printf '\n== %s\n' "$*" >&2; }

step "1. create Persons with 101 rows"
$MYSQL_CLIENT -e 'DROP TABLE IF EXISTS Persons'
$MYSQL_CLIENT <"$here/persons.sql"

step "2. install the triggers"
"$CDCPACK" triggers install >&2

step "3. full load"
"$CDCPACK" load >&2

step "4. change: update 7, insert 130-132, update 8, delete 10"
$MYSQL_CLIENT <"$here/changes.sql"

step "5. ship the changes"
"$CDCPACK" run >&2

step "6. the cdc file of the last published batch"
"$CDCPACK" ls | tail -n 1 >&2
bucket=$(sed -n 's/^url *= *file://p' "${CDCPACK_CONFIG:-cdcpack.conf}" | tail -n 1)
archive=$(find "$bucket" -path '*/_tmp/*' -prune -o -name '*.tar*' -print | sort | tail -n 1)
tar -xOf "$archive" --wildcards 'Persons/2*.csv'
