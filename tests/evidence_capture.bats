#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# --pcap: the packets of a run, captured inside its own namespaces.  The
# pcap files are read back with tcpdump, independently of sockerr; the
# JSON "packets" (what the ladder draws) are checked with jq.  Each packet
# is kept once, as its sender sent it ("Out" in tcpdump).

load test_helper/common-setup

# capture NAME -4|-6: the scenario's run with --pcap, from the suite's
# fixture (scripts/catalogue-fixture: `sockerr run --all --pcap DIR/pcap
# --output`, each record with its packets in records/); $json holds its
# record, $pcap the file it wrote.
capture() {
	local name=$1 family=$2 fam=ipv4
	[ "$family" = -6 ] && fam=ipv6
	[ -f "$SOCKERR_FIXTURE/records/$name-$fam.json" ] || fail "no run $name $fam in the fixture $SOCKERR_FIXTURE"
	json=$(<"$SOCKERR_FIXTURE/records/$name-$fam.json")
	[ "$(jq -r .status <<<"$json")" = ran ] ||
		fail "sockerr run $name $family --pcap: $(jq -r '"\(.status): \(.reason)"' <<<"$json")"
	pcap=$(jq -r .pcap <<<"$json")
	[ "$pcap" = "$SOCKERR_FIXTURE/pcap/$name-$fam.pcap" ] || fail "pcap path: $pcap"
	[ -s "$pcap" ] || fail "no pcap written at $pcap"
}

# tcpdump_lines: the capture as tcpdump reads it, one line per packet, in
# $output.  tcpdump names an SLL2 packet's interface after the reading
# host's own ifindex (and warns that the name may be wrong): the tests
# match the direction and what follows it, never that name.
tcpdump_lines() {
	run --separate-stderr tcpdump -r "$pcap" -nn "$@"
	[ "$status" -eq 0 ] || fail "tcpdump -r $pcap: $stderr"
}

# arrows: the JSON packets as "from > to ifname: label", leaving out the
# MLD reports IPv6 sends on every link of the topology at random moments
# after it comes up (RFC 3810 unsolicited reports): real packets, but not
# the scenario's.
arrows() {
	run jq -r '.packets[] | select(.label | test("MLD") | not)
		| "\(.from) > \(.to) \(.ifname): \(.label)"' <<<"$json"
}

# re ADDRESS: the address as an extended regular expression.
re() {
	echo "${1//./\\.}"
}

# ---- closed-port: the server host answers the SYN with an RST ----------

check_closed_port() {
	local family=$1 who=$4 has=$5 client server
	client=$(re "$2")
	server=$(re "$3")
	capture closed-port "$family"

	tcpdump_lines
	assert_line --regexp "Out IP6? $client\.[0-9]+ > $server\.9: Flags \[S\], seq [0-9]+,"
	assert_line --regexp "Out IP6? $server\.9 > $client\.[0-9]+: Flags \[R\.\], seq 0, ack [0-9]+,"
	# The RST answers that SYN: same port, ack = the SYN's seq + 1.
	local syn rst
	syn=$(grep -E "> $server\.9: Flags \[S\]" <<<"$output" | head -n 1)
	rst=$(grep -E "^.* $server\.9 > .*Flags \[R\.\]" <<<"$output" | head -n 1)
	local sport seq rport ack
	sport=$(sed -E "s/.* $client\.([0-9]+) > .*/\1/" <<<"$syn")
	seq=$(sed -E 's/.*Flags \[S\], seq ([0-9]+),.*/\1/' <<<"$syn")
	rport=$(sed -E "s/.* > $client\.([0-9]+):.*/\1/" <<<"$rst")
	ack=$(sed -E 's/.* ack ([0-9]+),.*/\1/' <<<"$rst")
	[ "$sport" = "$rport" ] || fail "SYN from port $sport, RST to port $rport"
	[ "$ack" = "$((seq + 1))" ] || fail "SYN seq $seq, RST ack $ack"

	# The client resolves the server's link-layer address first (the
	# namespaces are new, their neighbour tables empty); the server learnt
	# the client's from that request and answers without asking.
	arrows
	assert_output - <<EOF
client > server eth0: $who $3
server > client eth0: $has
client > server eth0: SYN
server > client eth0: RST|ACK
EOF
	# On the run's clock: the RST arrived before connect() returned.
	local syn_ms rst_ms connect_ms
	syn_ms=$(jq '[.packets[] | select(.label == "SYN")][0].ms' <<<"$json")
	rst_ms=$(jq '[.packets[] | select(.label == "RST|ACK")][0].ms' <<<"$json")
	connect_ms=$(jq '[.steps[] | select(.name == "connect")][0].ms' <<<"$json")
	jq -en --argjson s "$syn_ms" --argjson r "$rst_ms" --argjson c "$connect_ms" \
		'$s >= 0 and $s <= $r and $r <= $c' >/dev/null ||
		fail "SYN at $syn_ms ms, RST at $rst_ms ms, connect() returned at $connect_ms ms"
}

