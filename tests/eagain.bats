#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# EAGAIN on a TCP connection (recv and send, non-blocking and under
# SO_RCVTIMEO / SO_SNDTIMEO), and the EINPROGRESS a blocking connect()
# returns when SO_SNDTIMEO runs out.  Expectations are written here, not
# read from the C.  Measured steps (byte counts, milliseconds) vary from
# run to run: the sequences below leave them out and bound them separately.

setup() {
	load test_helper/common-setup
}

check_recv_nonblocking_empty() {
	observe recv-nonblocking-empty "$1"
	outcomes
	assert_output - <<'EOF'
recv MSG_DONTWAIT: EAGAIN
returned: without sleeping
fcntl O_NONBLOCK: ok
recv O_NONBLOCK: EAGAIN
returned: without sleeping
state: ESTABLISHED
poll: not readable
peer send: ok
poll after data: readable
recv after poll: ok
EOF
	assert_equal "$(jq -r .posix_expects <<<"$json")" null
	assert_equal "$(jq -r '.steps[] | select(.name == "recv after poll") | .ret' <<<"$json")" 1
}

@test "recv-nonblocking-empty ipv4: recv() EAGAIN without sleeping, with MSG_DONTWAIT and on an O_NONBLOCK socket" {
	check_recv_nonblocking_empty -4
}

@test "recv-nonblocking-empty ipv6: recv() EAGAIN without sleeping, with MSG_DONTWAIT and on an O_NONBLOCK socket" {
	check_recv_nonblocking_empty -6
}

check_recv_timeout() {
	observe recv-timeout "$1"
	outcomes
	assert_output - <<'EOF'
setsockopt: ok
recv: EAGAIN
elapsed: after the timeout
state: ESTABLISHED
EOF
	# The raw time is a measurement; it agrees with the class above.  A
	# timer never fires early (one 10 ms tick of slack), but load may make
	# it late by any amount: no upper bound here, make bench prints it.
	local ms
	ms=$(measured 'elapsed ms')
	[ "${ms%.*}" -ge 190 ]
}

@test "recv-timeout ipv4: blocking recv() with SO_RCVTIMEO EAGAIN after the timeout" {
	check_recv_timeout -4
}

@test "recv-timeout ipv6: blocking recv() with SO_RCVTIMEO EAGAIN after the timeout" {
	check_recv_timeout -6
}

check_send_buffer_full() {
	observe send-buffer-full "$1"
	outcomes
	assert_output - <<'EOF'
send: EAGAIN
returned: without sleeping
poll POLLOUT: not writable
state: ESTABLISHED
poll after peer reads: writable
send after poll: ok
EOF
	# SO_SNDBUF/SO_RCVBUF 4096 asked, doubled by the kernel.
	assert_equal "$(measured SO_SNDBUF)" 8192
	assert_equal "$(measured SO_RCVBUF)" 8192
	# Something was queued before EAGAIN, and no more than the two
	# buffers can hold with their overhead (a few times 8 KiB).
	local first all
	first=$(measured 'queued before EAGAIN')
	all=$(measured 'queued in all')
	[ "$first" -gt 0 ]
	[ "$all" -ge "$first" ]
	[ "$all" -le 65536 ]
}

@test "send-buffer-full ipv4: send(MSG_DONTWAIT) EAGAIN once the peer stops reading; POLLOUT only after it reads" {
	check_send_buffer_full -4
}

@test "send-buffer-full ipv6: send(MSG_DONTWAIT) EAGAIN once the peer stops reading; POLLOUT only after it reads" {
	check_send_buffer_full -6
}

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
	run jq -r .posix_expects <<<"$json"
	assert_output --partial O_NONBLOCK
}

@test "connect-timeout-option ipv4: blocking connect() with SO_SNDTIMEO EINPROGRESS after the timeout, still SYN_SENT" {
	check_connect_timeout_option -4
}

@test "connect-timeout-option ipv6: blocking connect() with SO_SNDTIMEO EINPROGRESS after the timeout, still SYN_SENT" {
	check_connect_timeout_option -6
}
