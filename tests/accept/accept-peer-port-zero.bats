#!/usr/bin/env bats
# accept-peer-port-zero, accept(2): what Linux returns when the connection
# went wrong before the server accepted it: its peer's source port is 0,
# which accept4() with an address buffer cannot report.  Expectations are
# written here, not read from the C.

load ../test_helper/common-setup

# A peer whose source port is 0: accept4() with an address buffer fails
# with ECONNABORTED and closes the connection (the peer sees a FIN); with a
# NULL buffer accept4() succeeds and getpeername() says ENOTCONN.
check_peer_port_zero() {
	assert_steps accept-peer-port-zero "$1" - <<'EOF'
handshake: queued on port 8080
accept4: ECONNABORTED
queue after: empty (dequeued)
peer sees: FIN|ACK
handshake: queued on port 8081
accept4: ok
state: ESTABLISHED
getpeername: ENOTCONN
EOF
}

@test "accept-peer-port-zero ipv4: accept4(addr) ECONNABORTED, connection dequeued and closed; accept4(NULL) ok, getpeername() ENOTCONN" {
	check_peer_port_zero -4
}

@test "accept-peer-port-zero ipv6: accept4(addr) ECONNABORTED, connection dequeued and closed; accept4(NULL) ok, getpeername() ENOTCONN" {
	check_peer_port_zero -6
}
