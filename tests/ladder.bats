#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# The ladder (sockerr run NAME --ladder, --svg DIR): the sequence diagram of
# a run.  One column per host, the packets as arrows between the right
# lifelines, the calls from their entry ("*", "o" for a fixture's set-up
# call) to their return (the lifeline "#" on the rows between), the calls
# of no host in a lane "--" of their own (":"), kernel events with --trace;
# every line within 80 columns of plain ASCII, colour only on a terminal;
# the SVG form well-formed.  The focused view leaves out what cannot
# explain a result and says so; --evidence all shows everything.

load test_helper/common-setup

# ladder NAME [-4|-6]: the run's ladder in $ladder_text, from the suite's
# fixture (scripts/catalogue-fixture: `sockerr run --all --ladder`, one
# block per run, in $SOCKERR_FIXTURE/ladder/); a skipped run is a bats
# skip, a broken one a failure, with the runner's reason.
ladder() {
	local name=$1 family=none record
	case ${2:-} in
	-4) family=ipv4 ;;
	-6) family=ipv6 ;;
	esac
	record=$SOCKERR_FIXTURE/runs/$name-$family.json
	[ -f "$record" ] || {
		echo "no run $name $family in the fixture $SOCKERR_FIXTURE" >&2
		return 1
	}
	case $(jq -r .status "$record") in
	ran) ;;
	skipped) skip "$name skipped: $(jq -r .reason "$record")" ;;
	*)
		echo "$name $family broken: $(jq -r .reason "$record")" >&2
		return 1
		;;
	esac
	ladder_text=$(<"$SOCKERR_FIXTURE/ladder/$name-$family.txt")
}

# ladder_live NAME [ARGS...]: as ladder, but `sockerr run NAME ARGS...
# --ladder` now (stdout only), for a ladder the fixture has not (--trace).
ladder_live() {
	run --separate-stderr "$SOCKERR" run "$@" --ladder
	if [ "$status" -eq 4 ]; then
		skip "$1 skipped: $(grep -m1 'skipped:' <<<"$output")"
	fi
	if [ "$status" -ne 0 ]; then
		echo "sockerr run $* --ladder exited $status: $stderr" >&2
		return 1
	fi
	ladder_text=$output
}

# fits_80 TEXT: every line at most 80 columns, nothing but printable ASCII
# (so a byte is a column: no escape sequence, no multibyte character, no
# tab).  Prints the offending lines.
fits_80() {
	local long odd
	long=$(LC_ALL=C awk 'length > 80 { print NR ": " length ": " $0 }' <<<"$1")
	odd=$(LC_ALL=C grep -n '[^ -~]' <<<"$1" || true)
	if [ -n "$long" ] || [ -n "$odd" ]; then
		printf 'over 80 columns:\n%s\nnot printable ASCII:\n%s\n' "$long" "$odd" >&2
		return 1
	fi
}

