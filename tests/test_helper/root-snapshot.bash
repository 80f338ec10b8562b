# shellcheck shell=bash
# The state of the root network namespace that no run may change: links,
# addresses, routes, rules, nft and the tcp and core sysctls.  Taken before
# the suite (scripts/run-tests) and compared after it
# (tests/containment/containment.bats).

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
