#!/usr/bin/env bats
# accept-listener-destroyed: a listener destroyed under a blocked accept(2)
# (sock_diag SOCK_DESTROY, EINVAL).  Expectations are written here, not
# read from the C.

load ../test_helper/common-setup

# ss -K on the listener: the blocked accept() wakes with EINVAL (no longer
# listening), later accepts too; the port refuses connections until a new
# listener is created.
check_listener_destroyed() {
	assert_steps accept-listener-destroyed "$1" - <<'EOF2'
child: asleep in accept
destroy: ok
blocked accept: EINVAL
listener state: CLOSE
accept again: EINVAL
SO_ERROR: ECONNABORTED
connect: ECONNREFUSED
close listener: ok
new listener: ok
connect to new listener: ok
EOF2
}

@test "accept-listener-destroyed ipv4: blocked accept() EINVAL after SOCK_DESTROY, connect() ECONNREFUSED" {
	check_listener_destroyed -4
}

@test "accept-listener-destroyed ipv6: blocked accept() EINVAL after SOCK_DESTROY, connect() ECONNREFUSED" {
	check_listener_destroyed -6
}