# lifelines: the columns of the hosts' lifelines ("|") in the first row that
# has nothing else, 0-based, in $cols; the column of the lane "--" (":") of
# calls of no host in $lane, empty when the ladder has none.
lifelines() {
	local row
	row=$(grep -m1 -E '^ +\|( +\|)*( +:)? *$' <<<"$ladder_text")
	[ -n "$row" ] || {
		echo "no lifeline row" >&2
		return 1
	}
	cols=()
	lane=
	local i
	for ((i = 0; i < ${#row}; i++)); do
		[ "${row:i:1}" = "|" ] && cols+=("$i")
		[ "${row:i:1}" = ":" ] && lane=$i
	done
	return 0
}

# row_no REGEX: the line number of the first row matching REGEX (ERE).
row_no() {
	grep -n -m1 -E "$1" <<<"$ladder_text" | cut -d: -f1
}

# arrow_between REGEX FROM TO: the first row matching REGEX is an arrow from
# column FROM's lifeline to column TO's ("|---- SYN ---->|"; "#" for a
# lifeline whose host is inside a call).
arrow_between() {
	local line from=$2 to=$3
	line=$(grep -m1 -E "$1" <<<"$ladder_text")
	[ -n "$line" ] || {
		echo "no row matches $1" >&2
		return 1
	}
	# A lifeline busy with a call is "#": compare as if it were "|".
	local a b
	if [ "$from" -lt "$to" ]; then
		a=${line:from:2} b=${line:to-1:2}
		[ "${a/#\#/|}" = "|-" ] && [ "${b/%\#/|}" = ">|" ]
	else
		a=${line:to:2} b=${line:from-1:2}
		[ "${a/#\#/|}" = "|<" ] && [ "${b/%\#/|}" = "-|" ]
	fi || {
		echo "not an arrow from column $from to $to: '$line'" >&2
		return 1
	}
}

# The times in the gutter never go back.
times_in_order() {
	LC_ALL=C awk '$1 ~ /^-?[0-9]+\.[0-9]+$/ {
		if (seen && $1 + 0 < last) { print "time goes back at line " NR ": " $0; bad = 1 }
		last = $1 + 0; seen = 1 }
		END { exit bad }' <<<"$ladder_text"
}

# ladder_of NAME -4|-6 HOST...: the run's ladder (ladder), checked as
# every network run's is: 80 columns of plain ASCII, times in order, a
# heading that names the HOSTs (and "--" after them when a call has no
# host) and one lifeline for each (their columns in $cols, the lane's in
# $lane).
ladder_of() {
	local name=$1 family=$2
	shift 2
	local hosts="$*"
	ladder "$name" "$family"
	fits_80 "$ladder_text"
	times_in_order
	run grep -E "^ +ms +${hosts// / +}( +--)?\$" <<<"$ladder_text"
	assert_success
	lifelines
	[ "${#cols[@]}" -eq $# ]
}

check_closed_port() {
	# Two hosts: client and server, no router.
	ladder_of closed-port "$1" client server
	local c=${cols[0]} s=${cols[1]}
	arrow_between '[|#]-+ SYN -+>[|#]' "$c" "$s"
	arrow_between '[|#]<-+ RST\|ACK -+[|#]' "$s" "$c"
	# connect() returned ECONNREFUSED at the client, after the RST came back.
	local syn rst conn
	syn=$(row_no ' SYN -+>')
	rst=$(row_no '<-+ RST\|ACK ')
	conn=$(row_no 'connect\(.*= -1 ECONNREFUSED')
	[ -n "$syn" ] && [ -n "$rst" ] && [ -n "$conn" ]
	[ "$syn" -lt "$rst" ]
	[ "$rst" -lt "$conn" ]
	local line
	line=$(sed -n "${conn}p" <<<"$ladder_text")
	[ "${line:c:1}" = "*" ]
	# The rest of the run, as render_text has it.
	run grep -E '^  kernel: tcp_v4_rcv' <<<"$ladder_text"
	assert_success
}

@test "closed-port ipv4 --ladder: client and server columns, SYN ->, <- RST|ACK, then connect() ECONNREFUSED" {
	check_closed_port -4
}

@test "closed-port ipv6 --ladder: client and server columns, SYN ->, <- RST|ACK, then connect() ECONNREFUSED" {
	check_closed_port -6
}

# router-unreachable: the router answers the SYN with an ICMP (ICMPv6)
# destination unreachable, drawn from the router's lifeline to the client's.
check_router_unreachable() {
	ladder_of router-unreachable "$1" client router server
	local c=${cols[0]} rt=${cols[1]}
	arrow_between '[|#]-+ SYN -+>[|#]' "$c" "$rt"
	arrow_between '<-+ ICMP(v6)? 1?[0-9]/[0-9]+ [^|#]*-[|#]' "$rt" "$c"
	# The SYN never reaches the server: no arrow ends at its lifeline.
	run grep -E ' SYN -+>\| *$' <<<"$ladder_text"
	assert_failure
	local icmp conn
	icmp=$(row_no '<-+ ICMP(v6)? 1?[0-9]/[0-9]+ ')
	conn=$(row_no 'connect\(.*= -1 E[A-Z]+UNREACH')
	[ -n "$icmp" ] && [ -n "$conn" ]
	[ "$icmp" -lt "$conn" ]
}

@test "router-unreachable ipv4 --ladder: three columns, an ICMP arrow from the router to the client" {
	check_router_unreachable -4
}

@test "router-unreachable ipv6 --ladder: three columns, an ICMPv6 arrow from the router to the client" {
	check_router_unreachable -6
}

@test "a run without a network --ladder: one column, the steps alone and why there are no packets" {
	ladder accept-closed-fd
	fits_80 "$ladder_text"
	run grep -E '^ +ms +process$' <<<"$ladder_text"
	assert_success
	run grep -E '^ *[0-9.]+ +\* accept\(.*= -1 EBADF$' <<<"$ladder_text"
	assert_success
	run grep -E '^  capture: ' <<<"$ladder_text"
	assert_success
	run grep -E -- '-->|<--' <<<"$ladder_text"
	assert_failure
}

@test "--ladder with stdout not a terminal: no escape byte" {
	ladder closed-port -4
	run env LC_ALL=C grep -c $'\e' <<<"$ladder_text"
	assert_output 0
}

@test "--ladder on a terminal: the RST in red, the errno in bold red; NO_COLOR turns it off" {
	command -v script >/dev/null || skip "script (util-linux) is not installed: no pseudo-terminal"
	run script -qec "$SOCKERR run closed-port -4 --ladder" /dev/null
	assert_success
	assert_output --partial $'\e[31m<'
	assert_output --partial $'\e[1;31m= -1 ECONNREFUSED'
	run env NO_COLOR=1 script -qec "$SOCKERR run closed-port -4 --ladder" /dev/null
	assert_success
	refute_output --partial $'\e'
	assert_output --partial 'ECONNREFUSED'
}

# The SVGs of the fixture's run (--svg DIR, next to --ladder and --pcap in
# the same invocation).
@test "--svg DIR writes DIR/closed-port-ipv4.svg, well-formed XML with its title, lifelines and arrows" {
	local svg=$SOCKERR_FIXTURE/svg/closed-port-ipv4.svg
	[ -s "$svg" ]
	grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$svg"
	grep -q 'viewBox="0 0 ' "$svg"
	grep -q '<title>closed-port \[ipv4\]: ' "$svg"
	grep -q '>RST|ACK</text>' "$svg"
	grep -q 'ECONNREFUSED</tspan>' "$svg"
	if ! command -v xmllint >/dev/null; then
		skip "xmllint (libxml2-utils) is not installed: well-formedness not checked"
	fi
	run xmllint --noout "$svg"
	assert_success
}

@test "router-unreachable ipv6 --svg: well-formed, the ICMPv6 error in red" {
	local svg=$SOCKERR_FIXTURE/svg/router-unreachable-ipv6.svg
	grep -q '<text class="lbl alarm"[^>]*>ICMPv6 1/' "$svg"
	if ! command -v xmllint >/dev/null; then
		skip "xmllint (libxml2-utils) is not installed: well-formedness not checked"
	fi
	run xmllint --noout "$svg"
	assert_success
}

@test "--svg DIR with --all: one SVG per run (a run without a network too: its one lifeline), every one well-formed" {
	local scenario family
	while read -r scenario family; do
		[ -s "$SOCKERR_FIXTURE/svg/$scenario-$family.svg" ] || fail "no SVG for $scenario $family"
	done < <(jq -r '.runs[] | "\(.scenario) \(.family)"' "$SOCKERR_FIXTURE/catalogue.json")
	[ "$(find "$SOCKERR_FIXTURE/svg" -name '*.svg' | wc -l)" -eq \
		"$(jq '.runs | length' "$SOCKERR_FIXTURE/catalogue.json")" ]
	if ! command -v xmllint >/dev/null; then
		skip "xmllint (libxml2-utils) is not installed: well-formedness not checked"
	fi
	run xmllint --noout "$SOCKERR_FIXTURE"/svg/*.svg
	assert_success
}

@test "every scenario --all --ladder: a ladder each, no line over 80 columns, plain ASCII" {
	# The fixture's run: its exit status is checked by the fixture step
	# (scripts/run-tests, tests/setup_suite.bash); each run, broken or
	# skipped too, still has its ladder.
	local text
	text=$(<"$SOCKERR_FIXTURE/ladder.txt")
	# The runner prints a skipped or broken run's reason after the ladder
	# itself, on one line (main.c): that line is not the ladder's.
	local ladders
	ladders=$(grep -v -E '^  (skipped|broken): ' <<<"$text")
	fits_80 "$ladders"
	# Every scenario of the catalogue has one (the headings, matched in the
	# shell: a grep per scenario is ~60 processes).
	local name missing='' heading
	local -A has=()
	while read -r heading; do
		has[$heading]=1
	done < <(sed -nE 's/^([a-z0-9-]+) \[(ipv4|ipv6|none)\]  .*/\1/p' <<<"$text")
	while read -r name _; do
		[ -n "${has[$name]:-}" ] || missing+=" $name"
	done < <("$SOCKERR" list)
	[ -z "$missing" ] || {
		echo "no ladder for:$missing" >&2
		return 1
	}
	# One block per run, as many as the runs of the results document.
	[ "$(grep -c -E '^[a-z0-9-]+ \[(ipv4|ipv6|none)\]  ' <<<"$text")" -eq \
		"$(jq '.runs | length' "$SOCKERR_FIXTURE/catalogue.json")" ]
}

@test "closed-port ipv4 --ladder --trace: tcp_receive_reset on the client's lifeline" {
	ladder_live closed-port -4 --trace
	if grep -q -E '^  trace: ' <<<"$ladder_text"; then
		skip "no kernel events: $(grep -m1 -E '^  trace: ' <<<"$ladder_text")"
	fi
	fits_80 "$ladder_text"
	lifelines
	local line
	line=$(grep -m1 -E '~ tcp_receive_reset' <<<"$ladder_text")
	[ -n "$line" ] || {
		echo "no tcp_receive_reset row" >&2
		return 1
	}
	[ "${line:cols[0]:1}" = "~" ]
	# The server sent the reset: tcp_send_reset on its lifeline, from Linux
	# 6.10 on ("trace: tcp: fully support trace_tcp_send_reset": the event
	# fires for an RST sent with no socket).  Before, tcp_v4_send_reset()
	# traces only an RST for a full socket (6.1), and there is no such row.
	if ! kernel_at_least 6.10; then
		run grep -c -E 'tcp_send_reset' <<<"$ladder_text"
		assert_output 0
		return
	fi
	line=$(grep -m1 -E 'tcp_send_reset' <<<"$ladder_text")
	[ "${line:cols[1]:1}" = "~" ]
}

# ---- calls as intervals, hosts, set-up calls, the focused view -------------

# record_of NAME -4|-6: the run's record with its packets (the fixture's
# records/) in $json.
record_of() {
	local fam=ipv4
	[ "$2" = -6 ] && fam=ipv6
	json=$(<"$SOCKERR_FIXTURE/records/$1-$fam.json")
}

# col_of_host HOST: the column of HOST's lifeline in the ladder (lifelines
# ran): client first, server last, the router between; "--" the lane.
col_of_host() {
	case $1 in
	client) echo "${cols[0]}" ;;
	router) echo "${cols[1]}" ;;
	server) echo "${cols[${#cols[@]} - 1]}" ;;
	--) echo "$lane" ;;
	esac
}