# ---- router-unreachable: the router answers the SYN with ICMP ----------

# The router's unreachable route answers each SYN with an ICMP error
# (ip_error() / ip6_pkt_drop()).  connect() fails on the first error, or,
# when that one met the socket lock (LockDroppedIcmps +1, see
# tests/connect/router-unreachable.bats), on the error for the SYN
# retransmission: the capture must show one SYN and one error per attempt,
# as many attempts as that says.
check_router_unreachable() {
	local family=$1 filter=$2 icmp_line=$3 label=$4
	capture router-unreachable "$family"

	# The error's type and code, read by tcpdump's own filter.
	tcpdump_lines "$filter"
	assert_line --regexp "$icmp_line"
	local errors=${#lines[@]}

	local dropped
	dropped=$(jq -r '[.steps[] | select(.name == "LockDroppedIcmps")][0].value' <<<"$json")
	case $dropped in
	+0) [ "$errors" -eq 1 ] ;;
	+1) [ "$errors" -eq 2 ] ;;
	*) fail "LockDroppedIcmps $dropped" ;;
	esac || fail "$errors ICMP errors in the file, LockDroppedIcmps $dropped"

	# The SYNs and the errors (neighbour discovery left out), in order.
	local expected="" i
	for ((i = 0; i < errors; i++)); do
		expected+="client > router eth0: SYN"$'\n'"router > client to-client: $label"$'\n'
	done
	run jq -r '.packets[] | select(.label == "SYN" or (.label | test("^ICMP(v6)? [0-9]+/")))
		| "\(.from) > \(.to) \(.ifname): \(.label)"' <<<"$json"
	assert_output "${expected%$'\n'}"
	# Each error quotes the client's SYN: its ports.
	run jq -r '.packets[] | select(.label == "SYN" or (.label | test("^ICMP(v6)? [0-9]+/")))
		| .detail | capture((if test(" quoting ") then "quoting " else "^" end)
			+ "\\S+\\.(?<s>[0-9]+) > \\S+\\.(?<d>[0-9]+)")
		| "\(.s) > \(.d)"' <<<"$json"
	[ "${#lines[@]}" -eq $((2 * errors)) ]
	[ "$(sort -u <<<"$output" | wc -l)" -eq 1 ] || fail "ports differ: $output"
	assert_line --regexp '^[0-9]+ > 8080$'
}

@test "closed-port ipv4 --pcap: the client's SYN and the server's RST|ACK, in the file and in JSON" {
	check_closed_port -4 192.0.2.1 192.0.2.2 "ARP who-has" "ARP reply"
}

@test "closed-port ipv6 --pcap: the client's SYN and the server's RST|ACK, in the file and in JSON" {
	check_closed_port -6 2001:db8:1::1 2001:db8:1::2 "ICMPv6 NS" "ICMPv6 NA 2001:db8:1::2"
}

@test "router-unreachable ipv4 --pcap: ICMP 3/1 host unreachable from the router, on its to-client link" {
	check_router_unreachable -4 'icmp[icmptype] == 3 and icmp[icmpcode] == 1' \
		'Out IP 192\.0\.2\.254 > 192\.0\.2\.1: ICMP host 198\.51\.100\.2 unreachable, length 68' \
		"ICMP 3/1 host unreach"
}

