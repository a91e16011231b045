#!/usr/bin/env bash
# What each part of the MariaDB audit trigger costs (issue 16): the same
# 1,000-row-transaction inserts as bench_mysql.sh (BENCH_ROWS/5 rows), each
# run under one hand-written variant of the trigger and changelog, the
# variants in turn (round robin, BENCH_RUNS rounds, so that a change in the
# machine's load hits every variant alike). Reports per variant the median
# wall time and the median CPU time of the inserting connection (MariaDB's
# userstat CPU_TIME: the server's work for that session alone, which a
# loaded machine disturbs far less than wall time), and both as ratios to
# the inserts without triggers. Not a bench_*.sh: `make bench` does not run it.
# BENCH_OP=update: the same rows, loaded without triggers (untimed), then
# updated in 1,000-row transactions (bench_mysql.sh's update line) under
# update trigger variants (the u_* ones; default: all of those).
#   BENCH_ROWS=1000000 BENCH_RUNS=3 bash tests/bench/mysql_trigger_breakdown.sh [VARIANT...]
#   BENCH_OP=update BENCH_ROWS=1000000 BENCH_RUNS=5 bash tests/bench/mysql_trigger_breakdown.sh
source "$(dirname "$0")/lib.sh"
cd "$W"
bench_mariadb
db() { mariadb --defaults-file="$CDCPACK_TEST_MYSQL_ROOT_CNF" "$@"; }
url="mysql://$CDCPACK_TEST_MYSQL_USER@$CDCPACK_TEST_MYSQL_HOST:$CDCPACK_TEST_MYSQL_PORT/cdc_bench"
bench_config my.conf "$url" "file:$W/bucket"

n=$((BENCH_ROWS / 5))
mysql_txn_inserts "$n" >bulk.sql
op=${BENCH_OP:-insert}
python3 - "$n" >update.sql <<'PY'
import sys
n = int(sys.argv[1])
print("USE cdc_bench;")
for s in range(1, n + 1, 1000):
    print(f"BEGIN; UPDATE t SET amount = amount + 1, note = CONCAT(note, 'x') WHERE id BETWEEN {s} AND {s + 999}; COMMIT;")
PY

# The changelog as `triggers install` makes it (src/source/mysql/mysql_triggers.c).
opts='ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin'
cl="CREATE TABLE cdcpack_changelog (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ts DATETIME(3) NOT NULL, op CHAR(1) NOT NULL, tbl VARCHAR(64) NOT NULL, ver INT NOT NULL,
  old_image LONGTEXT NULL, new_image LONGTEXT NULL) $opts"
img='JSON_ARRAY(CAST(NEW.id AS CHAR), CAST(NEW.name AS CHAR), CAST(NEW.city AS CHAR),
  CAST(NEW.amount AS CHAR), CAST(NEW.note AS CHAR))'
ins="INSERT INTO cdcpack_changelog (ts, op, tbl, ver, old_image, new_image)
  VALUES (UTC_TIMESTAMP(3), 'I', 't', 1, NULL,"
declare -A CL BODY PRE WHAT
variant() { # variant NAME WHAT CHANGELOG_DDL TRIGGER_BODY [SESSION_PRELUDE]
	WHAT[$1]=$2 CL[$1]=$3 BODY[$1]=$4 PRE[$1]=${5:-}
}
variant plain "no trigger" "" ""
variant cdcpack "the triggers \`cdcpack triggers install\` makes" "" "@cdcpack"
variant noop "a trigger that writes nothing (SET @x = NEW.id)" "" "SET @x = NEW.id"
variant minrow "a changelog row of seq alone" \
	"CREATE TABLE cdcpack_changelog (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY) $opts" \
	"INSERT INTO cdcpack_changelog () VALUES ()"
variant minimg "a changelog row of seq and a constant image '[]'" \
	"CREATE TABLE cdcpack_changelog (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, new_image LONGTEXT NULL) $opts" \
	"INSERT INTO cdcpack_changelog (new_image) VALUES ('[]')"
variant mints "a changelog row of seq and the time (UTC_TIMESTAMP(3))" \
	"CREATE TABLE cdcpack_changelog (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, ts DATETIME(3) NOT NULL) $opts" \
	"INSERT INTO cdcpack_changelog (ts) VALUES (UTC_TIMESTAMP(3))"
variant constimg "today's row, a constant image '[]'" "$cl" "$ins '[]')"
variant constlong "today's row, a constant image of the real one's length" "$cl" \
	"$ins '[\"123456\",\"name 123456\",\"city 12\",\"154320.25\",\"note 123456\"]')"
variant img_id "today's row, image of the INT column alone" "$cl" "$ins JSON_ARRAY(CAST(NEW.id AS CHAR)))"
variant img_amount "today's row, image of the DOUBLE column alone" "$cl" \
	"$ins JSON_ARRAY(CAST(NEW.amount AS CHAR)))"
variant img_text3 "today's row, image of the 3 VARCHAR columns" "$cl" \
	"$ins JSON_ARRAY(CAST(NEW.name AS CHAR), CAST(NEW.city AS CHAR), CAST(NEW.note AS CHAR)))"
variant current "today's row and image, by hand" "$cl" "$ins $img)"
variant rawjson "JSON_ARRAY of the raw values (not exact: BLOBs, FLOAT, TIMESTAMP)" "$cl" \
	"$ins JSON_ARRAY(NEW.id, NEW.name, NEW.city, NEW.amount, NEW.note))"
variant concatq "CONCAT_WS(',', QUOTE(col)...) instead of JSON_ARRAY" "$cl" \
	"$ins CONCAT_WS(',', QUOTE(NEW.id), QUOTE(NEW.name), QUOTE(NEW.city), QUOTE(NEW.amount), QUOTE(NEW.note)))"
variant nots "no time column" \
	"CREATE TABLE cdcpack_changelog (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, op CHAR(1) NOT NULL,
	  tbl VARCHAR(64) NOT NULL, ver INT NOT NULL, old_image LONGTEXT NULL, new_image LONGTEXT NULL) $opts" \
	"INSERT INTO cdcpack_changelog (op, tbl, ver, old_image, new_image) VALUES ('I', 't', 1, NULL, $img)"
