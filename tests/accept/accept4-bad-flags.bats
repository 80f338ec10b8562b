#!/usr/bin/env bats
# shellcheck disable=SC2154 # json (observe)
# accept4-bad-flags: EINVAL for an undefined accept4() flag, and what became
# of the pending connection (still queued).  Expectations are written here,
# not read from the C.

load ../test_helper/common-setup

# The bad flag is refused before the queue is touched: the connection
# stays queued and a correct accept4() gets it, working.
check_bad_flags() {
	assert_steps accept4-bad-flags "$1" - <<'EOF'
queue before: still queued
accept4: EINVAL
queue after: still queued
accept4 valid: ok
client send: ok
server recv: ok
byte: arrived
EOF
	assert_record connection "still queued"
}

@test "accept4-bad-flags ipv4: accept4() EINVAL, the connection stays queued" {
	check_bad_flags -4
}

@test "accept4-bad-flags ipv6: accept4() EINVAL, the connection stays queued" {
	check_bad_flags -6
}
