#!/usr/bin/env bats
# accept-readiness-gone: accept(2) NOTES, "There may not always be a
# connection waiting after ... poll(2) ... return a readability event":
# two accepters on one listener, one connection.  Expectations are written
# here, not read from the C.

load ../test_helper/common-setup

# Both accepters see the listener readable; accepter 1 takes the
# connection.  Accepter 2's blocking accept() then sleeps (the man page:
# "the call will block waiting for the next connection to arrive") and
# returns the second connection when it comes.  With O_NONBLOCK on the
# listener the same stale readiness gives EAGAIN, without sleeping (the man
# page: "To ensure that accept() never blocks ... O_NONBLOCK").  The man
# page's other cause, "an asynchronous network error", does not remove a
# queued connection on Linux (rst-before-accept, accept-pending-error):
# written down as a difference.
check_readiness_gone() {
	assert_steps accept-readiness-gone "$1" - <<'EOF2'
connect: ok
accepter 1 poll: readable
accepter 2 poll: readable
accepter 1 accept: ok
listener: not readable
accepter 2 accept: asleep in accept
second connect: ok
accepter 2 woken: ok
accepter 2 got: the second connection
third connect: ok
accepter 1 poll again: readable
accepter 2 poll again: readable
accepter 1 accept again: ok
O_NONBLOCK: ok
accepter 2 accept O_NONBLOCK: EAGAIN
accepter 2 waited: without sleeping
EOF2
	assert_record connection "dequeued and handed over"
	assert_record posix_expects --partial "asynchronous network error"
}

@test "accept-readiness-gone ipv4: stale readiness, blocking accept() sleeps until the next connection, O_NONBLOCK EAGAIN" {
	check_readiness_gone -4
}

@test "accept-readiness-gone ipv6: stale readiness, blocking accept() sleeps until the next connection, O_NONBLOCK EAGAIN" {
	check_readiness_gone -6
}
