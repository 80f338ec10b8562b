#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, lines (bats run); CLIENT, ROUTER, SERVER (keep_scenario)
# examples/connect_loop.c through examples/connect_client.c, in the
# namespaces of the connect(2) scenarios: each address that fails is
# abandoned for the next one, and the last address, where accept_server
# listens, connects.  In the routed topologies the server's address is the
# one the scenario makes unreachable, so the service also listens on the
# router (192.0.2.254), the one other host the client can reach.

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

# connect_then_router SCENARIO CLIENT-ARGS...: accept_server on the router,
# connect_client with CLIENT-ARGS, then the router's address.
connect_then_router() {
	local scenario=$1
	shift
	keep_scenario "$scenario" -4
	start_server "$ROUTER" "$(example accept_server)" -n 1 -t 30 192.0.2.254 7000
	run ip netns exec "$CLIENT" "$(example connect_client)" "$@" 192.0.2.254:7000
	wait_server
}

@test "connect loop, closed-port's namespaces: ECONNREFUSED, then the next address connects" {
	keep_scenario closed-port -4
	start_server "$SERVER" "$(example accept_server)" -n 1 -t 30 192.0.2.2 7000
	run ip netns exec "$CLIENT" "$(example connect_client)" 192.0.2.2:9 192.0.2.2:7000
	assert_success
	assert_output - <<-'EOF'
		192.0.2.2:9: ECONNREFUSED, next address
		192.0.2.2:7000: connected
		received: hello
	EOF
	wait_server
	assert_equal "$server_status" 0
}

@test "connect loop, closed-port's namespaces (IPv6): ECONNREFUSED, then the next address connects" {
	keep_scenario closed-port -6
	start_server "$SERVER" "$(example accept_server)" -n 1 -t 30 2001:db8:1::2 7000
	run ip netns exec "$CLIENT" "$(example connect_client)" '[2001:db8:1::2]:9' '[2001:db8:1::2]:7000'
	assert_success
	assert_output - <<-'EOF'
		[2001:db8:1::2]:9: ECONNREFUSED, next address
		[2001:db8:1::2]:7000: connected
		received: hello
	EOF
	wait_server
	assert_equal "$server_status" 0
}

@test "connect loop, closed-port's namespaces: no address answers, it backs off between rounds (doubling) and gives up" {
	keep_scenario closed-port -4
	run ip netns exec "$CLIENT" "$(example connect_client)" -r 3 -b 10 192.0.2.2:9 192.0.2.2:8
	assert_failure 1
	assert_output - <<-'EOF'
		192.0.2.2:9: ECONNREFUSED, next address
		192.0.2.2:8: ECONNREFUSED, no address left in this round
		round 1: no address answered, backing off 10 ms
		192.0.2.2:9: ECONNREFUSED, next address
		192.0.2.2:8: ECONNREFUSED, no address left in this round
		round 2: no address answered, backing off 20 ms
		192.0.2.2:9: ECONNREFUSED, next address
		192.0.2.2:8: ECONNREFUSED, no address left in this round
		gave up after 3 rounds: ECONNREFUSED
	EOF
}

@test "connect loop, router-unreachable's namespaces: EHOSTUNREACH from the router, then the next address connects" {
	# The first ICMP error may meet connect()'s socket lock and land with
	# the SYN retransmission, 1 s later (router-unreachable's note): the
	# attempt's timeout (5 s) leaves room for it.
	connect_then_router router-unreachable -t 5000 198.51.100.2:7000
	assert_success
	assert_equal "$server_status" 0
	assert_output - <<-'EOF'
		198.51.100.2:7000: EHOSTUNREACH, next address
		192.0.2.254:7000: connected
		received: hello
	EOF
}

@test "connect loop, unreachable-net-icmp's namespaces: ENETUNREACH from the router, then the next address connects" {
	connect_then_router unreachable-net-icmp -t 5000 198.51.100.2:7000
	assert_success
	assert_equal "$server_status" 0
	assert_output - <<-'EOF'
		198.51.100.2:7000: ENETUNREACH, next address
		192.0.2.254:7000: connected
		received: hello
	EOF
}

@test "connect loop, no-route's namespaces: ENETUNREACH from connect() itself, then the next address connects" {
	connect_then_router no-route 198.51.100.2:7000
	assert_success
	assert_equal "$server_status" 0
	assert_output - <<-'EOF'
		198.51.100.2:7000: ENETUNREACH, next address
		192.0.2.254:7000: connected
		received: hello
	EOF
}

@test "connect loop, timeout-syn-dropped's namespaces: its own timeout gives ETIMEDOUT, then the next address connects" {
	# The router drops every SYN to the server: nothing ever answers, so
	# any timeout of the loop's own ends the attempt (the kernel's would
	# take 127 s).
	connect_then_router timeout-syn-dropped -t 300 198.51.100.2:7000
	assert_success
	assert_equal "$server_status" 0
	assert_output - <<-'EOF'
		198.51.100.2:7000: ETIMEDOUT (no answer within 300 ms), next address
		192.0.2.254:7000: connected
		received: hello
	EOF
}
