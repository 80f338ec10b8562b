#!/usr/bin/env bats
# accept-sigio: a listener with F_SETOWN and O_ASYNC (accept(2): "you can
# set the socket to deliver SIGIO when activity occurs on a socket").
# Expectations are written here, not read from the C.

load ../test_helper/common-setup

# No SIGIO before a client connects; one when the handshake completes,
# before accept(), with the listener then readable; none left after
# accept().  Without F_SETSIG the signal carries no band (SI_KERNEL); with
# F_SETSIG it carries POLL_IN, POLLIN|POLLRDNORM and the listener's fd.
# The accepted socket inherits neither O_ASYNC nor the owner (accept(2)
# NOTES): its data sends no SIGIO.
check_sigio() {
	assert_steps accept-sigio "$1" - <<'EOF2'
F_SETOWN: ok
O_ASYNC: ok
SIGIO before connect: EAGAIN
1 connect: ok
1 sigtimedwait: ok
1 signal: SIGIO
1 si_code: SI_KERNEL
1 listener: readable
1 accept: ok
1 SIGIO after accept: EAGAIN
F_SETSIG: ok
2 connect: ok
2 sigtimedwait: ok
2 signal: SIGIO
2 si_code: POLL_IN
2 si_band: POLLIN|POLLRDNORM
2 si_fd: the listener
2 listener: readable
2 accept: ok
2 SIGIO after accept: EAGAIN
accepted O_ASYNC: not set
client send: ok
recv: ok
SIGIO for accepted data: EAGAIN
EOF2
	assert_record connection "dequeued and handed over"
}

@test "accept-sigio ipv4: SIGIO when a connection is queued, before accept(); F_SETSIG gives POLL_IN and si_fd" {
	check_sigio -4
}

@test "accept-sigio ipv6: SIGIO when a connection is queued, before accept(); F_SETSIG gives POLL_IN and si_fd" {
	check_sigio -6
}
