#!/usr/bin/env bats
# shellcheck disable=SC2154 # status and output (bats run)
# examples/: the reference handlers and their programs build with cc
# alone, outside the Makefile and its flags; each program's header says how
# to build it and how to run it.  (tests/examples/ runs the programs in the
# scenarios' namespaces.)

load ../test_helper/common-setup
load ../test_helper/examples

# examples/*.c: the handlers (with a header of their own) and the programs
# (without), as the Makefile tells them apart.
example_files() {
	local f
	for f in "$EXAMPLES_ROOT"/examples/*.c; do
		case $1 in
		handlers) [ -f "${f%.c}.h" ] || continue ;;
		programs) [ ! -f "${f%.c}.h" ] || continue ;;
		esac
		basename "$f" .c
	done
}

@test "examples: there are the three handlers and a program for each" {
	run example_files handlers
	assert_output - <<-'EOF'
		accept_loop
		connect_loop
		io_loop
	EOF
	run example_files programs
	assert_output - <<-'EOF'
		accept_server
		connect_client
		io_peer
	EOF
}

@test "examples: every examples/*.c compiles with cc -std=c11 -Wall -Wextra -Werror alone (no -D_GNU_SOURCE)" {
	local name
	for name in $(example_files all); do
		run cc -std=c11 -Wall -Wextra -Werror -c "$EXAMPLES_ROOT/examples/$name.c" \
			-o "$BATS_TEST_TMPDIR/$name.o"
		assert_success
		assert_output ""
	done
}

@test "examples: every program's header gives a build command (cc -std=c11 -o PROGRAM ...) that builds it, word for word" {
	local name line
	for name in $(example_files programs); do
		line=$(example_build_line "$name")
		[[ $line == "cc -std=c11 -o $name examples/$name.c "* ]] ||
			fail "examples/$name.c: the Build line is '$line'"
		run build_example "$name" "$BATS_TEST_TMPDIR"
		assert_success
		assert_output ""
		[ -x "$BATS_TEST_TMPDIR/$name" ]
	done
}

@test "examples: every program's header gives its usage, and the program prints it and exits 2 on a bad command line" {
	local name usage
	for name in $(example_files programs); do
		build_example "$name" "$BATS_TEST_TMPDIR"
		usage=$(sed -n "s/^ \* Usage: \($name .*\)/\1/p" "$EXAMPLES_ROOT/examples/$name.c")
		[ -n "$usage" ] || fail "examples/$name.c has no ' * Usage: $name ...' line"
		run --separate-stderr "$BATS_TEST_TMPDIR/$name"
		assert_failure 2
		[[ $stderr == "usage: $usage"* ]] || fail "$name: usage '$stderr', its header: '$usage'"
	done
}

@test "examples: make examples builds each program alone (cc -std=c11, no flag of sockerr's) into build/examples/, linked with the handlers it includes" {
	run make -s -C "$EXAMPLES_ROOT" -n -B examples
	assert_success
	assert_line --partial "-std=c11 -Wall -Wextra -Werror -o build/examples/accept_server examples/accept_server.c examples/accept_loop.c"
	assert_line --partial "-std=c11 -Wall -Wextra -Werror -o build/examples/connect_client examples/connect_client.c examples/connect_loop.c"
	assert_line --partial "-std=c11 -Wall -Wextra -Werror -o build/examples/io_peer examples/io_peer.c examples/io_loop.c"
	refute_output --partial "-D_GNU_SOURCE"
}

@test "examples: sockerr is built from the handlers, never from a program (its main() is sockerr's)" {
	# shellcheck disable=SC2016 # make expands $(SRCS)
	run make -s -C "$EXAMPLES_ROOT" --no-print-directory --eval 'print-srcs: ; @echo $(SRCS)' print-srcs
	assert_success
	local name
	for name in $(example_files handlers); do
		assert_output --partial "examples/$name.c"
	done
	for name in $(example_files programs); do
		refute_output --partial "examples/$name.c"
	done
}
