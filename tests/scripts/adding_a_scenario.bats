#!/usr/bin/env bats
# shellcheck disable=SC2154 # status and output (bats run)
# README's "Adding a scenario" promises two files and nothing else: its
# example is taken out of README.md, dropped into a copy of the tree, built,
# checked (scripts/catalogue-check) and its own test run there.  Its call
# text reworded then changes neither the step's label nor its host.

# example PATH: the code block README.md gives after "<!-- example: PATH -->".
example() {
	awk -v marker="<!-- example: $1 -->" '
		$0 == marker { found = 1; next }
		found && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }' "$root/README.md"
}

# One copy of the tree with the example in it, built by whichever test
# comes first (the second only recompiles what it changes).
setup_file() {
	root=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	copy=$BATS_FILE_TMPDIR/tree
	mkdir -p "$copy"
	# The tracked files only (no build/ of this tree).
	git -C "$root" ls-files -z | (cd "$root" && xargs -0 cp --parents -t "$copy")
	example reproducers/recv/recv-not-connected.c >"$copy/reproducers/recv/recv-not-connected.c"
	example tests/recv/recv-not-connected.bats >"$copy/tests/recv/recv-not-connected.bats"
}

setup() {
	load ../test_helper/common-setup
	root=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	copy=$BATS_FILE_TMPDIR/tree
}

@test "README's example scenario: its two files build, register, and pass their test" {
	local c=reproducers/recv/recv-not-connected.c t=tests/recv/recv-not-connected.bats
	[ -s "$copy/$c" ] && [ -s "$copy/$t" ] || fail "README.md has no example for $c or $t"
	run make -C "$copy" -s all
	assert_success
	run "$copy/build/sockerr" list --json
	assert_success
	run jq -r '.[] | select(.name == "recv-not-connected") | "\(.file) \(.families | join(","))"' <<<"$output"
	assert_output "$c ipv4,ipv6"
	run bash -c 'cd "$1" && scripts/catalogue-check build/sockerr' _ "$copy"
	assert_success
	# Its test, as make check runs it: on the fixture of the copy's
	# catalogue, which the suite set-up of tests/recv/ makes.
	run env -u SOCKERR_FIXTURE SOCKERR_TAG=example SOCKERR="$copy/build/sockerr" bats --tap "$copy/$t"
	assert_success
	assert_line "ok 1 recv-not-connected ipv4: recv() ENOTCONN"
	assert_line "ok 2 recv-not-connected ipv6: recv() ENOTCONN"
}

@test "README's example scenario: its call text reworded, the step keeps its label and host" {
	local c=reproducers/recv/recv-not-connected.c
	run make -C "$copy" -s all
	assert_success
	local reworded=$BATS_TEST_TMPDIR/reworded
	cp -a "$copy" "$reworded"
	# A text that once made the label "server recv on descriptor N " and
	# the host the server (a host word first, no descriptor after "(").
	sed -i 's/"recv(%d, %zu, 0)", fd,/"server recv on descriptor %d (%zu bytes, no flags)", fd,/' \
		"$reworded/$c"
	grep -q '"server recv on descriptor %d' "$reworded/$c" || fail "README's example has no recv(%d, %zu, 0)"
	run make -C "$reworded" -s all
	assert_success
	run "$reworded/build/sockerr" run recv-not-connected -4 --json
	assert_success
	run jq -r '.steps[] | "\(.name) \(.host) \(.errno) \(.call | sub("[0-9]+ \\("; "N ("))"' <<<"$output"
	assert_output "recv client ENOTCONN server recv on descriptor N (16 bytes, no flags)"
}