# ICMPv6 for an unreachable route is code 0, "no route to destination"
# (ip6_pkt_discard() -> ip6_pkt_drop(ICMPV6_NOROUTE)), not code 6 "reject
# route"; tcpdump calls code 0 "unreachable route".
@test "router-unreachable ipv6 --pcap: ICMPv6 1/0 no route from the router, on its to-client link" {
	check_router_unreachable -6 'icmp6 and ip6[40] == 1 and ip6[41] == 0' \
		'Out IP6 2001:db8:1::fe > 2001:db8:1::1: ICMP6, destination unreachable, unreachable route 2001:db8:2::2, length 88' \
		"ICMPv6 1/0 no route"
}

# ---- the whole catalogue -------------------------------------------------

@test "--all --pcap: every run with a network writes a pcap tcpdump reads; runs without one say why" {
	# The fixture's run: `sockerr run --all --pcap DIR --output` (the
	# records --json prints, in the results document).
	local dir=$SOCKERR_FIXTURE/pcap
	"$SOCKERR" list --json >"$BATS_TEST_TMPDIR/list.json"

	# Each run with its scenario's topology in the catalogue.
	local n=0 none=0 scenario family topology file note
	while read -r scenario family topology file note; do
		if [ "$topology" = none ]; then
			[ "$file" = null ] || fail "$scenario has no network but wrote $file"
			[ "$note" = "no network: nothing crossed a link" ] ||
				fail "$scenario $family: capture note '$note'"
			[ -z "$(compgen -G "$dir/$scenario-*")" ] || fail "$scenario: a file in $dir"
			none=$((none + 1))
			continue
		fi
		[ "$file" = "$dir/$scenario-$family.pcap" ] || fail "$scenario $family: pcap '$file' ($note)"
		echo "$file" >>"$BATS_TEST_TMPDIR/pcaps"
		n=$((n + 1))
	done < <(jq -r --slurpfile list "$BATS_TEST_TMPDIR/list.json" '
		($list[0] | map({(.name): .topology}) | add) as $topology
		| .runs[] | "\(.scenario) \(.family) \($topology[.scenario]) \(.pcap) \(.capture // "")"' \
		"$SOCKERR_FIXTURE/catalogue.json")
	# tcpdump reads them all, in one process (-V: a list of files); where
	# it fails, file by file to name the one.  -Z root: as root, tcpdump
	# drops to its own user after opening the first file, and cannot open
	# the next ones in the fixture's private (mode 700) directory.
	if ! tcpdump -Z root -nn -V "$BATS_TEST_TMPDIR/pcaps" >/dev/null 2>"$BATS_TEST_TMPDIR/tcpdump.err"; then
		while read -r file; do
			run --separate-stderr tcpdump -r "$file" -nn
			[ "$status" -eq 0 ] || fail "tcpdump -r $file: $stderr"
		done <"$BATS_TEST_TMPDIR/pcaps"
		fail "tcpdump -V: $(<"$BATS_TEST_TMPDIR/tcpdump.err")"
	fi
	# Every pcap in the directory is one a run reported.
	[ "$(find "$dir" -name '*.pcap' | wc -l)" -eq "$n" ]
	[ "$n" -gt 0 ] && [ "$none" -gt 0 ]
}

# ---- clean-up ------------------------------------------------------------

# sockerr-<pid>-<role> namespaces whose process is gone.  Other tests run
# at the same time, each with its own namespaces: only one whose owner has
# exited is left over.
leaked_namespaces() {
	local ns pid
	for ns in $(sockerr_namespaces); do
		pid=${ns#sockerr-}
		pid=${pid%%-*}
		[[ $pid =~ ^[0-9]+$ ]] || continue
		kill -0 "$pid" 2>/dev/null && continue
		[ -e "/run/netns/$ns" ] && echo "$ns"
	done
	return 0
}

@test "--pcap: a pair and a routed run, both families, leave no namespace behind" {
	run --separate-stderr "$SOCKERR" run closed-port router-unreachable --pcap "$BATS_TEST_TMPDIR" --json
	assert_success
	[ "$(jq -r .pcap <<<"$output" | grep -c '\.pcap$')" -eq 4 ]
	run leaked_namespaces
	assert_output ""
}