variant slim "4 columns: seq, ts by column DEFAULT, one INT for table+version+op, one image" \
	"CREATE TABLE cdcpack_changelog (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	  ts TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), tv INT NOT NULL, img LONGTEXT NULL) $opts" \
	"INSERT INTO cdcpack_changelog (tv, img) VALUES (1, $img)"
variant nopk "no primary key (InnoDB's hidden row id)" \
	"CREATE TABLE cdcpack_changelog (ts DATETIME(3) NOT NULL, op CHAR(1) NOT NULL, tbl VARCHAR(64) NOT NULL,
	  ver INT NOT NULL, old_image LONGTEXT NULL, new_image LONGTEXT NULL) $opts" "$ins $img)"
variant blobimg "today's row and image, the image columns LONGBLOB" \
	"CREATE TABLE cdcpack_changelog (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	  ts DATETIME(3) NOT NULL, op CHAR(1) NOT NULL, tbl VARCHAR(64) NOT NULL, ver INT NOT NULL,
	  old_image LONGBLOB NULL, new_image LONGBLOB NULL) $opts" "$ins $img)"
variant seqobj "today's row and image, seq from a SEQUENCE (CACHE 1000) instead of AUTO_INCREMENT" \
	"CREATE SEQUENCE cdcpack_seq CACHE 1000;
	CREATE TABLE cdcpack_changelog (seq BIGINT NOT NULL DEFAULT NEXT VALUE FOR cdcpack_seq PRIMARY KEY,
	  ts DATETIME(3) NOT NULL, op CHAR(1) NOT NULL, tbl VARCHAR(64) NOT NULL, ver INT NOT NULL,
	  old_image LONGTEXT NULL, new_image LONGTEXT NULL) $opts" "$ins $img)"
variant current_nobinlog "today's row and image, session binary log off" "$cl" "$ins $img)" \
	"SET sql_log_bin = 0;"
variant plain_nobinlog "no trigger, session binary log off" "" "" "SET sql_log_bin = 0;"

# Update trigger variants (BENCH_OP=update), as cdcpack made them for t.
img() { # img ROW: the image of row OLD or NEW
	local c out=
	for c in id name city amount note; do out+="${out:+, }CAST($1.\`$c\` AS CHAR)"; done
	echo "JSON_ARRAY($out)"
}
ulog() { # ulog OP OLD_IMAGE NEW_IMAGE
	echo "INSERT INTO \`cdcpack_changelog\` (ts, op, tbl, ver, old_image, new_image) VALUES (UTC_TIMESTAMP(3), '$1', 't', 1, $2, $3)"
}
same_key='CAST(OLD.`id` AS BINARY) <=> CAST(NEW.`id` AS BINARY)'
at_key() { echo "SELECT 1 FROM \`t\` AS cdcpack_row WHERE cdcpack_row.\`id\` = $1.\`id\` AND CAST(cdcpack_row.\`id\` AS BINARY) = CAST($1.\`id\` AS BINARY)"; }
key_change="ELSEIF NOT EXISTS ($(at_key OLD)) THEN $(ulog D "$(img OLD)" NULL); $(ulog I NULL "$(img NEW)"); END IF; END"
f12_same=
for c in id name city amount note; do
	f12_same+=" AND CAST(CAST(cdcpack_row.\`$c\` AS CHAR) AS BINARY) <=> CAST(CAST(NEW.\`$c\` AS CHAR) AS BINARY)"
