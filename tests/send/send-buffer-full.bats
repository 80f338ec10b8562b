#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# send-buffer-full: the EAGAIN of send(MSG_DONTWAIT) once the peer stops
# reading and the send buffer fills, and POLLOUT only after the peer reads.
# Expectations are written here, not read from the C.  Measured steps (byte
# counts, milliseconds) vary from run to run: the sequence below leaves
# them out and bounds them separately.

load ../test_helper/common-setup

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
