#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# --trace: kernel tracepoints of a run, recorded in a private tracefs
# instance and filtered to the run's own addresses and ports.  The events
# each key scenario shows (RSTs sent and received, the error a socket
# reports, retransmissions, packet drops with their reason), that runs do
# not see each other's events, that no instance outlives its run (normal
# exit, SIGTERM, SIGKILL then `sockerr cleanup`), and the honest answer
# where tracefs is unavailable.  Serial: tracepoints are kernel-wide.

# The probe, once: sockerr's own (trace.c: tracing_unusable()), from one
# traced run.  A kernel without a tracepoint that --trace needs records no
# kernel events and says which one is missing (evidence.trace): a feature of
# the kernel, not a failure.  5.10 lacks sock:inet_sk_error_report, which
# came with Linux 5.14 ("net: sock: add trace for socket errors",
# sk_error_report() in net/core/sock.c); every other tracepoint used is
# older.  Any other reason (tracefs unusable on a kernel that has the
# tracepoints) still fails the tests.
setup_file() {
	local probe
	probe=$("$SOCKERR" run closed-port -4 --trace --json 2>/dev/null | jq -r '.evidence.trace // ""') || true
	case $probe in
	"the kernel has no tracepoint sock:inet_sk_error_report"*)
		export TRACE_MISSING="$probe (Linux 5.14: \"net: sock: add trace for socket errors\")"
		;;
	"the kernel has no tracepoint "*) export TRACE_MISSING=$probe ;;
	*) export TRACE_MISSING= ;;
	esac
}

setup() {
	load ../test_helper/common-setup
	TRACING=/sys/kernel/tracing
	# Not the test of an unusable tracefs: that one holds on any kernel.
	if [ -n "${TRACE_MISSING:-}" ] && [[ $BATS_TEST_DESCRIPTION != "SOCKERR_TRACEFS_DIR at an empty directory"* ]]; then
		skip "no kernel events on this kernel: $TRACE_MISSING"
	fi
}

# traced NAME -4|-6: run one scenario with --trace; $json is its record,
# whose trace must have been recorded.
traced() {
	run --separate-stderr "$SOCKERR" run "$1" "$2" --trace --json
	if [ "$status" -ne 0 ]; then
		echo "sockerr run $1 $2 --trace exited $status: $stderr" >&2
		return 1
	fi
	json=$output
	assert_equal "$(jq -r .evidence.trace <<<"$json")" recorded
}

# events: one line per kept event, "host event detail" ("-": no host).
events() {
	jq -r '.evidence.events[] | "\(.host // "-") \(.event) \(.detail)"' <<<"$json"
}

# The order of the first event of each name given, as names.  A name
# "EVENT:REASON" stands for the EVENT whose detail starts "reason=REASON"
# (kfree_skb:NETFILTER_DROP: that drop, not any other kfree_skb).
event_order() {
	jq -r --args '[.evidence.events[]
		| .event as $e
		| (if $e == "kfree_skb" then "\($e):\(.detail | capture("^reason=(?<r>[A-Z0-9_]+)").r // "")" else $e end) as $k
		| if ($ARGS.positional | index([$k])) then $k
		  elif ($ARGS.positional | index([$e])) then $e else empty end]
		| reduce .[] as $e ([]; if index($e) then . else . + [$e] end) | join(" ")' \
		"$@" <<<"$json"
}

# assert_own_port CLIENT_ADDRESS_REGEX: every port of the client's address
# in the events is the one the client's SYN left from in the capture (or
# 0: before connect() picks it, after a disconnect): no other run's
# connection was mixed in.
assert_own_port() {
	local port ports
	port=$(jq -r '[.packets[] | select(.from == "client" and .label == "SYN")
		| .detail | capture("\\.(?<p>[0-9]+) >").p][0]' <<<"$json")
	[[ $port =~ ^[0-9]+$ ]]
	ports=$(events | grep -oE "$1:[0-9]+" | sed 's/.*://' | grep -vx 0 | sort -u)
	assert_equal "$ports" "$port"
}

