#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# accept-signal: accept(2) interrupted by a signal (EINTR, restarted under
# SA_RESTART, EINTR again with SO_RCVTIMEO).  Expectations are written here,
# not read from the C.

load ../test_helper/common-setup

# Without SA_RESTART: EINTR.  With it: the call restarts and returns the
# connection the handler started.  With SA_RESTART and SO_RCVTIMEO:
# sock_intr_errno() gives -EINTR, never restarted.
check_signal() {
	assert_steps accept-signal "$1" - <<'EOF2'
accept, no SA_RESTART: EINTR
handler: ran
handler connect: EINPROGRESS
accept, SA_RESTART: ok
accepted peer: the handler's connection
setsockopt SO_RCVTIMEO: ok
accept, SA_RESTART, SO_RCVTIMEO: EINTR
returned: at the signal, before SO_RCVTIMEO
EOF2
	assert_record connection "dequeued and handed over"
}

@test "accept-signal ipv4: EINTR without SA_RESTART, restarted with it, EINTR with SA_RESTART and SO_RCVTIMEO" {
	check_signal -4
}

@test "accept-signal ipv6: EINTR without SA_RESTART, restarted with it, EINTR with SA_RESTART and SO_RCVTIMEO" {
	check_signal -6
}
