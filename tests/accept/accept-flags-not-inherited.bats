#!/usr/bin/env bats
# accept-flags-not-inherited: the listener's file status flags (O_NONBLOCK,
# O_ASYNC, set with fcntl) do not pass to the socket accept() returns;
# accept4()'s SOCK_NONBLOCK and SOCK_CLOEXEC alone set the new socket's
# O_NONBLOCK and FD_CLOEXEC.  accept(2): "On Linux, the new socket returned
# by accept() does not inherit file status flags such as O_NONBLOCK and
# O_ASYNC from the listening socket."  Expectations are written here, not
# read from the C.

load ../test_helper/common-setup

# The listener has all three; accept()'s socket none of them; accept4()'s
# exactly the two it asked for, and its O_NONBLOCK works (recv EAGAIN).
# The listener's own O_NONBLOCK still makes its empty accept EAGAIN.
check_flags() {
	assert_steps accept-flags-not-inherited "$1" - <<'EOF'
listener F_SETFL: ok
listener O_NONBLOCK: yes
listener O_ASYNC: yes
listener FD_CLOEXEC: yes
accept: ok
accepted O_NONBLOCK: no
accepted O_ASYNC: no
accepted FD_CLOEXEC: no
accept4: ok
accept4 O_NONBLOCK: yes
accept4 O_ASYNC: no
accept4 FD_CLOEXEC: yes
accept4 recv: EAGAIN
accept empty: EAGAIN
EOF
}

@test "accept-flags-not-inherited ipv4: accept() leaves O_NONBLOCK and O_ASYNC behind, accept4() sets O_NONBLOCK and FD_CLOEXEC" {
	check_flags -4
}

@test "accept-flags-not-inherited ipv6: accept() leaves O_NONBLOCK and O_ASYNC behind, accept4() sets O_NONBLOCK and FD_CLOEXEC" {
	check_flags -6
}
