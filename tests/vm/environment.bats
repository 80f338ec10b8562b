#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# Environments sockerr cannot make on this host, made in a disposable guest
# (the VM runner, Debian's 6.1 kernel unless SOCKERR_ENV_KERNEL says
# otherwise): a kernel without IPv6 (ipv6.disable=1), and IPv6 disabled
# on every device of every new namespace (ipv6.disable_ipv6=1).  In both,
# the IPv4 run runs, the IPv6 run is skipped with a reason that says which,
# and the exit status is 0 (not every run was skipped).  Two boots, one per
# kernel command line (SOCKERR_VM_APPEND).

setup_file() {
	bats_require_minimum_version 1.5.0
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	ENV_OUT=$BATS_FILE_TMPDIR
	export REPO ENV_OUT
	local kdir job
	kdir=$("$REPO/scripts/vm/kernel" "${SOCKERR_ENV_KERNEL:-6.1}")

	# The job succeeds once sockerr has run: what it did is in the files.
	# env: what a fresh namespace sees of IPv6, to show the boot made the
	# environment meant (the sysctl is absent without IPv6).
	job=$BATS_FILE_TMPDIR/job
	cat >"$job" <<'JOB'
out=/run/sockerr-vm
unshare -n cat /proc/sys/net/ipv6/conf/default/disable_ipv6 >$out/env 2>/dev/null ||
	echo "no IPv6" >$out/env
build/sockerr run closed-port --json >$out/run.json 2>$out/run.err
echo $? >$out/run.rc
build/sockerr run --all -4 --json >$out/all4.json 2>&1
JOB
	NOIPV6_BOOT=0
	(cd "$REPO" && SOCKERR_VM_TIMEOUT=300 SOCKERR_VM_APPEND=ipv6.disable=1 \
		scripts/vm/boot "$kdir" "$ENV_OUT/noipv6" "$job") || NOIPV6_BOOT=$?

	# ipv6.disable_ipv6=1: IPv6 is there, but every device of every
	# namespace starts with disable_ipv6=1, so adding an address fails
	# (addrconf_add_dev(): -EACCES).  It has to be the boot parameter:
	# sysctls cannot do it, because addrconf_init_net()
	# (net/ipv6/addrconf.c) sets each new namespace's
	# conf/default/disable_ipv6 from that parameter (ipv6_defaults), after
	# copying init_net's values with net.core.devconf_inherit_init_net=1;
	# the copied conf/all/disable_ipv6 reads 1 but reaches no device (it
	# acts only when written).  With those sysctls on 6.1 the IPv6 run ran.
	DISABLED_BOOT=0
	(cd "$REPO" && SOCKERR_VM_TIMEOUT=300 SOCKERR_VM_APPEND=ipv6.disable_ipv6=1 \
		scripts/vm/boot "$kdir" "$ENV_OUT/disabled" "$job") || DISABLED_BOOT=$?
	export NOIPV6_BOOT DISABLED_BOOT
}

setup() {
	load ../test_helper/common-setup
}

# check_boot DIR STATUS: the guest ran the job; else show its console.
check_boot() {
	local dir=$1 boot=$2
	if [ "$boot" -ne 0 ] || [ ! -s "$dir/run.rc" ]; then
		echo "scripts/vm/boot exited $boot; the guest's console:" >&2
		tail -n 30 "$dir/console.log" >&2
		return 1
	fi
}

# family_status DIR FAMILY: "STATUS: REASON" of that family's run.
family_status() {
	jq -r --arg f "$2" 'select(.family == $f) | "\(.status): \(.reason // "")"' "$1/run.json"
}

@test "vm, ipv6.disable=1: IPv4 ran, IPv6 skipped (not available on this kernel), exit 0" {
	local dir=$ENV_OUT/noipv6
	check_boot "$dir" "$NOIPV6_BOOT"
	run cat "$dir/env"
	assert_output "no IPv6"
	run cat "$dir/run.err"
	assert_output ""
	run family_status "$dir" ipv4
	assert_output "ran: "
	run family_status "$dir" ipv6
	assert_output "skipped: IPv6 is not available on this kernel"
	run cat "$dir/run.rc"
	assert_output 0
}

@test "vm, ipv6.disable_ipv6=1 (disabled in every namespace): IPv4 ran, IPv6 skipped (disabled in the run's namespaces), exit 0" {
	local dir=$ENV_OUT/disabled
	check_boot "$dir" "$DISABLED_BOOT"
	run cat "$dir/env"
	assert_output 1
	run cat "$dir/run.err"
	assert_output ""
	run family_status "$dir" ipv4
	assert_output "ran: "
	run family_status "$dir" ipv6
	assert_output --regexp "^skipped: IPv6 is disabled in the run's namespaces"
	run cat "$dir/run.rc"
	assert_output 0
}

# ipv4_not_ran DIR: the catalogue's IPv4 runs that broke, or skipped for a
# reason about IPv6: without IPv6 the IPv4 half of every topology must
# still work.  (Skips for other reasons stay: forbidden-landlock on a
# kernel before 6.7.)
ipv4_not_ran() {
	jq -r 'select(.status == "broken" or (.status == "skipped" and (.reason | test("IPv6"))))
		| "\(.scenario) \(.family): \(.status): \(.reason)"' "$1/all4.json"
}

@test "vm, ipv6.disable=1: no IPv4 run of the catalogue broke or skipped for want of IPv6" {
	check_boot "$ENV_OUT/noipv6" "$NOIPV6_BOOT"
	run ipv4_not_ran "$ENV_OUT/noipv6"
	assert_output ""
}

@test "vm, ipv6.disable_ipv6=1: no IPv4 run of the catalogue broke or skipped for want of IPv6" {
	check_boot "$ENV_OUT/disabled" "$DISABLED_BOOT"
	run ipv4_not_ran "$ENV_OUT/disabled"
	assert_output ""
}
