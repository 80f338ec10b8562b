#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# refused-by-firewall: ECONNREFUSED from a firewall on the router that
# answers the SYN with an RST it forged with the server's address.
# Expectations are written here, not read from the C.

load ../test_helper/common-setup

# The RST carries the server's address but the router's hop limit (64):
# the server's own SYN-ACK, forwarded by the router, arrives with 63.
# The server saw nothing.
check_refused_by_firewall() {
	local family=$1 server=$2
	assert_steps refused-by-firewall "$family" - <<EOF
connect: ECONNREFUSED
server segments in: +0
listener: nothing queued
reply: RST|ACK
reply source: $server
reply hop limit: 64
connect: ok
server reply hop limit: 63 (SYN|ACK)
EOF
	assert_record posix_expects null
}

@test "refused-by-firewall ipv4: connect() ECONNREFUSED from an RST the router forged with the server's address" {
	check_refused_by_firewall -4 198.51.100.2
}

@test "refused-by-firewall ipv6: connect() ECONNREFUSED from an RST the router forged with the server's address" {
	check_refused_by_firewall -6 2001:db8:2::2
}
