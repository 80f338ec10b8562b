# shellcheck shell=bash
# The socket-lock race of the router's ICMP error, as the tests of
# unreachable-ttl-exceeded and unreachable-net-icmp check it
# (tests/connect/unreachable-ttl-exceeded.bats,
# tests/connect/unreachable-net-icmp.bats).
# json, set by observe:
# shellcheck disable=SC2154

# It uses observe and the assertions: it brings the common set-up with it,
# and a test file loads this file alone.
# shellcheck source=tests/test_helper/common-setup.bash
source "${BASH_SOURCE[0]%/*}/common-setup.bash"

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
