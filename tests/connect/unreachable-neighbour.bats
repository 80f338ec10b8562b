#!/usr/bin/env bats
# unreachable-neighbour: connect(2) to an on-link address nobody owns; the
# neighbour resolution fails and connect() gets EHOSTUNREACH.
# Expectations are written here, not read from the C.

load ../test_helper/common-setup

# The SYN waits for a neighbour nobody is; when the probes run out the
# client sends itself ICMP host unreachable (IPv6: address unreachable) and
# connect() fails on it: connect() sleeps without the socket lock.
check_neighbour() {
	assert_outcomes unreachable-neighbour "$1" - <<'EOF'
setsockopt: ok
connect: EHOSTUNREACH
when: after the neighbour probes, before the first SYN retransmission
neighbour: FAILED
ICMP unreachable sent: +1
ICMP unreachable in: +1
EOF
	# 3 probes 100 ms apart: a chain of timers, so never sooner (a tick of
	# slack each).  "Before the first SYN retransmission" is the
	# namespace's RetransSegs, not a clock: load can only make it later.
	local ms
	ms=$(measured elapsed)
	[ "$ms" -ge 270 ] || fail "connect() took $ms ms"
}

@test "unreachable-neighbour ipv4: connect() EHOSTUNREACH once ARP fails (neighbour FAILED), before any SYN retransmission" {
	check_neighbour -4
}

@test "unreachable-neighbour ipv6: connect() EHOSTUNREACH once neighbour discovery fails (neighbour FAILED), before any SYN retransmission" {
	check_neighbour -6
}
