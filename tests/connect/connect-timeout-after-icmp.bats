#!/usr/bin/env bats
# shellcheck disable=SC2154 # json (observe)
# connect-timeout-after-icmp: the router answers some of a connect()'s SYNs
# with ICMP destination unreachable (IPv4 host unreachable: EHOSTUNREACH;
# ICMPv6 no route: ENETUNREACH) and drops the others; TCP_SYNCNT 1.
# Expectations are written here, not read from the C.

load ../test_helper/common-setup

# "blocking" and "read" get an ICMP error for their first SYN only.  It
# normally meets connect() holding the socket (veth delivers
# synchronously): a soft error (LockDroppedIcmps +1); the retransmitted SYN
# goes unanswered and the SYN timeout (1 s + 2 s) reports the soft error:
# blocking connect() EHOSTUNREACH/ENETUNREACH, not ETIMEDOUT.  "read"
# reads SO_ERROR while still SYN_SENT: the soft error, which it clears;
# its timeout then says ETIMEDOUT.  Should the router's softirq run after
# connect() released the socket (ksoftirqd, under load), the first error
# is hard and ends connect() at once (LockDroppedIcmps +0): the other
# allowed outcome, tied per socket to that count, and TCPAbortOnTimeout
# counts exactly the sockets that took the timeout.  "late": its first SYN
# is dropped and the retransmitted one answered, while no call holds the
# socket: a hard error, one SYN retransmission, no timeout.
check_connect_timeout_after_icmp() {
	local errno=$2
	observe_outcomes connect-timeout-after-icmp "$1"
	local read_dropped blocking_dropped read_then read_end read_retrans elapsed
	read_dropped=$(step_result 'read: LockDroppedIcmps')
	blocking_dropped=$(step_result 'blocking: LockDroppedIcmps')
	case $read_dropped in
	+1) read_then=SYN_SENT read_end=ETIMEDOUT read_retrans=1 ;;
	+0) read_then=CLOSE read_end=0 read_retrans=0 ;;
	*) fail "read: LockDroppedIcmps $read_dropped" ;;
	esac
	case $blocking_dropped in
	+1) elapsed="not before the bound" ;;
	+0) elapsed="before the bound" ;;
	*) fail "blocking: LockDroppedIcmps $blocking_dropped" ;;
	esac
	local timeouts=$((${read_dropped#+} + ${blocking_dropped#+}))
	assert_output - <<EOF
late: connect: EINPROGRESS
read: connect: EINPROGRESS
read: LockDroppedIcmps: $read_dropped
read: SO_ERROR while waiting: $errno
read: state then: $read_then
blocking: connect: $errno
blocking: elapsed: $elapsed
blocking: LockDroppedIcmps: $blocking_dropped
late: poll: POLLERR
late: SO_ERROR: $errno
late: state: CLOSE
late: SYN retransmissions: 1
read: poll: POLLERR
read: SO_ERROR: $read_end
read: state: CLOSE
read: SYN retransmissions: $read_retrans
late: LockDroppedIcmps: +0
TCPAbortOnTimeout: +$timeouts
ICMP in: +3
EOF
}

@test "connect-timeout-after-icmp ipv4: the SYN timeout reports the soft EHOSTUNREACH, ETIMEDOUT once SO_ERROR read it; a late ICMP error is hard" {
	check_connect_timeout_after_icmp -4 EHOSTUNREACH
}

@test "connect-timeout-after-icmp ipv6: the SYN timeout reports the soft ENETUNREACH, ETIMEDOUT once SO_ERROR read it; a late ICMPv6 error is hard" {
	check_connect_timeout_after_icmp -6 ENETUNREACH
}
