#!/usr/bin/env bash
# The S3 server for the integration tests: s3rver (tests/s3/s3rver.js) behind
# the SigV4-checking, fault-injecting front (tests/s3/front.js), both on
# 127.0.0.1 only.
#
#   service-s3.sh start RUNDIR   install the npm packages if needed, start both,
#                                wait until they answer, write RUNDIR/s3.env
#   service-s3.sh stop RUNDIR    stop what start started (fine if nothing runs)
#   service-s3.sh install RUNDIR only install the npm packages if needed (run.sh
#                                does it once before starting several servers)
#
# Optional: S3FRONT_FAULTS / S3FRONT_MODE (JSON, see tests/s3/README.md) set
# the front's initial fault rules and mode.
set -euo pipefail

S3DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../s3" && pwd)
cmd=${1:-}
RUN=${2:-}
if [[ -z $RUN || ($cmd != start && $cmd != stop && $cmd != install) ]]; then
	echo "usage: $0 start|stop|install RUNDIR" >&2
	exit 2
fi

# Fixed test credentials: they only open this loopback server.
BUCKET=cdcpack-test
BUCKET_DOTTED=cdcpack.test.dotted
REGION=us-east-1
ACCESS_KEY=AKIACDCPACKTEST00001
SECRET_KEY=cdcpack/Test+Secret/0123456789abcdefWXYZ
SESSION_ACCESS_KEY=ASIACDCPACKTEST00002
SESSION_SECRET_KEY=cdcpack/Session+Secret/0123456789abcdXY
SESSION_TOKEN=cdcpack-test-session-token/+=
# What the credential stand-ins (tests/s3/creds.js) accept
ROLE_ARN=arn:aws:iam::000000000000:role/cdcpack-test-role
WEB_IDENTITY_TOKEN=cdcpack-test-web-identity.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2RjcGFjayJ9.c2ln
ECS_TOKEN=cdcpack-test-container-authorization-token
EXTERNAL_ID=cdcpack-test-external-id
BUCKET_OWNER=111122223333 # x-amz-expected-bucket-owner other than this: 403

die() {
	echo "service-s3: $*" >&2
	exit 1
}

# stop_pid FILE: end the node process recorded in FILE, if it is still ours.
stop_pid() {
	local file=$1 pid i
	[[ -f $file ]] || return 0
	pid=$(<"$file")
	rm -f "$file"
	[[ $pid =~ ^[0-9]+$ ]] || return 0
	# the PID may have been reused since: only end a node running our script
	grep -qa "$S3DIR/" "/proc/$pid/cmdline" 2>/dev/null || return 0
	kill "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		alive "$pid" || return 0
		sleep 0.05
	done
	kill -9 "$pid" 2>/dev/null || true
}

# alive PID: running, and not a zombie left for an init that does not reap
alive() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $state && $state != Z ]]
}

stop() {
	stop_pid "$RUN/s3front.pid"
	stop_pid "$RUN/s3rver.pid"
	rm -f "$RUN/s3.env"
}

# wait_file FILE PID WHAT: until FILE exists; fail if PID dies or 15 s pass.
wait_file() {
	local file=$1 pid=$2 what=$3 i
	for ((i = 0; i < 300; i++)); do
		[[ -s $file ]] && return 0
		if ! alive "$pid"; then
			cat "$RUN/$what.err" >&2 2>/dev/null || true
			die "$what exited during start-up (log above, $RUN/$what.err)"
		fi
		sleep 0.05
	done
	cat "$RUN/$what.err" >&2 2>/dev/null || true
	die "$what did not start within 15 s ($RUN/$what.err)"
}

install_packages() {
	local stamp=$S3DIR/node_modules/.cdcpack-installed
	if [[ -f $stamp && $stamp -nt $S3DIR/package-lock.json && $stamp -nt $S3DIR/package.json ]]; then
		return 0
	fi
	command -v npm >/dev/null || die "npm not found (ci/install-deps.sh installs Node.js)"
	mkdir -p "$RUN"
	if ! npm ci --prefix "$S3DIR" --no-audit --no-fund --loglevel=error >"$RUN/s3-npm.log" 2>&1; then
		cat "$RUN/s3-npm.log" >&2
		die "npm ci --prefix tests/s3 failed"
	fi
	touch "$stamp"
}

