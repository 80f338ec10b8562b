#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# accept-pending-error: ICMP errors delivered to a connection waiting in the
# accept queue.  accept(2) says Linux "passes already-pending network errors
# on the new socket as an error code from accept()"; these tests hold what
# Linux does instead: accept() succeeds, the error is soft (only SO_ERROR
# shows it) unless the listener had IP_RECVERR / IPV6_RECVERR, inherited by
# the child, in which case the first recv() fails with it.  The errno each
# ICMP message converts to is written here (icmp_err_convert[],
# icmpv6_err_convert()), not read from the C.

load ../test_helper/common-setup

# pending_case LABEL ERRNO: the steps of one ICMP error on two fresh
# connections, first to the plain listener, then to the RECVERR listener.
pending_case() {
	local label=$1 err=$2
	cat <<EOF
$label icmp: in window, socket not owned
$label queued: listener readable
$label accept: ok
$label recverr: off
$label state: ESTABLISHED
$label recv: EAGAIN
$label SO_ERROR: $err
$label+RECVERR icmp: in window, socket not owned
$label+RECVERR queued: listener readable
$label+RECVERR accept: ok
$label+RECVERR recverr: on
$label+RECVERR state: ESTABLISHED
$label+RECVERR recv: $err
$label+RECVERR SO_ERROR: 0
EOF
}

check_common() {
	assert_record connection "dequeued and handed over"
	# The man page's claim is recorded as what it expects, not hidden.
	assert_record posix_expects --partial "man page"
	assert_output --partial "ENETDOWN"
}

@test "accept-pending-error ipv4: accept() succeeds after every ICMP error; recv() fails only with IP_RECVERR, SO_ERROR always reports it" {
	assert_steps accept-pending-error -4 "$(
		pending_case net-unreach ENETUNREACH
		pending_case host-unreach EHOSTUNREACH
		pending_case proto-unreach ENOPROTOOPT
		pending_case sr-failed EOPNOTSUPP
		pending_case host-unknown EHOSTDOWN
		pending_case host-isolated ENONET
		pending_case param-problem EPROTO
	)"
	check_common
}

@test "accept-pending-error ipv6: accept() succeeds after every ICMPv6 error; recv() fails only with IPV6_RECVERR, SO_ERROR always reports it" {
	assert_steps accept-pending-error -6 "$(
		pending_case no-route ENETUNREACH
		pending_case addr-unreach EHOSTUNREACH
		pending_case admin-prohibited EACCES
		pending_case param-problem EPROTO
	)"
	check_common
}

# The crafted messages themselves, checked by the receiving kernel: the
# ICMP checksum (ours for IPv4, the kernel's for raw ICMPv6 sockets) passed
# icmp_rcv()/icmpv6_rcv(), the quoted headers passed icmp_unreach() /
# icmpv6_notify(), and the quoted ports and sequence number found the child
# and passed tcp_v4_err()/tcp_v6_err()'s window check (no InCsumErrors,
# InErrors, OutOfWindowIcmps).  The call text names each message.
@test "icmp_craft: every crafted ICMP and ICMPv6 error is accepted by the server's kernel, in window" {
	for family in -4 -6; do
		observe accept-pending-error "$family"
		run jq -r '[.steps[] | select(.name | endswith(" icmp")) | .value] | unique | .[]' <<<"$json"
		assert_output "in window, socket not owned"
		run jq -r '.steps[] | select(.name | endswith(" icmp")) | .call' <<<"$json"
		if [ "$family" = -4 ]; then
			assert_line --index 0 --regexp '^router -> server: dest-unreach/net-unreach quoting 198\.51\.100\.2:8080 > 192\.0\.2\.1:[0-9]+ seq ISN\+1$'
			assert_line --index 13 --regexp '^router -> server: param-problem/pointer quoting 198\.51\.100\.2:8081 > '
		else
			assert_line --index 0 --regexp '^router -> server: dest-unreach/no-route quoting 2001:db8:2::2:8080 > 2001:db8:1::1:[0-9]+ seq ISN\+1$'
			assert_line --index 7 --regexp '^router -> server: param-problem/header-field quoting 2001:db8:2::2:8081 > '
		fi
	done
}
