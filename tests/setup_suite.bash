# Before the whole suite: snapshot the root network namespace, so that
# zz-containment.bats can prove nothing in it changed.
# shellcheck shell=bash

root_namespace_snapshot() {
	ip -d link show | sed 's/ link-netns [^ ]*//'
	ip addr show
	ip -4 route show table all
	ip -6 route show table all
	ip -4 rule show
	ip -6 rule show
	nft list ruleset
	sysctl -a 2>/dev/null | grep -E '^net\.(ipv4\.tcp_|core\.)' | grep -v -E 'netdev_rss_key'
}

setup_suite() {
	export ROOT_SNAPSHOT_BEFORE="$BATS_RUN_TMPDIR/root-namespace-before"
	root_namespace_snapshot >"$ROOT_SNAPSHOT_BEFORE"
	export -f root_namespace_snapshot
}
