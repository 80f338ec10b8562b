#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# connect-timeout-option: the EINPROGRESS a blocking connect() returns when
# SO_SNDTIMEO runs out, the attempt going on.  Expectations are written
# here, not read from the C.  Measured steps (milliseconds) vary from run
# to run: the sequence below leaves them out.

load ../test_helper/common-setup

check_connect_timeout_option() {
	observe connect-timeout-option "$1"
	outcomes
	# EINPROGRESS from a blocking socket, and the attempt goes on:
	# SYN_SENT, no error pending, a second connect() says EALREADY.
	assert_output - <<'EOF'
setsockopt: ok
connect: EINPROGRESS
elapsed: after the timeout
SO_ERROR: 0 (none)
state: SYN_SENT
poll: not writable
connect again: EALREADY
elapsed: after the timeout
state: SYN_SENT
close: ok
SYN_SENT after close: none
EOF
	assert_record posix_expects --partial O_NONBLOCK
}

@test "connect-timeout-option ipv4: blocking connect() with SO_SNDTIMEO EINPROGRESS after the timeout, still SYN_SENT" {
	check_connect_timeout_option -4
}

@test "connect-timeout-option ipv6: blocking connect() with SO_SNDTIMEO EINPROGRESS after the timeout, still SYN_SENT" {
	check_connect_timeout_option -6
}
