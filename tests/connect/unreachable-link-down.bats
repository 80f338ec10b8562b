#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# unreachable-link-down: connect(2) when the client's own link is down
# (ENETUNREACH, never ENETDOWN), and what an established connection learns.
# Expectations are written here, not read from the C.

load ../test_helper/common-setup

# The client's link goes down: the prefix route goes with it and connect()
# fails in the route lookup, bound to the device or not (never ENETDOWN).
# The established connection learns nothing: send() succeeds, the probe0
# timer retries and TCP_USER_TIMEOUT ends it.  IPv4 reports ETIMEDOUT; IPv6
# reports the route lookup's ENETUNREACH that inet6_csk_xmit() kept in
# sk_err_soft.  ENETDOWN appears only on a packet socket.
check_link_down() {
	local family=$1 established_errno=$2
	assert_outcomes unreachable-link-down "$family" - <<EOF
setsockopt: ok
prefix route: present
prefix route: absent
connect: ENETUNREACH
setsockopt: ok
connect bound: ENETUNREACH
established state: ESTABLISHED
send established: ok
timer: zero-window probe (probe0)
poll established: POLLERR
when: after TCP_USER_TIMEOUT
recv established: $established_errno
send after: EPIPE
TCPAbortOnTimeout: +1
AF_PACKET sendto: ENETDOWN
EOF
	assert_record posix_expects --partial ENETDOWN
}

@test "unreachable-link-down ipv4: connect() ENETUNREACH (not ENETDOWN); the established connection ends in ETIMEDOUT" {
	check_link_down -4 ETIMEDOUT
}

@test "unreachable-link-down ipv6: connect() ENETUNREACH (not ENETDOWN); the established connection ends in ENETUNREACH" {
	check_link_down -6 ENETUNREACH
}