done
U=$(ulog U "$(img OLD)" "$(img NEW)")
variant u_plain "no trigger" "" ""
variant u_cdcpack "the triggers \`cdcpack triggers install\` makes" "" "@cdcpack"
variant u_earlier "before F12: U when the key kept its bytes, else D + I (no lookup)" "$cl" \
	"BEGIN IF $same_key THEN $U; ELSE $(ulog D "$(img OLD)" NULL); $(ulog I NULL "$(img NEW)"); END IF; END"
variant u_f12 "F12 as session 6 made it: EXISTS, the image compared in the WHERE" "$cl" \
	"BEGIN IF $same_key THEN IF EXISTS ($(at_key NEW)$f12_same) THEN $U; END IF; $key_change"
variant u_lookup "the lookup alone: EXISTS of the row at NEW's key, nothing compared" "$cl" \
	"BEGIN IF $same_key THEN IF EXISTS (SELECT 1 FROM \`t\` AS cdcpack_row WHERE cdcpack_row.\`id\` = NEW.\`id\`) THEN $U; END IF; $key_change"

# run_one NAME: one timed run; prints "wall cpu".
run_one() {
	local v=$1 s e
	db -e "DROP DATABASE IF EXISTS cdc_bench; CREATE DATABASE cdc_bench; USE cdc_bench;
	  CREATE TABLE t(id INT PRIMARY KEY, name VARCHAR(64), city VARCHAR(32), amount DOUBLE,
	  note VARCHAR(128)) ENGINE=InnoDB; ${CL[$v]}"
	[[ $op == update ]] && db <"$W/bulk.sql"
	if [[ ${BODY[$v]} == @cdcpack ]]; then
		"$CDCPACK" -q -c "$W/my.conf" triggers install >/dev/null
	elif [[ -n ${BODY[$v]} ]]; then
		printf 'DELIMITER //\nCREATE TRIGGER t_a%s AFTER %s ON t FOR EACH ROW %s //\n' \
			"${op:0:1}" "${op^^}" "${BODY[$v]}" | db cdc_bench
	fi
	db -e "SET GLOBAL userstat = 1; FLUSH USER_STATISTICS"
	s=$(date +%s.%N)
	{ echo "${PRE[$v]}"; cat "$W/$([[ $op == update ]] && echo update || echo bulk).sql"; } | db
	e=$(date +%s.%N)
	echo "$s $e $(db -N -e "SELECT CPU_TIME FROM information_schema.USER_STATISTICS WHERE USER = 'root'")" |
		awk '{ printf "%.3f %.3f\n", $2 - $1, $3 }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

names=("$@")
if [[ $op == update ]]; then
	((${#names[@]})) || names=(u_plain u_cdcpack u_earlier u_f12 u_lookup)
	[[ ${names[0]} == u_plain ]] || names=(u_plain "${names[@]}")
else
	((${#names[@]})) || names=(plain cdcpack noop minrow minimg mints constimg constlong img_id img_amount
		img_text3 current rawjson concatq nots slim nopk blobimg seqobj plain_nobinlog current_nobinlog)
	[[ ${names[0]} == plain ]] || names=(plain "${names[@]}")
fi
declare -A WALLS CPUS
for ((r = 0; r < BENCH_RUNS; r++)); do
	for v in "${names[@]}"; do
		[[ -n ${WHAT[$v]+x} ]] || { echo "unknown variant: $v" >&2; exit 2; }
		read -r wall cpu < <(run_one "$v")
		WALLS[$v]+=" $wall" CPUS[$v]+=" $cpu"
		echo "round $r $v wall $wall s cpu $cpu s load $(cut -d' ' -f1 /proc/loadavg)" >&2
	done
done
# shellcheck disable=SC2086 # the lists are space-separated numbers
pw=$(median ${WALLS[${names[0]}]}) pc=$(median ${CPUS[${names[0]}]})
printf '| variant | what | wall s | wall ratio | connection CPU s | CPU ratio |\n|---|---|---|---|---|---|\n'
for v in "${names[@]}"; do
	# shellcheck disable=SC2086
	w=$(median ${WALLS[$v]}) c=$(median ${CPUS[$v]})
	awk -v v="$v" -v what="${WHAT[$v]}" -v w="$w" -v c="$c" -v pw="$pw" -v pc="$pc" \
		'BEGIN { printf "| %s | %s | %.2f | %.2f | %.2f | %.2f |\n", v, what, w, w / pw, c, c / pc }'
done
