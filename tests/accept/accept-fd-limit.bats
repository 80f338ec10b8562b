#!/usr/bin/env bats
# shellcheck disable=SC2154 # json (observe)
# accept-fd-limit: EMFILE, and what became of the pending connection (still
# queued).  Expectations are written here, not read from the C.

load ../test_helper/common-setup

# No free descriptor: EMFILE before the dequeue (even on a non-socket);
# freeing one descriptor lets the same connection through, working.
check_fd_limit() {
	assert_steps accept-fd-limit "$1" - <<'EOF'
setrlimit: ok
accept: EMFILE
accept non-socket: EMFILE
queue after: still queued
close: ok
accept again: ok
setrlimit restore: ok
client send: ok
server recv: ok
byte: arrived
EOF
	assert_record connection "still queued"
}

@test "accept-fd-limit ipv4: accept() EMFILE, the connection stays queued" {
	check_fd_limit -4
}

@test "accept-fd-limit ipv6: accept() EMFILE, the connection stays queued" {
	check_fd_limit -6
}
