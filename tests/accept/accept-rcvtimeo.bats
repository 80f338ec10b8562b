#!/usr/bin/env bats
# accept-rcvtimeo: EAGAIN from a blocking accept() under SO_RCVTIMEO, after
# the timeout.  Expectations are written here, not read from the C.

load ../test_helper/common-setup

# A blocking accept() under SO_RCVTIMEO (200 ms) gives EAGAIN, and not
# before the timeout (to the kernel tick).
check_rcvtimeo() {
	assert_steps accept-rcvtimeo "$1" - <<'EOF'
setsockopt: ok
connections: none
accept: EAGAIN
elapsed: after the timeout
EOF
	# The wait is really the timeout: the accept step ends at >= 190 ms.
	local ms
	ms=$(step_ms accept)
	[ "$ms" -ge 190 ]
}

@test "accept-rcvtimeo ipv4: accept() EAGAIN after SO_RCVTIMEO" {
	check_rcvtimeo -4
}

@test "accept-rcvtimeo ipv6: accept() EAGAIN after SO_RCVTIMEO" {
	check_rcvtimeo -6
}
