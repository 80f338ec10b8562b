#!/usr/bin/env bats
# shellcheck disable=SC2154 # status and output (bats run)
# scripts/scenario-texts: a scenario's texts come from the tagged lines at
# the end of its header comment; a missing required tag stops the build.

setup() {
	load ../test_helper/common-setup
	root=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	dir=$BATS_TEST_TMPDIR
}

# scenario FILE HEADER-LINES...: a scenario file whose header comment ends
# with the given lines.
scenario() {
	local file=$1
	shift
	{
		echo "/*"
		echo " * made-up: a scenario for the generator's tests."
		echo " *"
		printf '%s\n' "$@"
		echo " */"
		echo '#include "record/harness.h"'
		echo 'SCENARIO(made_up, .errno_name = "EINVAL", .syscall = "recv")'
		echo "{"
		echo "	return RUN_OK;"
		echo "}"
	} >"$file"
}

@test "scenario-texts: tags, a text over two lines, quotes escaped, absent tags NULL" {
	scenario "$dir/a.c" \
		' * Summary: the "made-up" case' \
		' * Kernel path: f() -> g():' \
		' *   h() -> -EINVAL' \
		' * Handling: fatal: a bug in the caller'
	run "$root/scripts/scenario-texts" "$dir/a.c"
	assert_success
	assert_line --partial "{\"$dir/a.c\", \"the \\\"made-up\\\" case\","
	assert_line --partial '"f() -> g(): h() -> -EINVAL",'
	assert_line --partial '"fatal: a bug in the caller",'
	assert_line --partial 'NULL},'
	# The generated C compiles.
	"$root/scripts/scenario-texts" "$dir/a.c" >"$dir/texts.c"
	run cc -std=gnu11 -D_GNU_SOURCE -iquote "$root" -iquote "$root/reproducers" -c -o "$dir/texts.o" "$dir/texts.c"
	assert_success
}

@test "scenario-texts: a file without SCENARIO() is passed over" {
	printf '/*\n * helpers\n */\nint x;\n' >"$dir/lib.c"
	run "$root/scripts/scenario-texts" "$dir/lib.c"
	assert_success
	refute_output --partial "$dir/lib.c"
}

@test "scenario-texts: a scenario without a Handling: line fails, naming its file" {
	scenario "$dir/b.c" ' * Summary: s' ' * Kernel path: k'
	run "$root/scripts/scenario-texts" "$dir/b.c"
	assert_failure
	assert_output --partial "$dir/b.c: its header comment needs the tags Summary:, Kernel path: and Handling:"
}

@test "scenario-texts: a tag written twice fails" {
	scenario "$dir/c.c" ' * Summary: s' ' * Summary: t' ' * Kernel path: k' ' * Handling: h'
	run "$root/scripts/scenario-texts" "$dir/c.c"
	assert_failure
	assert_output --partial "$dir/c.c:5: Summary: comes twice"
}
