#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# rst-before-accept, accept(2): what Linux returns when the connection went
# wrong before the server accepted it: the client reset it (RST) after the
# handshake.  Expectations are written here, not read from the C.

load ../test_helper/common-setup

# RST before accept: POSIX says ECONNABORTED from accept(); Linux hands the
# dead connection over and the first recv() reports the reset.
check_rst_before_accept() {
	local family=$1 client=$2
	assert_steps rst-before-accept "$family" - <<EOF
client close: ok
listener: readable (the child is still queued)
accept: ok
peer: $client
state: CLOSE
recv: ECONNRESET
send: EPIPE
EOF
	# The difference from POSIX is recorded, not hidden.
	assert_record posix_expects --partial ECONNABORTED
}

@test "rst-before-accept ipv4: accept() succeeds (not ECONNABORTED), recv() ECONNRESET, send() EPIPE" {
	check_rst_before_accept -4 192.0.2.1
}

@test "rst-before-accept ipv6: accept() succeeds (not ECONNABORTED), recv() ECONNRESET, send() EPIPE" {
	check_rst_before_accept -6 2001:db8:1::1
}
