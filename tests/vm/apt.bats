#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output (bats run)
# The VM runner's private apt state (scripts/vm/apt) and kernel resolution
# (scripts/vm/kernel --resolve): the lists of the suites this machine does
# not use (bullseye, trixie, sid and their security suites) go into
# build/apt, never into the machine's apt state; "5.10" and "sid" name a
# linux-image package and its version.  Both need Debian's archive: without
# it, they skip with the reason.

setup_file() {
	bats_require_minimum_version 1.5.0
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	APT_DIR=$REPO/build/apt
	export REPO APT_DIR

	machine_apt_state >"$BATS_FILE_TMPDIR/before"
	# Fetched again whatever their age (apt asks the archive whether each
	# list changed, so this is quick once the lists are there).
	APT_UPDATE=0
	(cd "$REPO" && SOCKERR_APT_MAX_AGE=0 scripts/vm/apt update) \
		>"$BATS_FILE_TMPDIR/update.log" 2>&1 || APT_UPDATE=$?
	machine_apt_state >"$BATS_FILE_TMPDIR/after"
	export APT_UPDATE
}

setup() {
	load ../test_helper/common-setup
}

# Every file and folder of the machine's apt state with its type,
# modification time and size; the checksums of the configuration and the
# lists (/var/cache/apt's downloaded packages, gigabytes, by size and time).
machine_apt_state() {
	local d
	for d in /etc/apt /var/lib/apt /var/cache/apt; do
		if [ -e "$d" ]; then find "$d" -printf '%p %y %T@ %s\n'; fi
	done
	# A machine may have no /var/cache/apt/*.bin (the glob stays a word
	# find cannot open): the listing is the state, not find's status.
	find /etc/apt /var/lib/apt /var/cache/apt/*.bin -type f -exec sha256sum {} + 2>/dev/null || true
}

# reachable: skip unless the update reached the archive.
reachable() {
	if [ "$APT_UPDATE" -ne 0 ]; then
		skip "Debian's archive cannot be reached (apt-get update: $(grep -m1 -E '^(E|W):' "$BATS_FILE_TMPDIR/update.log" || echo "exit $APT_UPDATE"))"
	fi
}

@test "vm/apt update: the lists of bullseye, bullseye-security and sid are in build/apt" {
	reachable
	run cat "$APT_DIR/sources.list"
	assert_line --regexp '^deb \[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg\] http://deb.debian.org/debian bullseye main$'
	assert_line --regexp '^deb \[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg\] http://deb.debian.org/debian-security bullseye-security main$'
	assert_line --regexp '^deb \[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg\] http://deb.debian.org/debian sid main$'
	for suite in bullseye bullseye-security sid; do
		compgen -G "$APT_DIR/lists/*_dists_${suite}_main_binary-amd64_Packages*" >/dev/null ||
			fail "no $suite list in $APT_DIR/lists"
	done
	# The stamp the next update's age is taken from: just written.
	[ "$APT_DIR/updated" -nt "$BATS_FILE_TMPDIR/before" ]
	# Nothing of the machine's sources is read.
	run find "$APT_DIR/parts" -mindepth 1
	assert_output ""
}

@test "vm/apt update: the machine's apt state (/etc/apt, /var/lib/apt, /var/cache/apt) is untouched" {
	reachable
	run diff "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after"
	assert_success
}

@test "vm/kernel --resolve: 5.10 is the newest plain amd64 linux-image of 5.10 (bullseye), with its version" {
	reachable
	run "$REPO/scripts/vm/kernel" --resolve 5.10
	assert_success
	assert_output --regexp '^linux-image-5\.10\.[0-9]+-[0-9]+-amd64 5\.10\.[0-9]+-[0-9]+$'
}

@test "vm/kernel --resolve: sid is sid's newest plain amd64 linux-image, with its version" {
	reachable
	run "$REPO/scripts/vm/kernel" --resolve sid
	assert_success
	assert_output --regexp '^linux-image-[0-9]+\.[0-9]+\.[0-9][^ ]*-amd64 [0-9][^ ]*$'
	refute_output --regexp -- '-(cloud|rt)-amd64 '
	# No plain image in sid's list has a higher version (dpkg's order).
	local version=${output#* } v
	for v in $(sid_image_versions); do
		dpkg --compare-versions "$version" ge "$v" || fail "sid has $v, newer than $version"
	done
}

# The versions of the plain amd64 linux-image packages in sid's list.
sid_image_versions() {
	local f
	for f in "$APT_DIR"/lists/*_dists_sid_main_binary-amd64_Packages*; do
		/usr/lib/apt/apt-helper cat-file "$f"
	done | awk -v RS= -F '\n' '$1 ~ /^Package: linux-image-[0-9].*-amd64$/ && $1 !~ /-(cloud|rt)-amd64$/ {
			for (i = 1; i <= NF; i++) if ($i ~ /^Version: /) print substr($i, 10)
		}' | sort -u
}

@test "vm/kernel --resolve: a series no list has fails, naming it" {
	reachable
	run "$REPO/scripts/vm/kernel" --resolve 2.4
	assert_failure
	assert_output --partial "2.4: no such plain amd64 linux-image package"
}
