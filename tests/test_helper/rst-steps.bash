# shellcheck shell=bash
# For the tests of the scenarios whose connection meets an RST or a
# shutdown (tests/recv/reset-*.bats, tests/send/pipe-*.bats): their
# successful calls show their return value (a byte count, 0 for EOF), so
# that data, EOF and success are told apart; and the poll() events a
# client's socket reports after an RST.

# It uses observe and the assertions: it brings the common set-up with it,
# and a test file loads this file alone.
# shellcheck source=tests/test_helper/common-setup.bash
source "${BASH_SOURCE[0]%/*}/common-setup.bash"

# observe_ret NAME -4|-6: as observe, but "label: ret" for calls that
# succeeded.
observe_ret() {
	observe "$@" || return 1
	# shellcheck disable=SC2154 # json is set by observe
	run jq -r '.steps[] | "\(.name): \(.value // .errno // .ret)"' <<<"$json"
}

# assert_steps_ret NAME -4|-6 EXPECTED|-: as assert_steps (common-setup),
# with observe_ret's return values.
assert_steps_ret() {
	observe_ret "$1" "$2" || return 1
	shift 2
	assert_output "$@"
}

# After an RST: the socket is closed, readable, writable, in error and hung up.
# shellcheck disable=SC2034 # read by the tests that load this file
POLL_AFTER_RST='POLLIN|POLLOUT|POLLERR|POLLHUP|POLLRDHUP'
