#!/usr/bin/env bats
# shellcheck disable=SC2154 # json (observe)
# accept-nonblocking-empty: EAGAIN on a nonblocking listener with an empty
# accept queue, and no connection ever existed.  Expectations are written
# here, not read from the C.

load ../test_helper/common-setup

# EAGAIN at once on a listener made nonblocking either way; accept4()'s
# SOCK_NONBLOCK does not make the wait nonblocking (it blocks until
# SO_RCVTIMEO); after poll() says readable, accept() succeeds.
check_nonblocking_empty() {
	assert_steps accept-nonblocking-empty "$1" - <<'EOF'
fcntl O_NONBLOCK: ok
connections: none
accept O_NONBLOCK: EAGAIN
accept SOCK_NONBLOCK: EAGAIN
fcntl blocking: ok
accept4 SOCK_NONBLOCK: EAGAIN
accept4 waited: after the timeout
poll listener: readable
accept: ok
EOF
	assert_record connection "never existed"
}

@test "accept-nonblocking-empty ipv4: accept() EAGAIN, accept4(SOCK_NONBLOCK) still blocks" {
	check_nonblocking_empty -4
}

@test "accept-nonblocking-empty ipv6: accept() EAGAIN, accept4(SOCK_NONBLOCK) still blocks" {
	check_nonblocking_empty -6
}
