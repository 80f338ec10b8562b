# The tests of examples/ (tests/examples/): each example program built as
# its header's "Build:" line says, with cc alone, and run with
# `ip netns exec` in the namespaces a scenario's run kept (--keep): its
# hosts, addresses, routes and firewall rules, nothing in the root
# namespace.
# shellcheck shell=bash
# status, output and lines are set by bats' run; CLIENT, ROUTER, SERVER,
# server_output and server_status are set here for the tests:
# shellcheck disable=SC2154,SC2034

EXAMPLES_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# example_build_line PROGRAM: the build command in examples/PROGRAM.c's
# header (" * Build: cc -std=c11 -o PROGRAM examples/PROGRAM.c ...").
example_build_line() {
	sed -n 's/^ \* Build: //p' "$EXAMPLES_ROOT/examples/$1.c" | head -n 1
}

# build_example PROGRAM DIR: run that command, word for word, in DIR (where
# examples/ is a link to the tree's), so DIR/PROGRAM is what a reader gets.
build_example() {
	local program=$1 dir=$2 line
	line=$(example_build_line "$program")
	[ -n "$line" ] || {
		echo "examples/$program.c has no ' * Build: ' line" >&2
		return 1
	}
	[ -e "$dir/examples" ] || ln -s "$EXAMPLES_ROOT/examples" "$dir/examples"
	local -a words
	read -r -a words <<<"$line"
	(cd "$dir" && "${words[@]}")
}

# A test file of tests/examples/ calls these from its own setup_file,
# setup and teardown.
# build_examples: the programs, built once per file.
build_examples() {
	local program
	for program in accept_server io_peer connect_client; do
		build_example "$program" "$BATS_FILE_TMPDIR" || return 1
	done
}

# Each test keeps its topology under a tag of its own: `sockerr cleanup`
# in its teardown removes it and nothing of a test running side by side
# (bats --jobs), nor anything untagged.  The tag is the suite's
# (SOCKERR_TAG, default "ex") followed by the file's initial and the
# test's number: "exc3", at most 12 characters.
examples_setup() {
	local base=${SOCKERR_TAG:-ex} file
	file=$(basename "$BATS_TEST_FILENAME")
	export SOCKERR_TAG=${base:0:8}${file:0:1}$BATS_TEST_NUMBER
	SOCKERR_PREFIX=sockerr-$SOCKERR_TAG-
	server_pid=
	server_fd=
	CLIENT='' ROUTER='' SERVER=''
}

# examples_teardown: on every path, the server (when it still runs), then
# the kept namespaces.
examples_teardown() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	[ -z "$server_fd" ] || exec {server_fd}<&-
	"$SOCKERR" cleanup >/dev/null
	run sockerr_namespaces
	assert_output ""
}

# keep_scenario NAME -4|-6: run NAME and keep its namespaces; CLIENT,
# ROUTER (routed topologies) and SERVER name them.  A skipped run is a
# skip, with its reason.
keep_scenario() {
	run --separate-stderr "$SOCKERR" run "$1" "$2" --keep
	[ "$status" -ne 4 ] || skip "$1 $2 skipped: $stderr"
	[ "$status" -eq 0 ] || {
		echo "sockerr run $1 $2 --keep exited $status: $stderr" >&2
		return 1
	}
	local kept ns
	kept=$(sed -n 's/^  kept: //p' <<<"$output")
	for ns in $kept; do
		case $ns in
		*-client) CLIENT=$ns ;;
		*-router) ROUTER=$ns ;;
		*-server) SERVER=$ns ;;
		esac
	done
	if [ -z "$CLIENT" ] || [ -z "$SERVER" ]; then
		echo "sockerr run $1 $2 --keep: no kept client and server in: $output" >&2
		return 1
	fi
}

# start_server NAMESPACE COMMAND...: COMMAND in NAMESPACE in the background
# (its stdout through a FIFO), and wait for its "ready:" line -- the
# listener exists -- for at most 10 s.  server_pid is its process;
# server_output (wait_server) its output once it ended.
start_server() {
	local ns=$1 fifo=$BATS_TEST_TMPDIR/server.out line
	shift
	mkfifo "$fifo"
	# (ip netns exec and prlimit exec the program: $! is the server)
	ip netns exec "$ns" "$@" >"$fifo" 2>"$BATS_TEST_TMPDIR/server.err" 3>&- &
	server_pid=$!
	exec {server_fd}<"$fifo"
	if ! IFS= read -r -t 10 -u "$server_fd" line || [[ $line != ready:* ]]; then
		echo "server '$*' in $ns: no ready line within 10 s (got '$line'): $(cat "$BATS_TEST_TMPDIR/server.err")" >&2
		return 1
	fi
}

# wait_server: wait until the server ended (its own -n and -t bound it);
# server_output is what it printed after its ready line, server_status
# its exit status.
wait_server() {
	server_status=0
	wait "$server_pid" || server_status=$?
	server_pid=
	server_output=$(cat <&"$server_fd")
	exec {server_fd}<&-
	server_fd=
}

# example PROGRAM: its path, as built by setup_file.
example() {
	echo "$BATS_FILE_TMPDIR/$1"
}
