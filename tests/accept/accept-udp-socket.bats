#!/usr/bin/env bats
# accept-udp-socket: EOPNOTSUPP on a bound UDP socket.  Expectations are
# written here, not read from the C.

load ../test_helper/common-setup

check_udp() {
	assert_steps accept-udp-socket "$1" - <<'EOF'
bind: ok
accept: EOPNOTSUPP
EOF
}

@test "accept-udp-socket ipv4: accept() EOPNOTSUPP" {
	check_udp -4
}

@test "accept-udp-socket ipv6: accept() EOPNOTSUPP" {
	check_udp -6
}
