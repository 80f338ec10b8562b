#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# EHOSTUNREACH and ENETUNREACH: a neighbour that never answers, a TTL that
# runs out at the router, a router without a route, and the client's own
# link going down.  Expectations are written here, not read from the C.

setup() {
	load test_helper/common-setup
}

# The SYN waits for a neighbour nobody is; when the probes run out the
# client sends itself ICMP host unreachable (IPv6: address unreachable) and
# connect() fails on it: connect() sleeps without the socket lock.
check_neighbour() {
	observe_outcomes unreachable-neighbour "$1"
	assert_output - <<'EOF'
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

# The router's ICMP error comes back through veth synchronously, normally
# while connect() still owns the socket: it is counted in LockDroppedIcmps,
# kept as a soft error, and the hard error lands with the ICMP for the SYN
# retransmission about 1 s later (two ICMPs received).  Should softirq
# processing ever run after connect() released the lock, the first ICMP
# fails connect() without a retransmission (one ICMP, nothing dropped).
# Those are the two allowed outcomes, each tied to its counters (ICMPs
# received, RetransSegs: counts, not a clock); the retransmission cannot
# come before the 1 s initial RTO.
check_icmp_race() {
	local icmp_label=$1 dropped icmps ms resent
	assert_equal "$(jq '[.steps[] | select(.measured | not)] | length' <<<"$json")" 6
	assert_line --index 3 --regexp "^$icmp_label: \+[0-9]+$"
	assert_line --index 4 --regexp '^LockDroppedIcmps: \+[0-9]+$'
	assert_line --index 5 --regexp '^RetransSegs: \+[0-9]+$'
	dropped=$(step_result LockDroppedIcmps)
	icmps=$(step_result "$icmp_label")
	resent=$(step_result RetransSegs)
	ms=$(step_ms connect)
	case $dropped in
	+1)
		[ "$icmps" = +2 ] || fail "dropped +1 but $icmps ICMP received"
		[ "$resent" = +1 ] || fail "dropped +1 but RetransSegs $resent"
		[ "$ms" -ge 900 ] || fail "dropped +1 but connect() returned after $ms ms"
		;;
	+0)
		[ "$icmps" = +1 ] || fail "dropped +0 but $icmps ICMP received"
		[ "$resent" = +0 ] || fail "dropped +0 but RetransSegs $resent"
		;;
	*) fail "LockDroppedIcmps $dropped" ;;
	esac
}

check_ttl_exceeded() {
	local family=$1 opt=$2
	observe_outcomes unreachable-ttl-exceeded "$family"
	assert_line --index 0 "setsockopt: ok"
	assert_line --index 1 "setsockopt: ok"
	assert_line --index 2 "connect: EHOSTUNREACH"
	[[ $(jq -r '.steps[0].call' <<<"$json") == *"$opt, 1)" ]] || fail "no $opt 1"
	check_icmp_race "ICMP time exceeded in"
}

@test "unreachable-ttl-exceeded ipv4: IP_TTL 1, the router's time exceeded makes connect() EHOSTUNREACH" {
	check_ttl_exceeded -4 IP_TTL
}

@test "unreachable-ttl-exceeded ipv6: IPV6_UNICAST_HOPS 1, the router's time exceeded makes connect() EHOSTUNREACH" {
	check_ttl_exceeded -6 IPV6_UNICAST_HOPS
}

check_net_icmp() {
	observe_outcomes unreachable-net-icmp "$1"
	assert_line --index 0 "router route: absent"
	assert_line --index 1 "setsockopt: ok"
	assert_line --index 2 "connect: ENETUNREACH"
	check_icmp_race "ICMP unreachable in"
}

@test "unreachable-net-icmp ipv4: the router without a route answers net unreachable, connect() ENETUNREACH" {
	check_net_icmp -4
}

@test "unreachable-net-icmp ipv6: the router without a route answers no-route, connect() ENETUNREACH" {
	check_net_icmp -6
}

# The client's link goes down: the prefix route goes with it and connect()
# fails in the route lookup, bound to the device or not (never ENETDOWN).
# The established connection learns nothing: send() succeeds, the probe0
# timer retries and TCP_USER_TIMEOUT ends it.  IPv4 reports ETIMEDOUT; IPv6
# reports the route lookup's ENETUNREACH that inet6_csk_xmit() kept in
# sk_err_soft.  ENETDOWN appears only on a packet socket.
check_link_down() {
	local family=$1 established_errno=$2
	observe_outcomes unreachable-link-down "$family"
	assert_output - <<EOF
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
	run jq -r .posix_expects <<<"$json"
	assert_output --partial ENETDOWN
}

@test "unreachable-link-down ipv4: connect() ENETUNREACH (not ENETDOWN); the established connection ends in ETIMEDOUT" {
	check_link_down -4 ETIMEDOUT
}

@test "unreachable-link-down ipv6: connect() ENETUNREACH (not ENETDOWN); the established connection ends in ENETUNREACH" {
	check_link_down -6 ENETUNREACH
}
