#!/usr/bin/env bats
# shellcheck disable=SC2154 # json (observe)
# accept-bad-address: EFAULT (and EINVAL) from a bad addr or addrlen, and
# what became of the pending connection each time (dequeued and closed).
# Expectations are written here, not read from the C.

load ../test_helper/common-setup

# The address is copied out after the dequeue: EFAULT (and EINVAL for a
# negative *addrlen) lose the connection, which tcp_close() ends with a FIN,
# or with an RST when the client's byte was left unread.
check_bad_address() {
	assert_steps accept-bad-address "$1" - <<'EOF'
accept addr unmapped: EFAULT
queue after: empty
peer recv: ok
peer sees: EOF (FIN)
accept addrlen unmapped: EFAULT
queue after: empty
peer recv: ok
peer sees: EOF (FIN)
accept addrlen -1: EINVAL
queue after: empty
peer recv: ok
peer sees: EOF (FIN)
client send: ok
accept addr unmapped, data: EFAULT
queue after: empty
peer recv: ECONNRESET
peer sees: ECONNRESET (RST)
EOF
	assert_record connection "dequeued and closed"
	# The man page does not say the connection is lost; that is recorded.
	assert_record posix_expects --partial EFAULT
}

@test "accept-bad-address ipv4: accept() EFAULT, the connection is dequeued and closed" {
	check_bad_address -4
}

@test "accept-bad-address ipv6: accept() EFAULT, the connection is dequeued and closed" {
	check_bad_address -6
}
