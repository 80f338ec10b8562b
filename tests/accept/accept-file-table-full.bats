#!/usr/bin/env bats
# shellcheck disable=SC2154 # json (observe)
# accept-file-table-full: ENFILE, and what became of the pending connection
# (still queued); skipped unless on a disposable kernel.  Expectations are
# written here, not read from the C.

load ../test_helper/common-setup

# fs.file-max is global: on this host the scenario must refuse to run.
@test "accept-file-table-full: skipped unless on a disposable kernel" {
	[ "${SOCKERR_DISPOSABLE_KERNEL:-}" = 1 ] && skip "SOCKERR_DISPOSABLE_KERNEL=1: the scenario runs here"
	run --separate-stderr "$SOCKERR" run accept-file-table-full -4 --json
	assert_equal "$status" 4
	run jq -r '"\(.status): \(.reason)"' <<<"$output"
	assert_output "skipped: fs.file-max is global: runs only on a disposable kernel (SOCKERR_DISPOSABLE_KERNEL=1, set by the VM runner)"
}

# On a disposable kernel (the VM runner): ENFILE in a child without
# CAP_SYS_ADMIN, the connection stays queued, fs.file-max restored.
check_file_table_full() {
	[ "${SOCKERR_DISPOSABLE_KERNEL:-}" = 1 ] ||
		skip "fs.file-max is global: only on a disposable kernel (SOCKERR_DISPOSABLE_KERNEL=1)"
	assert_steps accept-file-table-full "$1" - <<'EOF'
child: without CAP_SYS_ADMIN
lower file-max: ok
accept4: ENFILE
restore file-max: ok
queue after: still queued
accept again: ok
client send: ok
server recv: ok
byte: arrived
EOF
	assert_record connection "still queued"
}

@test "accept-file-table-full ipv4: accept() ENFILE, the connection stays queued (disposable kernel)" {
	check_file_table_full -4
}

@test "accept-file-table-full ipv6: accept() ENFILE, the connection stays queued (disposable kernel)" {
	check_file_table_full -6
}
