#!/usr/bin/env bats
# closed-port: connect(2) to a port nobody listens on; the server host
# answers the SYN with an RST.

load ../test_helper/common-setup

@test "closed-port ipv4: connect() ECONNREFUSED (the server host answers RST)" {
	assert_steps closed-port -4 - <<'EOF'
connect: ECONNREFUSED
state: CLOSE
EOF
}

@test "closed-port ipv6: connect() ECONNREFUSED (the server host answers RST)" {
	assert_steps closed-port -6 - <<'EOF'
connect: ECONNREFUSED
state: CLOSE
EOF
}
