#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# accept-loop-fd-exhaustion: the reference accept loop
# (examples/accept_loop.c) against a naive one, with 5 clients queued and
# no descriptor free: the naive loop for 1000 accept() calls, the reference
# loop for 300 ms.

load ../test_helper/common-setup

check_fd_exhaustion() {
	observe accept-loop-fd-exhaustion "$1"
	# The naive loop retries EMFILE at once: the listener stays readable
	# (the connection is still queued), so it spins: 1000 accept() calls
	# without sleeping once (voluntary context switches: a count a busy
	# machine cannot change, unlike calls per second).
	assert_equal "$(step_result 'naive accept calls')" 1000
	assert_equal "$(step_result 'naive sleeps')" "never slept"
	# Nobody is served or told: every client is left waiting.
	assert_equal "$(step_result 'naive clients')" "served 0, refused 0, waiting 5, reset 0"

	# The reference loop refuses each queued client in order with its
	# reserved descriptor: two accept() calls per client at most (the
	# EMFILE, then the accept into the spare slot), then it sleeps in
	# poll() -- it does not spin.
	[ "$(step_result 'reference accept calls')" -le 12 ]
	assert_equal "$(step_result 'reference sleeps')" "slept in poll()"
	assert_equal "$(step_result 'reference clients')" "served 0, refused 5, waiting 0, reset 0"
	assert_record connection "dequeued and closed"
}

@test "accept-loop-fd-exhaustion ipv4: the naive loop spins and leaves clients waiting; the reference loop refuses every client and does not spin" {
	check_fd_exhaustion -4
}

@test "accept-loop-fd-exhaustion ipv6: the naive loop spins and leaves clients waiting; the reference loop refuses every client and does not spin" {
	check_fd_exhaustion -6
}
