#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# send-timeout: a blocking send() under SO_SNDTIMEO returns a short count
# when it copied something, EAGAIN when the buffer was already full.
# Expectations are written here, not read from the C.  Measured steps (byte
# counts, milliseconds) vary from run to run: the sequence below leaves
# them out and bounds them separately.

load ../test_helper/common-setup

check_send_timeout() {
	observe send-timeout "$1"
	outcomes
	# A send() larger than the room returns a short count after the
	# timeout; only a send() that can copy nothing returns EAGAIN.
	assert_output - <<'EOF'
setsockopt: ok
send larger than the buffer: ok
returned: a short count
elapsed: after the timeout
send to a full buffer: EAGAIN
elapsed: after the timeout
state: ESTABLISHED
EOF
	local sent
	sent=$(measured sent)
	[ "$sent" -gt 0 ]
	[ "$sent" -lt 65536 ]
}

@test "send-timeout ipv4: blocking send() with SO_SNDTIMEO: a short count, then EAGAIN on a full buffer after the timeout" {
	check_send_timeout -4
}

@test "send-timeout ipv6: blocking send() with SO_SNDTIMEO: a short count, then EAGAIN on a full buffer after the timeout" {
	check_send_timeout -6
}
