#!/usr/bin/env bash
# A private mariadbd for one test run (tests/run.sh): `start RUNDIR` creates a
# data directory under RUNDIR/mariadb, starts the server on 127.0.0.1 with a
# free port and a socket in RUNDIR, creates the `cdc` user and writes
# RUNDIR/mariadb.env; `stop RUNDIR` shuts it down (and succeeds when nothing
# runs); `install RUNDIR` does nothing (mariadbd is a system package). The
# system service is never touched.
set -euo pipefail

cmd=${1:-}
run=${2:-}
if [[ -z $cmd || -z $run ]]; then
	echo "usage: $0 start|stop|install RUNDIR" >&2
	exit 2
fi
run=$(cd "$run" && pwd)
dir=$run/mariadb
# The socket path must stay under the 108-byte sun_path limit; RUNDIR from
# mktemp is short, and a long one would fail loudly at startup.
sock=$dir/mysqld.sock
pidfile=$dir/mysqld.pid
rootcnf=$dir/root.cnf
password=cdc-test-$RANDOM$RANDOM

pick_port() {
	local used port
	used=$(ss -Hltn 2>/dev/null | awk '{print $4}' | sed 's/.*://' || true)
	for _ in $(seq 50); do
		port=$((20000 + RANDOM % 40000))
		grep -qx "$port" <<<"$used" || {
			echo "$port"
			return 0
		}
	done
	return 1
}

# Ready means the server answers a query over its socket as root.
wait_ready() { # wait_ready PID
	local i
	for i in $(seq 300); do
		if mariadb --defaults-file="$rootcnf" -e 'select 1' >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# A private CA and a server certificate for 127.0.0.1/localhost, so that the
# tests can connect with ssl=required and ssl=verify (EC keys: generated in
# milliseconds).
make_tls() {
	local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
	openssl req -x509 "${ec[@]}" -subj /CN=cdcpack-test-ca -days 3 \
		-keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null &&
		openssl req "${ec[@]}" -subj /CN=127.0.0.1 -keyout "$dir/server.key" \
			-out "$dir/server.csr" 2>/dev/null &&
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/san.ext" &&
		openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
			-CAcreateserial -days 3 -extfile "$dir/san.ext" -out "$dir/server.pem" \
			2>/dev/null
}

start_server() { # start_server PORT: starts mariadbd in the background, prints its pid
	# Small buffers and relaxed durability: this server holds test data only.
	# CDCPACK_TEST_MYSQL_DURABLE=1 syncs every commit as RDS does (benchmarks
	# of per-commit cost mean nothing without it).
	local flush=2 sync_binlog=0
	if [[ ${CDCPACK_TEST_MYSQL_DURABLE:-0} == 1 ]]; then
		flush=1 sync_binlog=1
	fi
	# The binary log is on, as on RDS, with what binlog capture needs (ROW,
	# FULL row images, a server id: the defaults, spelled out). On RDS,
	# creating a trigger without SUPER needs log_bin_trust_function_creators (an RDS parameter too).
	# Its own tmpdir: temporary tables' files must not share /tmp with
	# whatever else the machine runs (another run's clean-up removed them).
	mkdir -p "$dir/tmp"
	mariadbd --no-defaults --user=root --datadir="$dir/data" --socket="$sock" \
		--tmpdir="$dir/tmp" --port="$1" --bind-address=127.0.0.1 --pid-file="$pidfile" \
		--log-error="$dir/error.log" --skip-name-resolve --innodb-buffer-pool-size=64M \
		--innodb-log-file-size=48M --innodb-flush-log-at-trx-commit=$flush \
		--sync-binlog=$sync_binlog --innodb-doublewrite=0 \
		--log-bin="$dir/binlog" --binlog-format=ROW --binlog-row-image=FULL --server-id=1 \
		--log-bin-trust-function-creators=1 --max-connections=200 \
		--ssl-ca="$dir/ca.pem" --ssl-cert="$dir/server.pem" --ssl-key="$dir/server.key" \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
		>/dev/null 2>&1 &
	echo $!
}

# The cdc user gets what trigger capture and apply need on the databases the
# tests create (all named cdc_*), and nothing global: no SUPER, no RELOAD.
create_user() {
	mariadb --defaults-file="$rootcnf" <<-SQL
		CREATE USER 'cdc'@'localhost' IDENTIFIED BY '$password';
		CREATE USER 'cdc'@'127.0.0.1' IDENTIFIED BY '$password';
		GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, TRIGGER,
		      LOCK TABLES, CREATE TEMPORARY TABLES ON \`cdc\\_%\`.* TO 'cdc'@'localhost';
		GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, TRIGGER,
		      LOCK TABLES, CREATE TEMPORARY TABLES ON \`cdc\\_%\`.* TO 'cdc'@'127.0.0.1';
	SQL
}

write_env() { # write_env PORT PID
	cat >"$run/mariadb.env" <<-ENV
		export CDCPACK_TEST_MYSQL_HOST=127.0.0.1
		export CDCPACK_TEST_MYSQL_PORT=$1
		export CDCPACK_TEST_MYSQL_SOCKET=$sock
		export CDCPACK_TEST_MYSQL_USER=cdc
		export CDCPACK_TEST_MYSQL_PASSWORD=$password
		export CDCPACK_TEST_MYSQL_ROOT_CNF=$rootcnf
		export CDCPACK_TEST_MYSQL_SSL_CA=$dir/ca.pem
		export CDCPACK_TEST_MYSQL_PID=$2
	ENV
}

start() {
	if [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
		echo "mariadb: already running in $dir" >&2
		return 1
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	printf '[client]\nuser=root\nsocket=%s\ndefault-character-set=utf8mb4\n' "$sock" >"$rootcnf"
	make_tls || {
		echo "mariadb: cannot make the test TLS certificates (openssl)" >&2
		return 1
	}
	mkdir -p "$dir/tmp"
	mariadb-install-db --no-defaults --user=root --datadir="$dir/data" --tmpdir="$dir/tmp" \
		--auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
		--innodb-buffer-pool-size=64M --innodb-log-file-size=48M \
		>"$dir/install.log" 2>&1 || {
		cat "$dir/install.log" >&2
		return 1
	}
	local attempt port pid
	for attempt in 1 2 3 4 5; do
		port=$(pick_port)
		pid=$(start_server "$port")
		if wait_ready "$pid"; then
			create_user
			write_env "$port" "$pid"
			echo "mariadb: pid $pid port $port socket $sock" >&2
			return 0
		fi
		# Lost a race for the port, or a real failure: try again, then give up.
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		echo "mariadb: attempt $attempt on port $port failed" >&2
	done
	tail -n 30 "$dir/error.log" >&2 || true
	return 1
}

stop() {
	[[ -f $pidfile ]] || return 0
	local pid i
	pid=$(cat "$pidfile")
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

case $cmd in
start) start ;;
stop) stop ;;
install) ;;
*)
	echo "usage: $0 start|stop|install RUNDIR" >&2
	exit 2
	;;
esac