# Instances of sockerr whose process is gone: left behind.
stale_instances() {
	local d pid
	for d in "$TRACING/instances/$SOCKERR_PREFIX"*; do
		[ -d "$d" ] || continue
		pid=${d##*/"$SOCKERR_PREFIX"}
		[[ $pid =~ ^[0-9]+$ ]] || continue
		kill -0 "$pid" 2>/dev/null || echo "${d##*/}"
	done
}

# Does tcp_send_reset fire for an RST sent with no socket (a SYN to a closed
# port)?  Only where the event stores its addresses as sockaddrs (saddr[28],
# with a "reason": 6.18, not 6.1); before, tcp_v4_send_reset() and
# tcp_v6_send_reset() traced only an RST sent for a full socket.
send_reset_without_socket_traced() {
	grep -q 'field:__u8 saddr\[28\]' "$TRACING/events/tcp/tcp_send_reset/format"
}

# wait_instance RUNNER: the pid of the runner's run (its child) once that
# run's tracefs instance exists; fails after 10 s.
wait_instance() {
	local i child
	for ((i = 0; i < 1000; i++)); do
		child=$(pgrep -P "$1" | head -n 1)
		if [ -n "$child" ] && [ -d "$TRACING/instances/$SOCKERR_PREFIX$child" ]; then
			echo "$child"
			return 0
		fi
		sleep 0.01
	done
	return 1
}

@test "closed-port ipv4 --trace: the server sends the RST (tcp_send_reset), the client takes it (tcp_receive_reset) and reports ECONNREFUSED" {
	traced closed-port -4
	run events
	assert_line --regexp '^client inet_sock_set_state oldstate=TCP_CLOSE newstate=TCP_SYN_SENT 192\.0\.2\.1:0 > 192\.0\.2\.2:9$'
	assert_line --regexp '^client tcp_receive_reset 192\.0\.2\.1:[0-9]+ > 192\.0\.2\.2:9$'
	assert_line --regexp '^client inet_sock_set_state oldstate=TCP_SYN_SENT newstate=TCP_CLOSE 192\.0\.2\.1:[0-9]+ > 192\.0\.2\.2:9$'
	assert_line --regexp '^client inet_sk_error_report error=111 ECONNREFUSED 192\.0\.2\.1:[0-9]+ > 192\.0\.2\.2:9$'
	if ! send_reset_without_socket_traced; then
		# The RST answering a segment nobody owns has no event (6.1).
		refute_line --partial tcp_send_reset
		assert_equal "$(event_order tcp_receive_reset inet_sk_error_report)" \
			"tcp_receive_reset inet_sk_error_report"
	else
		assert_line --regexp '^server tcp_send_reset no socket 192\.0\.2\.2:9 > 192\.0\.2\.1:[0-9]+ reason=NO_SOCKET$'
		assert_line --regexp '^- kfree_skb reason=NO_SOCKET location=tcp_v4_rcv\+0x[0-9a-f]+ \(the skb tcp_send_reset answered\)$'
		assert_equal "$(event_order tcp_send_reset tcp_receive_reset inet_sk_error_report)" \
			"tcp_send_reset tcp_receive_reset inet_sk_error_report"
	fi
	assert_own_port '192\.0\.2\.1'
}

@test "closed-port ipv6 --trace: the server sends the RST (tcp_send_reset), the client takes it (tcp_receive_reset) and reports ECONNREFUSED" {
	traced closed-port -6
	run events
	assert_line --regexp '^client inet_sock_set_state oldstate=TCP_CLOSE newstate=TCP_SYN_SENT \[2001:db8:1::1\]:0 > \[2001:db8:1::2\]:9$'
	assert_line --regexp '^client tcp_receive_reset \[2001:db8:1::1\]:[0-9]+ > \[2001:db8:1::2\]:9$'
	assert_line --regexp '^client inet_sock_set_state oldstate=TCP_SYN_SENT newstate=TCP_CLOSE \[2001:db8:1::1\]:[0-9]+ > \[2001:db8:1::2\]:9$'
	assert_line --regexp '^client inet_sk_error_report error=111 ECONNREFUSED \[2001:db8:1::1\]:[0-9]+ > \[2001:db8:1::2\]:9$'
	if ! send_reset_without_socket_traced; then
		refute_line --partial tcp_send_reset
		assert_equal "$(event_order tcp_receive_reset inet_sk_error_report)" \
			"tcp_receive_reset inet_sk_error_report"
	else
		assert_line --regexp '^server tcp_send_reset no socket \[2001:db8:1::2\]:9 > \[2001:db8:1::1\]:[0-9]+ reason=NO_SOCKET$'
		assert_line --regexp '^- kfree_skb reason=NO_SOCKET location=tcp_v6_rcv\+0x[0-9a-f]+ \(the skb tcp_send_reset answered\)$'
		assert_equal "$(event_order tcp_send_reset tcp_receive_reset inet_sk_error_report)" \
			"tcp_send_reset tcp_receive_reset inet_sk_error_report"
	fi
	assert_own_port '\[2001:db8:1::1\]'
}

@test "router-unreachable ipv4 --trace: the client socket reports EHOSTUNREACH (inet_sk_error_report), the errno connect() returned" {
	traced router-unreachable -4
	assert_equal "$(jq -r '[.steps[] | select(.name == "connect")][0].errno' <<<"$json")" EHOSTUNREACH
	run events
	assert_line --regexp '^client inet_sk_error_report error=113 EHOSTUNREACH 192\.0\.2\.1:[0-9]+ > 198\.51\.100\.2:8080$'
	assert_line --regexp '^client inet_sock_set_state oldstate=TCP_SYN_SENT newstate=TCP_CLOSE 192\.0\.2\.1:[0-9]+ > 198\.51\.100\.2:8080$'
	assert_own_port '192\.0\.2\.1'
}

@test "router-unreachable ipv6 --trace: the client socket reports ENETUNREACH (inet_sk_error_report), the errno connect() returned" {
	traced router-unreachable -6
	# ICMPv6 destination unreachable code 0 (no route), which
	# icmpv6_err_convert() maps to ENETUNREACH.
	assert_equal "$(jq -r '[.steps[] | select(.name == "connect")][0].errno' <<<"$json")" ENETUNREACH
	run events
	assert_line --regexp '^client inet_sk_error_report error=101 ENETUNREACH \[2001:db8:1::1\]:[0-9]+ > \[2001:db8:2::2\]:8080$'
	assert_line --regexp '^client inet_sock_set_state oldstate=TCP_SYN_SENT newstate=TCP_CLOSE \[2001:db8:1::1\]:[0-9]+ > \[2001:db8:2::2\]:8080$'
	assert_own_port '\[2001:db8:1::1\]'
}

@test "timeout-syn-dropped ipv4 --trace: the client retransmits the SYN (tcp_retransmit_skb), the router's nft rule drops it (kfree_skb NETFILTER_DROP), connect() reports ETIMEDOUT" {
	traced timeout-syn-dropped -4
	run events
	assert_line --regexp '^client tcp_retransmit_skb state=TCP_SYN_SENT 192\.0\.2\.1:[0-9]+ > 198\.51\.100\.2:8080'
	assert_line --regexp '^client inet_sk_error_report error=110 ETIMEDOUT 192\.0\.2\.1:[0-9]+ > 198\.51\.100\.2:8080$'
	# The retransmitted SYN, dropped at the router: tied to the run by its
	# skb, which the client's retransmission handed to the veth.  (The
	# first SYN waited for ARP and left from the softirq that took the
	# reply, in whatever task: not tied.)  The location names the module
	# where nf_tables is one (Debian's kernels, CONFIG_NF_TABLES=m, in the
	# VM guests: "nft_do_chain+0x4c3 [nf_tables]"), not where it is built in.
	assert_line --regexp '^- kfree_skb reason=NETFILTER_DROP location=nft_do_chain\+0x[0-9a-f]+( \[nf_tables\])? \(a packet the run sent\)$'
	assert_equal "$(event_order tcp_retransmit_skb kfree_skb:NETFILTER_DROP inet_sk_error_report)" \
		"tcp_retransmit_skb kfree_skb:NETFILTER_DROP inet_sk_error_report"
	assert_own_port '192\.0\.2\.1'
}

@test "timeout-syn-dropped ipv6 --trace: the client retransmits the SYN (tcp_retransmit_skb), the router's nft rule drops it (kfree_skb NETFILTER_DROP), connect() reports ETIMEDOUT" {
	traced timeout-syn-dropped -6
	run events
	assert_line --regexp '^client tcp_retransmit_skb state=TCP_SYN_SENT \[2001:db8:1::1\]:[0-9]+ > \[2001:db8:2::2\]:8080'
	assert_line --regexp '^client inet_sk_error_report error=110 ETIMEDOUT \[2001:db8:1::1\]:[0-9]+ > \[2001:db8:2::2\]:8080$'
	assert_line --regexp '^- kfree_skb reason=NETFILTER_DROP location=nft_do_chain\+0x[0-9a-f]+( \[nf_tables\])? \(a packet the run sent\)$'
	# The order is the NETFILTER_DROP's: before Linux 6.3 the router's
	# icmpv6_rcv() also frees the client's neighbour solicitation, handled,
	# with kfree_skb_reason(NOT_SPECIFIED) (6.1: ndisc_rcv() gives no
	# reason; "ipv6: icmp6: add drop reason support to ndisc_rcv()",
	# 545dbcd124b0, Linux 6.3, made it a consume), and that drop of a
	# packet the run sent comes first.  (kfree_skb has carried a reason
	# since 5.17, "net: skb: introduce kfree_skb_reason()".)
	if kernel_at_least 5.17 && ! kernel_at_least 6.3; then
		run events
		assert_line --regexp '^- kfree_skb reason=NOT_SPECIFIED location=icmpv6_rcv\+0x[0-9a-f]+ \(a packet the run sent\)$'
	fi
	assert_equal "$(event_order tcp_retransmit_skb kfree_skb:NETFILTER_DROP inet_sk_error_report)" \
		"tcp_retransmit_skb kfree_skb:NETFILTER_DROP inet_sk_error_report"
	assert_own_port '\[2001:db8:1::1\]'
}

@test "two traced runners at once: each run keeps only its own connection's events" {
	local a b
	a=$(mktemp)
	b=$(mktemp)
	# Same scenario, same addresses, overlapping in time.
	"$SOCKERR" run closed-port closed-port closed-port closed-port -4 --trace --json >"$a" &
	"$SOCKERR" run closed-port closed-port closed-port closed-port -4 --trace --json >"$b"
	wait $!
	local n=0 f
	for f in "$a" "$b"; do
		while IFS= read -r json; do
			assert_equal "$(jq -r .evidence.trace <<<"$json")" recorded
			assert_own_port '192\.0\.2\.1'
			# One connection: one RST taken, one ECONNREFUSED.
			assert_equal "$(events | grep -c ' tcp_receive_reset ')" 1
			assert_equal "$(events | grep -c ' ECONNREFUSED ')" 1
			n=$((n + 1))
		done <"$f"
	done
	rm -f "$a" "$b"
	assert_equal "$n" 8
}

# Traced runs take turns within a runner (--jobs 1), so the whole
# catalogue traced is the sum of its runs (~45 s); it runs as four runners
# at once (each family, each half of the catalogue), which tracing allows
# (the test above: each keeps its own connection's events).
@test "run --all --trace, both families: nothing broken, every run with a network recorded, no tracefs instance left" {
	local dir=$BATS_TEST_TMPDIR half family rc pids=() names=() part=()
	mapfile -t names < <("$SOCKERR" list --json | jq -r '.[].name')
	for family in 4 6; do
		for half in 0 1; do
			# Alternate names, so that each half has its share of the
			# scenarios that wait on timers.
			mapfile -t part < <(printf '%s\n' "${names[@]}" | awk -v h="$half" 'NR % 2 == h')
			"$SOCKERR" run "${part[@]}" "-$family" --trace --json \
				>"$dir/ipv$family-$half.json" 2>"$dir/ipv$family-$half.err" &
			pids+=("$!:ipv$family-$half")
		done
	done
	for pid in "${pids[@]}"; do
		rc=0
		wait "${pid%%:*}" || rc=$?
		[ "$rc" -eq 0 ] || fail "run -${pid#*:ipv} --trace exited $rc: $(<"$dir/${pid#*:}.err")"
	done
	local runs
	runs=$(cat "$dir"/ipv[46]-[01].json)
	# Both families of every scenario that has them, each once.
	assert_equal "$(jq -r 'select(.family != "none") | "\(.scenario) \(.family)"' <<<"$runs" | sort)" \
		"$("$SOCKERR" list --json | jq -r '.[] | .name as $n | .families[] | select(. != "none") | "\($n) \(.)"' | sort)"
	assert_equal "$(jq -s '[.[] | select(.status == "broken")] | length' <<<"$runs")" 0
	# Runs without a network of their own (family "none") have nothing
	# to tie kernel events to, and say so.
	run jq -rs '[.[] | select(.status == "ran")
		| select(if .family == "none" then .evidence.trace | test("^no network of its own") | not
			else .evidence.trace != "recorded" end)
		| "\(.scenario) \(.family): \(.evidence.trace)"] | .[]' <<<"$runs"
	assert_output ""
	run stale_instances
	assert_output ""
}

@test "a SIGKILLed traced run: its runner removes the run's tracefs instance" {
	"$SOCKERR" run timeout-syn-dropped -4 --trace --json >/dev/null 2>&1 &
	local runner=$! child
	child=$(wait_instance "$runner")
	kill -KILL "$child"
	wait "$runner" || true
	[ ! -d "$TRACING/instances/$SOCKERR_PREFIX$child" ]
	run sockerr_namespaces
	refute_output --partial "$SOCKERR_PREFIX$child-"
}

@test "runner and traced run both SIGKILLed: the instance stays; sockerr cleanup removes it" {
	"$SOCKERR" run timeout-syn-dropped -4 --trace --json >/dev/null 2>&1 &
	local runner=$! child
	child=$(wait_instance "$runner")
	# Stopped, the runner can neither reap the run nor remove anything; a
	# SIGKILL then ends it without its PR_SET_PDEATHSIG reaching a run
	# that is already dead.
	kill -STOP "$runner"
	kill -KILL "$child"
	kill -KILL "$runner"
	wait "$runner" || true
	# Nobody could remove it.
	[ -d "$TRACING/instances/$SOCKERR_PREFIX$child" ]
	run "$SOCKERR" cleanup
	assert_success
	assert_line "removed tracefs instance $SOCKERR_PREFIX$child"
	[ ! -d "$TRACING/instances/$SOCKERR_PREFIX$child" ]
}

@test "SIGTERM to a traced runner: its run removes its tracefs instance and its namespaces itself" {
	"$SOCKERR" run timeout-syn-dropped -4 --trace --json >/dev/null 2>&1 &
	local runner=$! child
	child=$(wait_instance "$runner")
	kill -TERM "$runner"
	local rc=0
	wait "$runner" || rc=$?
	# The runner dies of the signal it forwarded.
	assert_equal "$rc" 143
	[ ! -d "$TRACING/instances/$SOCKERR_PREFIX$child" ]
	run sockerr_namespaces
	refute_output --partial "$SOCKERR_PREFIX$child-"
}

@test "SOCKERR_TRACEFS_DIR at an empty directory: said once on stderr, the runs pass, evidence.trace gives the reason" {
	local dir
	dir=$(mktemp -d)
	run --separate-stderr env SOCKERR_TRACEFS_DIR="$dir" "$SOCKERR" run closed-port --trace --json
	rmdir "$dir"
	assert_success
	assert_equal "$stderr" "sockerr: no kernel events (--trace): $dir is not a tracefs mount"
	run jq -r '"\(.family) \(.status) \(.steps[0].errno) \(.evidence.trace) \(.evidence.events | length)"' <<<"$output"
	assert_output - <<EOF
ipv4 ran ECONNREFUSED $dir is not a tracefs mount 0
ipv6 ran ECONNREFUSED $dir is not a tracefs mount 0
EOF
}

@test "rst-before-accept ipv4 --trace --svg: every tracepoint's label whole; the report its own close() discards left out, and said" {
	run --separate-stderr "$SOCKERR" run rst-before-accept -4 --trace --json --svg "$BATS_TEST_TMPDIR"
	assert_success
	json=$output
	assert_equal "$(jq -r .evidence.trace <<<"$json")" recorded
	local svg=$BATS_TEST_TMPDIR/rst-before-accept-ipv4.svg
	# No label cut short: the old SVG cut them at 90 characters ("...").
	run grep -c -E '<text class="ev"[^>]*>[^<]*\.\.\.</text>' "$svg"
	assert_output 0
	# The RST the server took, with its endpoints, whole.
	local detail
	detail=$(jq -r '[.evidence.events[] | select(.event == "tcp_receive_reset")][0].detail' <<<"$json")
	local escaped=${detail//>/\&gt;} # bash 5.2: "&" in a replacement is the match
	grep -q -F "tcp_receive_reset $escaped</text>" "$svg" || fail "no whole tcp_receive_reset label for '$detail'"
	# The client's close() reports ECONNRESET to its own socket
	# (tcp_disconnect()); nobody can read it: left out of the focused view.
	local discarded
	discarded=$(jq '[.steps[] | select(.call | startswith("close(")) | select(.host == "client")] as $c
		| [.evidence.events[] | select(.event == "inet_sk_error_report" and .host == "client") as $e
		| select([$c[] | select(.entered_ms <= $e.ms and $e.ms <= .ms)] | length > 0)] | length' <<<"$json")
	if [ "$discarded" -gt 0 ]; then
		# The foot's lines wrap anywhere: read them as one text.
		sed -n 's/.*class="foot">\(.*\)<\/text>.*/\1/p' "$svg" | tr -s ' \n' '  ' |
			grep -q "${discarded} error reports\? to a socket its own close() discards" ||
			fail "the foot does not say that ${discarded} error report(s) were left out"
		run grep -c 'data-event="inet_sk_error_report"' "$svg"
		assert_output "$(($(jq '[.evidence.events[] | select(.event == "inet_sk_error_report")] | length' <<<"$json") - discarded))"
	fi
}

@test "rst-before-accept ipv4 --trace --ladder: the close() is entered above its RST, the server's tcp_receive_reset below it, the close() returns after" {
	run --separate-stderr "$SOCKERR" run rst-before-accept -4 --trace --ladder
	assert_success
	local text=$output entry rst recv ret
	if grep -q -E '^  trace: ' <<<"$text"; then
		skip "no kernel events: $(grep -m1 -E '^  trace: ' <<<"$text")"
	fi
	entry=$(grep -n -m1 -E '\* close\(.*\.\.\.' <<<"$text" | cut -d: -f1)
	rst=$(grep -n -m1 -E -- '-+ RST\|ACK -+>' <<<"$text" | cut -d: -f1)
	recv=$(grep -n -m1 -E 'tcp_receive_reset' <<<"$text" | cut -d: -f1)
	ret=$(grep -n -m1 -E '\* close\([0-9]+\) = 0' <<<"$text" | cut -d: -f1)
	if [ -z "$entry" ] || [ -z "$rst" ] || [ -z "$recv" ] || [ -z "$ret" ] ||
		[ "$entry" -ge "$rst" ] || [ "$rst" -ge "$recv" ] || [ "$recv" -ge "$ret" ]; then
		fail "rows: close $entry, RST $rst, tcp_receive_reset $recv, return $ret: $text"
	fi
	# tcp_send_active_reset() traces after the RST has left: said so.
	local send
	send=$(grep -n -m1 -E 'tcp_send_reset' <<<"$text" | cut -d: -f1)
	if [ -n "$send" ] && [ "$send" -gt "$rst" ]; then
		grep -m1 'tcp_send_reset' <<<"$text" | grep -q '(after its RST)' ||
			fail "tcp_send_reset below the RST without a word: $text"
	fi
}
