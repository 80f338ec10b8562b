#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, lines (bats run); CLIENT, SERVER (keep_scenario)
# examples/io_loop.c through examples/io_peer.c, in the namespaces of the
# recv(2) and send(2) scenarios: a request, its answer, and how the
# connection ended -- an orderly close (EOF) and an abort (ECONNRESET) are
# told apart, and a write after the abort fails with EPIPE while the
# process lives on (MSG_NOSIGNAL; SIGPIPE left at its default).

load ../test_helper/common-setup
load ../test_helper/examples

setup_file() {
	build_examples
}

setup() {
	examples_setup
}

teardown() {
	examples_teardown
}

@test "io loop, write-after-peer-close's namespaces: the peer answers and closes in order: the reply, then EOF" {
	keep_scenario write-after-peer-close -4
	start_server "$SERVER" "$(example io_peer)" serve -t 20 192.0.2.2 7000
	run ip netns exec "$CLIENT" "$(example io_peer)" request -t 20 192.0.2.2 7000
	assert_success
	assert_output - <<-'EOF'
		write: 8 bytes
		read: 6 bytes
		read: EOF (the peer closed in order)
	EOF
	wait_server
	assert_equal "$server_status" 0
	assert_equal "$server_output" "$(printf '%s\n' 'request: 8 bytes' 'reply: 6 bytes' 'closed in order')"
}

@test "io loop, reset-by-client's namespaces: the peer aborts (SO_LINGER {1, 0}): ECONNRESET, not EOF; a write after it: EPIPE, and no SIGPIPE" {
	keep_scenario reset-by-client -4
	# io_peer serve --abort is the misbehaving peer: it reads the request
	# and aborts instead of answering.
	start_server "$SERVER" "$(example io_peer)" serve --abort -t 20 192.0.2.2 7000
	run ip netns exec "$CLIENT" "$(example io_peer)" request --write-after-end -t 20 192.0.2.2 7000
	# 1: the exchange did not end in order; a death by SIGPIPE would be 141.
	assert_failure 1
	assert_output - <<-'EOF'
		write: 8 bytes
		read: ECONNRESET (the peer aborted the connection)
		write after the end: EPIPE (nothing more can be sent; no SIGPIPE)
	EOF
	wait_server
	assert_equal "$server_status" 0
	assert_equal "$server_output" "$(printf '%s\n' 'request: 8 bytes' 'aborted: close() with SO_LINGER {1, 0} sent RST')"
}
