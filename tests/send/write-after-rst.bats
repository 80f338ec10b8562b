#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# Writing to a connection the peer reset: the first write reports the
# reset, every later one EPIPE, with SIGPIPE unless it is ignored or
# suppressed with MSG_NOSIGNAL.

load ../test_helper/common-setup

# Three connections, one per SIGPIPE disposition: ignored, MSG_NOSIGNAL,
# default (the writer is a child, killed by the signal at its second write).
check_write_after_rst() {
	assert_steps write-after-rst "$1" - <<'EOF'
server close: ok
send: ECONNRESET
send: EPIPE
send: EPIPE
server close: ok
send: ECONNRESET
send: EPIPE
send: EPIPE
server close: ok
send: ECONNRESET
child: killed by SIGPIPE
EOF
}

@test "write-after-rst ipv4: ECONNRESET, then EPIPE; SIGPIPE kills a default writer at the second write" {
	check_write_after_rst -4
}

@test "write-after-rst ipv6: ECONNRESET, then EPIPE; SIGPIPE kills a default writer at the second write" {
	check_write_after_rst -6
}
