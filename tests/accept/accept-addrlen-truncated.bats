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

# check_truncated -4|-6 FULL AF SMALL: the steps for a peer address of FULL
# bytes (family AF) accepted into SMALL bytes.
check_truncated() {
	local family=$1 full=$2 af=$3 small=$4
	assert_steps accept-addrlen-truncated "$family" - <<EOF
accept large: ok
addrlen large: $full
family large: $af
port large: the client's port
written large: the first $full bytes of the peer's address
past large: untouched
accept small: ok
addrlen small: $full
family small: $af
port small: the client's port
written small: the first $small bytes of the peer's address
past small: untouched
accept zero: ok
addrlen zero: $full
written zero: no byte
past zero: untouched
accept negative: EINVAL
addrlen negative: -1
written negative: no byte
past negative: untouched
EOF
}

@test "accept-addrlen-truncated ipv4: 8 bytes supplied, 8 written, addrlen 16 back; -1 EINVAL" {
	check_truncated -4 16 AF_INET 8
}

@test "accept-addrlen-truncated ipv6: 16 bytes (a sockaddr_in) supplied, 16 written, addrlen 28 back; -1 EINVAL" {
	check_truncated -6 28 AF_INET6 16
}
