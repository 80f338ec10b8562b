#!/usr/bin/env bats
# router-blackhole: connect(2) through a router whose blackhole route for
# the server drops the SYN silently.

load ../test_helper/common-setup

# Blackhole on the router: nothing comes back; TCP_USER_TIMEOUT (500 ms)
# bounds the wait, checked when the first SYN retransmission timer fires
# (initial RTO 1 s), so connect() cannot fail before about 1 s.
check_router_blackhole() {
	assert_steps router-blackhole "$1" - <<'EOF'
setsockopt: ok
connect: ETIMEDOUT
EOF
	[ "$(step_ms connect)" -ge 900 ]
}

@test "router-blackhole ipv4: connect() ETIMEDOUT after the first SYN RTO (TCP_USER_TIMEOUT 500 ms)" {
	check_router_blackhole -4
}

@test "router-blackhole ipv6: connect() ETIMEDOUT after the first SYN RTO (TCP_USER_TIMEOUT 500 ms)" {
	check_router_blackhole -6
}
