#!/usr/bin/env bats
# shellcheck disable=SC2154 # json (observe)
# timeout-after-icmp-established: the router loses its route to the server
# while three connections are established; it answers their packets with
# ICMP destination unreachable (IPv4 host unreachable: EHOSTUNREACH; ICMPv6
# no route: ENETUNREACH).  What recv() finally reports after
# TCP_USER_TIMEOUT, and what reading SO_ERROR in between changes.
# Expectations are written here, not read from the C.

load ../test_helper/common-setup

# On an established connection the ICMP error is soft: nothing shows it
# (no POLLERR, recv() says EAGAIN, still ESTABLISHED) except SO_ERROR,
# which hands it over and clears it.  The retransmission timeout then
# reports the soft error still pending (tcp_write_err(): sk_err_soft ?:
# ETIMEDOUT): "answered" (every retransmission reaches the router's
# unreachable route) and "kept" (one ICMP error, then silence) say
# EHOSTUNREACH/ENETUNREACH, as the article says; "read" (one ICMP error,
# read through SO_ERROR) says ETIMEDOUT.  The router's nft rule lets
# exactly one packet of kept and of read reach its unreachable route: one
# ICMP error each.  Each connection comes from an address of its own, so
# the router's per-host rate limit (IPv4: ip_error() and
# inet_peer_xrlim_allow() on the client address's inet_peer) counts each
# apart.  answered's count depends on how many retransmissions the timers
# made and, on IPv4, on that rate limit (two at once, then one a second):
# measured, at least two (the first transmission and the first RTO
# retransmission).
check_timeout_after_icmp() {
	local errno=$2
	assert_outcomes timeout-after-icmp-established "$1" - <<EOF
setsockopt: ok
setsockopt: ok
setsockopt: ok
kept: send: ok
kept: ICMP in: +1
kept: poll: none
kept: recv: EAGAIN
kept: state: ESTABLISHED
read: send: ok
read: SO_ERROR: $errno
read: state: ESTABLISHED
read: ICMP in: +1
answered: send: ok
answered: recv: $errno
kept: recv: $errno
read: recv: ETIMEDOUT
answered: ICMP errors: at least 2
answered: state: CLOSE
EOF
	[ "$(measured 'answered: ICMP in')" -ge 2 ]
}

@test "timeout-after-icmp-established ipv4: recv() EHOSTUNREACH after TCP_USER_TIMEOUT, ETIMEDOUT once SO_ERROR read the soft error" {
	check_timeout_after_icmp -4 EHOSTUNREACH
}

@test "timeout-after-icmp-established ipv6: recv() ENETUNREACH (ICMPv6 no route) after TCP_USER_TIMEOUT, ETIMEDOUT once SO_ERROR read the soft error" {
	check_timeout_after_icmp -6 ENETUNREACH
}
