#!/usr/bin/env bats
# send-not-connected: send() on a TCP socket that never connected, and on a
# listener, fails with EPIPE (and SIGPIPE), where POSIX names ENOTCONN;
# recv() on the same socket does say ENOTCONN.  Nothing is left in
# SO_ERROR.

load ../test_helper/common-setup

check_send_not_connected() {
	assert_steps send-not-connected "$1" - <<'EOF'
state: CLOSE
send: EPIPE
send: EPIPE
child: killed by SIGPIPE
sendto: EPIPE
SO_ERROR: 0
recv: ENOTCONN
listener state: LISTEN
listener send: EPIPE
EOF
}

@test "send-not-connected ipv4: send() EPIPE, SIGPIPE kills a default sender, sendto() with an address EPIPE, recv() ENOTCONN, a listener's send() EPIPE" {
	check_send_not_connected -4
}

@test "send-not-connected ipv6: send() EPIPE, SIGPIPE kills a default sender, sendto() with an address EPIPE, recv() ENOTCONN, a listener's send() EPIPE" {
	check_send_not_connected -6
}