# diagram_rows: the ladder's timed rows.  The time is right-aligned in
# eight columns ("%8.3f", ladder.c): from 1000 ms on it fills them, with no
# space before it (a slow guest under TCG gets there).
diagram_rows() {
	grep -E '^ *-?[0-9]+\.[0-9]+ ' <<<"$ladder_text"
}

# check_close_before_rst NAME -4|-6: each RST the capture saw left its host
# while a close() made there was running (the record: entered before,
# returned after), and the ladder draws that close() from its entry, above
# the RST, to its return, below it, the sender's lifeline marked "#" on the
# RST's row; the SVG alike, by the rows' y.
check_close_before_rst() {
	local name=$1 family=$2
	ladder_of "$name" "$family" client server
	record_of "$name" "$family"
	local sender n_rst
	sender=$(jq -r '[.packets[] | select((.flags // "") | test("RST"))][0].from' <<<"$json")
	n_rst=$(jq '[.packets[] | select((.flags // "") | test("RST"))] | length' <<<"$json")
	[ "$n_rst" -gt 0 ] || fail "$name $family: no RST in the capture"
	# The premise, from the record alone.
	run jq -r '[.steps[] | select(.call | startswith("close("))] as $c
		| .packets[] | select((.flags // "") | test("RST")) as $p
		| [$c[] | select(.host == $p.from and .entered_ms <= $p.ms and $p.ms <= .ms)]
		| length' <<<"$json"
	refute_line 0
	# The text: walking down, the k-th RST comes after the k-th close()
	# entered on the sender's lifeline and before it returned.
	local col
	col=$(col_of_host "$sender")
	diagram_rows | LC_ALL=C awk -v col=$((col + 1)) '
		function marker() { return substr($0, col, 1) }
		/close\(/ && (marker() == "*") && !/ = / { entries++; open = 1; next }
		/close\(/ && (marker() == "*") && / = / { returns++; open = 0; next }
		/RST\|ACK/ && /-/ {
			rst++
			if (entries < rst) { print "RST " rst " before its close(): " $0; bad = 1 }
			if (!open || marker() != "#") { print "RST " rst " outside a running close(): " $0; bad = 1 }
		}
		END { if (rst == 0) { print "no RST row"; bad = 1 } exit bad }' ||
		fail "$(printf '%s\n' "$ladder_text")"
	# The SVG: the same order by y.
	local fam=ipv4
	[ "$family" = -6 ] && fam=ipv6
	local svg=$SOCKERR_FIXTURE/svg/$name-$fam.svg
	grep -o -E '<g data-kind="(call|return|packet)" data-y="[0-9]+"( data-(name|label)="[^"]*")?' "$svg" |
		LC_ALL=C awk '
		/data-name="[^"]*close"/ && /"call"/ { entries++; open = 1; next }
		/data-name="[^"]*close"/ && /"return"/ { open = 0; next }
		/data-label="RST\|ACK"/ {
			rst++
			if (entries < rst || !open) { print "SVG: RST " rst " not inside its close(): " $0; bad = 1 }
		}
		END { if (rst == 0) { print "SVG: no RST row"; bad = 1 } exit bad }'
}

@test "rst-before-accept ipv4 --ladder: close() with SO_LINGER {1, 0} is entered above the RST it sends, returns below it" {
	check_close_before_rst rst-before-accept -4
}

@test "rst-before-accept ipv6 --ladder: close() with SO_LINGER {1, 0} is entered above the RST it sends, returns below it" {
	check_close_before_rst rst-before-accept -6
}

@test "reset-linger-zero ipv4 --ladder: the server's abortive close() is entered above its RST" {
	check_close_before_rst reset-linger-zero -4
}

@test "reset-linger-zero ipv6 --ladder: the server's abortive close() is entered above its RST" {
	check_close_before_rst reset-linger-zero -6
}

@test "write-after-rst ipv4 --ladder: each close() with unread data is entered above the RST it sends" {
	check_close_before_rst write-after-rst -4
}

@test "write-after-rst ipv6 --ladder: each close() with unread data is entered above the RST it sends" {
	check_close_before_rst write-after-rst -6
}

@test "reset-by-client ipv4 --ladder: the client's abortive close() is entered above its RST" {
	check_close_before_rst reset-by-client -4
}

@test "reset-by-client ipv6 --ladder: the client's abortive close() is entered above its RST" {
	check_close_before_rst reset-by-client -6
}

# check_hosts NAME -4|-6: every call (a step, a set-up call) is drawn on its
# host's lifeline, and one of no host ("--") on the lane "--", never on a
# host's: in the text (the marker of the rows that show its call) and in
# the SVG (each row's data-host and data-col).
check_hosts() {
	local name=$1 family=$2
	ladder_of "$name" "$family" client server
	record_of "$name" "$family"
	local rows host call col line found
	rows=$(diagram_rows)
	if jq -e '[.steps[], .setup_calls[] | select(.host == "--")] | length > 0' <<<"$json" >/dev/null; then
		[ -n "$lane" ] || fail "calls of no host, but no lane \"--\""
	fi
	# A row shows the call, or, where the call does not fit, the step's
	# name and its result.
	while IFS=$'\t' read -r host call key; do
		col=$(col_of_host "$host")
		found=0
		while IFS= read -r line; do
			found=1
			[[ ${line:col:1} == [*o] ]] ||
				fail "$host call '$call' not on its column $col: '$line'"
			local c
			for c in "${cols[@]}" ${lane:+"$lane"}; do
				[ "$c" -eq "$col" ] && continue
				[[ ${line:c:1} != [*o] ]] || fail "$host call '$call' marked at column $c: '$line'"
			done
		done < <(grep -F -e "${call:0:12}" -e "$key ->" -e "$key =" <<<"$rows")
		[ "$found" -eq 1 ] || fail "no row for $host call '$call'"
	done < <(jq -r '.steps[], .setup_calls[] | "\(.host)\t\(.call)\t\(.name)"' <<<"$json")
	local fam=ipv4
	[ "$family" = -6 ] && fam=ipv6
	local pairs pair
	mapfile -t pairs < <(grep -o -E 'data-host="[^"]*" data-col="[^"]*"' "$SOCKERR_FIXTURE/svg/$name-$fam.svg")
	[ "${#pairs[@]}" -gt 0 ] || fail "SVG: no call rows"
	for pair in "${pairs[@]}"; do
		[[ $pair =~ data-host=\"([^\"]*)\"\ data-col=\"([^\"]*)\" ]]
		[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] || fail "SVG: $pair"
	done
}

@test "rst-before-accept ipv4: every call on its host's lifeline, the calls of no host on the lane \"--\"" {
	check_hosts rst-before-accept -4
}

@test "reset-linger-zero ipv6: every call on its host's lifeline, the calls of no host on the lane \"--\"" {
	check_hosts reset-linger-zero -6
}

@test "reset-by-client ipv4: every call on its host's lifeline, the calls of no host on the lane \"--\"" {
	check_hosts reset-by-client -4
}

# The fixtures' set-up calls (listen, connect, accept: JSON "setup_calls")
# start the handshake: drawn ("o") above the SYN.
check_setup_before_syn() {
	local name=$1 family=$2
	ladder_of "$name" "$family" client server
	record_of "$name" "$family"
	if ! jq -e '.setup_calls | length > 0' <<<"$json" >/dev/null; then
		skip "$name records no set-up call yet (setup_calls is empty): nothing to order"
	fi
	local first syn
	first=$(diagram_rows | grep -n -m1 -E '(^| )o ' | cut -d: -f1)
	syn=$(diagram_rows | grep -n -m1 -E ' SYN -+>' | cut -d: -f1)
	if [ -z "$first" ] || [ -z "$syn" ]; then
		fail "no set-up call row ($first) or no SYN ($syn)"
	fi
	[ "$first" -lt "$syn" ] || fail "the SYN (row $syn) above the first set-up call (row $first)"
}

@test "rst-before-accept ipv4: the fixture's set-up calls above the SYN they start" {
	check_setup_before_syn rst-before-accept -4
}

@test "reset-linger-zero ipv6: the fixture's set-up calls above the SYN they start" {
	check_setup_before_syn reset-linger-zero -6
}

@test "closed-port ipv4: the focused ladder and SVG leave out ARP and say so; --evidence all draws it" {
	ladder closed-port -4
	run grep -E 'ARP (who-has|reply)' <<<"$ladder_text"
	assert_failure
	run grep -E '^  left out: [0-9]+ packets? of link housekeeping' <<<"$ladder_text"
	assert_success
	grep -q 'left out: [0-9]* packets\? of link housekeeping' "$SOCKERR_FIXTURE/svg/closed-port-ipv4.svg"
	run grep -c 'data-label="ARP' "$SOCKERR_FIXTURE/svg/closed-port-ipv4.svg"
	assert_output 0

	ladder_live closed-port -4 --evidence all
	fits_80 "$ladder_text"
	run grep -E -- '-+ ARP who-has [0-9.]+ -+>' <<<"$ladder_text"
	assert_success
	run grep -E '^  left out: ' <<<"$ladder_text"
	assert_failure
}

@test "--evidence takes all or focused: anything else is a usage error" {
	run --separate-stderr "$SOCKERR" run closed-port --ladder --evidence some
	assert_failure 2
	[[ $stderr == *"--evidence takes 'all' or 'focused', not 'some'"* ]]
	run --separate-stderr "$SOCKERR" explain closed-port --evidence some
	assert_failure 2
}
