#!/usr/bin/env bats
# shellcheck disable=SC2154 # status and output (bats run)
# scripts/catalogue-check (make check): a scenario without a test, or a test
# naming a scenario the catalogue lacks, fails the build.  Checked on a copy
# of tests/ with one thing changed.

setup() {
	load ../test_helper/common-setup
	check=$BATS_TEST_DIRNAME/../../scripts/catalogue-check
	copy=$BATS_TEST_TMPDIR/tests
	cp -r "$BATS_TEST_DIRNAME/.." "$copy"
	export CATALOGUE_SOURCES=$BATS_TEST_DIRNAME/../../reproducers
}

@test "catalogue-check: the tree's tests and catalogue agree" {
	run env CATALOGUE_TESTS="$BATS_TEST_DIRNAME/.." "$check" "$SOCKERR"
	assert_success
	assert_output ""
}

@test "catalogue-check: a scenario whose tests are gone is named" {
	sed -i 's/^@test "accept-closed-fd:/@test "closed descriptor:/' "$copy"/*/*.bats
	run env CATALOGUE_TESTS="$copy" "$check" "$SOCKERR"
	assert_failure 1
	assert_output "catalogue-check: scenario accept-closed-fd has no test (no @test title starts with its name)"
}

@test "catalogue-check: a test title or a helper naming a scenario that does not exist is named" {
	printf '%s\n' '@test "closed-prot ipv4: a typo" {' '	observe closed-prot -4' '}' \
		'@test "closed-port ipv6: a typo in the helper" {' \
		'	assert_steps closed-prot -6 "connect: ECONNREFUSED"' '}' >"$copy/typo.bats"
	run env CATALOGUE_TESTS="$copy" "$check" "$SOCKERR"
	assert_failure 1
	assert_line "catalogue-check: $copy/typo.bats:1 names scenario closed-prot, which the catalogue does not have"
	assert_line "catalogue-check: $copy/typo.bats:2 names scenario closed-prot, which the catalogue does not have"
	assert_line "catalogue-check: $copy/typo.bats:5 names scenario closed-prot, which the catalogue does not have"
}

@test "catalogue-check: a scenario's bats file missing, or a file named after no scenario, is named" {
	mv "$copy/connect/closed-port.bats" "$copy/connect/closed-ports.bats"
	run env CATALOGUE_TESTS="$copy" "$check" "$SOCKERR"
	assert_failure 1
	assert_line "catalogue-check: scenario closed-port has no $copy/connect/closed-port.bats"
	assert_line "catalogue-check: $copy/connect/closed-ports.bats is no scenario's file (one scenario per file, named after it)"
}

