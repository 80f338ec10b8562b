#!/usr/bin/env bats
# shellcheck disable=SC2154 # status and output (bats run)
# examples/: the reference handlers build with cc alone, outside the
# Makefile and its flags.

load ../test_helper/common-setup

@test "examples/accept_loop.c builds with cc alone (-std=c11, no -D_GNU_SOURCE)" {
	root=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	run cc -std=c11 -Wall -Wextra -Werror -c "$root/examples/accept_loop.c" -o "$BATS_TEST_TMPDIR/accept_loop.o"
	assert_success
	assert_output ""
}
