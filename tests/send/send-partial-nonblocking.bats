#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# send-partial-nonblocking: a nonblocking send() of more than the send
# buffer has room for returns a partial count, not EAGAIN; the next send()
# says EAGAIN.  send(2) and POSIX send() read as all or nothing.
# The count itself varies with skb sizes: the sequence below leaves it out
# (outcomes) and bounds it separately.

load ../test_helper/common-setup

# The buffer filled until it stays full (nothing in flight), then raised:
# poll() says writable, the 64 KiB send is partial, the rest gets EAGAIN
# and poll() no longer says writable.
check_send_partial_nonblocking() {
	assert_outcomes send-partial-nonblocking "$1" - <<'EOF'
in flight: 0
SO_SNDBUF: ok
poll POLLOUT: writable
send: ok
send count: partial: 0 < ret < len
send again: EAGAIN
poll POLLOUT after: not writable
state: ESTABLISHED
EOF
	# SO_SNDBUF 16384 asked, doubled by the kernel; the count is more
	# than nothing and less than the 64 KiB asked (and than the buffer).
	assert_equal "$(measured 'SO_SNDBUF now')" 32768
	local sent
	sent=$(jq -r '[.steps[] | select(.name == "send")][0].ret' <<<"$json")
	[ "$sent" -gt 0 ]
	[ "$sent" -lt 32768 ]
}

@test "send-partial-nonblocking ipv4: send(MSG_DONTWAIT) of 64 KiB returns a partial count, the next one EAGAIN" {
	check_send_partial_nonblocking -4
}

@test "send-partial-nonblocking ipv6: send(MSG_DONTWAIT) of 64 KiB returns a partial count, the next one EAGAIN" {
	check_send_partial_nonblocking -6
}
