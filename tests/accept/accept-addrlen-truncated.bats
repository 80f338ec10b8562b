#!/usr/bin/env bats
# accept-addrlen-truncated: *addrlen is a value-result argument.  accept()
# succeeds with a buffer too small for the peer's address, writes only the
# bytes supplied (the family and the port first, nothing past the buffer)
# and returns the address's full size, "a value greater than was
# supplied" (accept(2)).  An IPv6 peer into a sockaddr_in's 16 bytes
# (28 back), an IPv4 peer into 8 bytes (16 back); with *addrlen 0 nothing
# is written and the full size still comes back.  A negative *addrlen is
# EINVAL, and then nothing is written and *addrlen is "left unchanged"
# (RETURN VALUE).  Expectations are written here, not read from the C.

load ../test_helper/common-setup

@test "accept-addrlen-truncated ipv4: 8 bytes supplied, 8 written, addrlen 16 back; -1 EINVAL" {
	assert_steps accept-addrlen-truncated -4 - <<'EOF'
accept large: ok
addrlen large: 16
family large: AF_INET
port large: the client's port
written large: the first 16 bytes of the peer's address
past large: untouched
accept small: ok
addrlen small: 16
family small: AF_INET
port small: the client's port
written small: the first 8 bytes of the peer's address
past small: untouched
accept zero: ok
addrlen zero: 16
written zero: no byte
past zero: untouched
accept negative: EINVAL
addrlen negative: -1
written negative: no byte
past negative: untouched
EOF
}

@test "accept-addrlen-truncated ipv6: 16 bytes (a sockaddr_in) supplied, 16 written, addrlen 28 back; -1 EINVAL" {
	assert_steps accept-addrlen-truncated -6 - <<'EOF'
accept large: ok
addrlen large: 28
family large: AF_INET6
port large: the client's port
written large: the first 28 bytes of the peer's address
past large: untouched
accept small: ok
addrlen small: 28
family small: AF_INET6
port small: the client's port
written small: the first 16 bytes of the peer's address
past small: untouched
accept zero: ok
addrlen zero: 28
written zero: no byte
past zero: untouched
accept negative: EINVAL
addrlen negative: -1
written negative: no byte
past negative: untouched
EOF
}
