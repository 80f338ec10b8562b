#!/usr/bin/env bats
# accept-not-socket: ENOTSOCK on a regular file, and where the flags check
# sits before it.  Expectations are written here, not read from the C.

load ../test_helper/common-setup

# A regular file: ENOTSOCK; the flags are checked before the file type.
@test "accept-not-socket: accept() ENOTSOCK" {
	assert_steps accept-not-socket none - <<'EOF'
accept: ENOTSOCK
accept4 bad flags: EINVAL
EOF
}
