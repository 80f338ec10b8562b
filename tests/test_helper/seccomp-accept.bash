# shellcheck shell=bash
# The check shared by the accept-policy-* tests (tests/accept/
# accept-policy-*.bats): the errnos only a policy layer (seccomp) makes
# accept(2) return.  Expectations are written here, not read from the C
# (reproducers/lib/seccomp_accept.c runs them).
# json is set by observe (common-setup.bash):
# shellcheck disable=SC2154

# It uses observe and the assertions: it brings the common set-up with it,
# and a test file loads this file alone.
# shellcheck source=tests/test_helper/common-setup.bash
source "${BASH_SOURCE[0]%/*}/common-setup.bash"

# seccomp SECCOMP_RET_ERRNO: accept() and accept4() fail with the filter's
# errno, the kernel never touches the listener, the connection stays queued
# and an unfiltered accept() gets it.
check_policy() {
	local errno=$1 family=$2
	assert_steps "accept-policy-${errno,,}" "$family" - <<EOF2
listener before: readable (still queued)
child accept: $errno
child accept4: $errno
listener after: readable (still queued)
parent accept: ok
accepted peer: the queued client
EOF2
	assert_record policy seccomp
	assert_record connection "still queued"
}
