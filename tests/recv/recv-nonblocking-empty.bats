#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# recv-nonblocking-empty: EAGAIN from a recv() that would have to wait, with
# MSG_DONTWAIT and on an O_NONBLOCK socket; the connection stays intact and
# poll() then says when to read.  Expectations are written here, not read
# from the C.  Measured steps (milliseconds) vary from run to run: the
# sequence below leaves them out.

load ../test_helper/common-setup

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
	assert_record posix_expects null
	assert_equal "$(jq -r '.steps[] | select(.name == "recv after poll") | .ret' <<<"$json")" 1
}

@test "recv-nonblocking-empty ipv4: recv() EAGAIN without sleeping, with MSG_DONTWAIT and on an O_NONBLOCK socket" {
	check_recv_nonblocking_empty -4
}

@test "recv-nonblocking-empty ipv6: recv() EAGAIN without sleeping, with MSG_DONTWAIT and on an O_NONBLOCK socket" {
	check_recv_nonblocking_empty -6
}
