#!/usr/bin/env bash
# Install the Debian packages sockerr needs, only those that are missing.
set -euo pipefail

packages=(
	gcc make pkg-config
	libnl-3-dev libnl-route-3-dev libnftables-dev
	# --pcap (capture.c) and --trace (trace.c, a private tracefs instance).
	libpcap-dev libtracefs-dev libtraceevent-dev
	# sockerr claims reads the results documents (results/*.json).
	libjson-c-dev
	# The tests read the captures with another program than the one that wrote them.
	tcpdump
	# make report's browser test (tests/scripts/report.bats): headless Chromium, and
	# xmllint to query the DOM it builds and check the ladder SVGs.
	chromium libxml2-utils
	iproute2 nftables
	bats bats-assert bats-support jq shellcheck clang-format
	# bats --jobs: make check runs the suite in parallel.
	parallel
	# tests/serial/environment.bats: sockerr executes no other program.
	strace
	# The VM runner (scripts/vm): make compare and make check's smoke run.
	qemu-system-x86 qemu-system-data busybox-static xz-utils zstd cpio kmod binutils
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run 'make deps' as root" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