start() {
	mkdir -p "$RUN"
	RUN=$(cd "$RUN" && pwd)
	stop # a previous start in the same RUNDIR
	trap '[[ $? -eq 0 ]] || stop' EXIT # a failed start leaves nothing running
	install_packages
	rm -rf "$RUN/s3data" "$RUN/s3spool" "$RUN"/s3rver.port "$RUN"/s3front.ports
	mkdir -p "$RUN/s3data" "$RUN/s3spool"

	S3RVER_DIR=$RUN/s3data S3RVER_BUCKETS=$BUCKET,$BUCKET_DOTTED S3RVER_PORT_FILE=$RUN/s3rver.port \
		node "$S3DIR/s3rver.js" </dev/null >"$RUN/s3rver.err" 2>&1 &
	echo $! >"$RUN/s3rver.pid"
	wait_file "$RUN/s3rver.port" "$!" s3rver
	local sport
	sport=$(<"$RUN/s3rver.port")

	local keys
	keys=$(printf '[{"access_key":"%s","secret_key":"%s"},{"access_key":"%s","secret_key":"%s","session_token":"%s"}]' \
		"$ACCESS_KEY" "$SECRET_KEY" "$SESSION_ACCESS_KEY" "$SESSION_SECRET_KEY" "$SESSION_TOKEN")
	S3FRONT_UPSTREAM=http://127.0.0.1:$sport S3FRONT_REGION=$REGION S3FRONT_KEYS=$keys \
		S3FRONT_ROLE_ARN=$ROLE_ARN S3FRONT_WEB_IDENTITY_TOKEN=$WEB_IDENTITY_TOKEN \
		S3FRONT_ECS_TOKEN=$ECS_TOKEN S3FRONT_EXTERNAL_ID=$EXTERNAL_ID S3FRONT_BUCKET_OWNER=$BUCKET_OWNER \
		S3FRONT_SPOOL=$RUN/s3spool S3FRONT_PORTS_FILE=$RUN/s3front.ports \
		node "$S3DIR/front.js" </dev/null >"$RUN/s3front.err" 2>&1 &
	echo $! >"$RUN/s3front.pid"
	wait_file "$RUN/s3front.ports" "$!" s3front
	local ports port cport crport
	ports=$(<"$RUN/s3front.ports")
	port=$(sed -E 's/.*"port":([0-9]+).*/\1/' <<<"$ports")
	cport=$(sed -E 's/.*"control_port":([0-9]+).*/\1/' <<<"$ports")
	crport=$(sed -E 's/.*"creds_port":([0-9]+).*/\1/' <<<"$ports")

	# /health asks s3rver through the front: both answer, buckets exist
	curl -sf --max-time 5 "http://127.0.0.1:$cport/health" >/dev/null ||
		die "the S3 front does not answer on 127.0.0.1:$cport ($RUN/s3front.err)"
	[[ -d $RUN/s3data/$BUCKET ]] || die "test bucket $BUCKET was not created ($RUN/s3rver.err)"

	cat >"$RUN/s3.env" <<-EOF
		export CDCPACK_TEST_S3_ENDPOINT=http://127.0.0.1:$port
		export CDCPACK_TEST_S3_CONTROL=http://127.0.0.1:$cport
		export CDCPACK_TEST_S3_BUCKET=$BUCKET
		export CDCPACK_TEST_S3_BUCKET_DOTTED=$BUCKET_DOTTED
		export CDCPACK_TEST_S3_REGION=$REGION
		export CDCPACK_TEST_S3_ACCESS_KEY=$ACCESS_KEY
		export CDCPACK_TEST_S3_SECRET_KEY='$SECRET_KEY'
		export CDCPACK_TEST_S3_SESSION_ACCESS_KEY=$SESSION_ACCESS_KEY
		export CDCPACK_TEST_S3_SESSION_SECRET_KEY='$SESSION_SECRET_KEY'
		export CDCPACK_TEST_S3_SESSION_TOKEN='$SESSION_TOKEN'
		export CDCPACK_TEST_CREDS_ENDPOINT=http://127.0.0.1:$crport
		export CDCPACK_TEST_ROLE_ARN=$ROLE_ARN
		export CDCPACK_TEST_WEB_IDENTITY_TOKEN=$WEB_IDENTITY_TOKEN
		export CDCPACK_TEST_ECS_TOKEN=$ECS_TOKEN
		export CDCPACK_TEST_EXTERNAL_ID=$EXTERNAL_ID
		export CDCPACK_TEST_S3_BUCKET_OWNER=$BUCKET_OWNER
		export CDCPACK_TEST_S3_DATA=$RUN/s3data
		export CDCPACK_TEST_S3_FRONT_PID=$(<"$RUN/s3front.pid")
		export CDCPACK_TEST_S3RVER_PID=$(<"$RUN/s3rver.pid")
	EOF
	echo "service-s3: S3 on http://127.0.0.1:$port (control :$cport), bucket $BUCKET"
}

install() { install_packages; }

"$cmd"
