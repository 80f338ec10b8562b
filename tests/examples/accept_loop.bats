#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, lines (bats run); CLIENT, SERVER (keep_scenario)
# examples/accept_loop.c through examples/accept_server.c, in the
# namespaces of accept-loop-fd-exhaustion: the server holds every
# connection it serves, under a descriptor limit of 8 (prlimit), and more
# clients come than it has descriptors for.  The loop's reserved descriptor
# refuses each of them at once, in order, with "busy"; it does not spin.

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

N_CLIENTS=8

# N_CLIENTS clients in the client namespace, one after the other, each
# printing the first line the server sends it (bash's /dev/tcp; each wait
# bounded by read -t), or "failed".
clients_one_after_the_other() {
	local i
	for ((i = 1; i <= N_CLIENTS; i++)); do
		# shellcheck disable=SC2016 # expanded by the client's bash
		ip netns exec "$CLIENT" bash -c \
			'exec 5<>/dev/tcp/192.0.2.2/7000 && IFS= read -r -t 10 line <&5 && echo "$line"' ||
			echo failed
	done
}

@test "accept loop, accept-loop-fd-exhaustion's namespaces: past the descriptor limit, clients are refused with busy at once, and nothing spins" {
	keep_scenario accept-loop-fd-exhaustion -4
	start_server "$SERVER" prlimit --nofile=8:8 "$(example accept_server)" -n "$N_CLIENTS" -t 30 192.0.2.2 7000
	run clients_one_after_the_other
	assert_success
	local clients=$output
	wait_server
	assert_equal "$server_status" 0
	echo "clients: $clients"
	echo "server: $server_output"

	# Descriptors 0-2, the listener and the reserve leave 3 of 8 to
	# serve with (fewer if one more was inherited): count, then check.
	local served refused calls
	served=$(grep -c '^connection [0-9]*: served 192.0.2.1, hello sent, held open$' <<<"$server_output")
	refused=$(grep -c '^connection [0-9]*: refused (EMFILE: no descriptor), busy sent, closed in order$' <<<"$server_output")
	[ "$served" -ge 1 ]
	[ "$refused" -ge 1 ]
	assert_equal "$((served + refused))" "$N_CLIENTS"
	# Each client heard its fate: the served ones first, then the refused.
	assert_equal "$clients" "$( (for ((i = 0; i < served; i++)); do echo hello; done
		for ((i = 0; i < refused; i++)); do echo busy; done) )"
	# It did not spin: a served client costs one accept(), a refused one
	# two (the EMFILE, then the accept into the reserve's slot); bounded
	# here by four a client.
	calls=$(sed -n 's/^done: accept() calls \([0-9]*\), .*/\1/p' <<<"$server_output")
	[ "$calls" -le $((N_CLIENTS * 4)) ]
	assert_equal "$(tail -n 1 <<<"$server_output")" \
		"done: accept() calls $calls, served $served, refused $refused, retried 0, backed off 0"
}
