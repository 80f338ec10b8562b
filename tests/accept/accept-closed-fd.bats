#!/usr/bin/env bats
# shellcheck disable=SC2154 # json (observe)
# accept-closed-fd: EBADF, the descriptor looked up before anything else.
# Expectations are written here, not read from the C.

load ../test_helper/common-setup

# The descriptor is looked up before anything else, even the flags.
@test "accept-closed-fd: accept() EBADF" {
	assert_steps accept-closed-fd none - <<'EOF'
close: ok
accept: EBADF
accept4 bad flags: EBADF
accept -1: EBADF
EOF
	assert_record family none
}
