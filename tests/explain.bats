#!/usr/bin/env bats
# shellcheck disable=SC2154,SC2030,SC2031 # status, output, stderr (bats run) and json (observe)
# sockerr explain: the narrated walk-through of one run (the errno, the
# packets, the kernel events, the kernel source of the decision, POSIX and
# the handling), --step and its prompts, 80 columns without escapes when
# not on a terminal, every scenario of the catalogue, and the generated
# table of kernel sources (reproducers/evidence/kernel_sources.c) against every
# kernel_path.
setup() { load test_helper/common-setup; }

KERNEL_SOURCES=$BATS_TEST_DIRNAME/../reproducers/evidence/kernel_sources.c

# The functions a kernel_path names: the rule of scripts/kernel-sources and
# explain.c (a lower-case identifier followed by "(", not a member).
kernel_functions() {
	grep -oP '(?<![\w>.])[a-z_][a-z0-9_]*(?=\()' || true
}

# explain NAME ARGS...: bounded, stdin at end of file.
explain() {
	run --separate-stderr timeout 60 "$SOCKERR" explain "$@" </dev/null
}

# explained NAME -4|-6: the explanation of NAME from the suite's fixture
# (scripts/catalogue-fixture: `run --all --explain`, what `explain NAME
# -4|-6 --no-trace` prints; the test below holds them to each other), as
# explain sets them: $status, $output, $lines, $stderr.
explained() {
	local file=$SOCKERR_FIXTURE/explain/$1-ipv${2#-}
	[ -f "$file.status" ] || {
		echo "no explain $1 $2 in the fixture $SOCKERR_FIXTURE" >&2
		return 1
	}
	run cat "$file.txt" # $output and $lines, split as run does
	status=$(<"$file.status")
	# shellcheck disable=SC2034 # for the caller, as run sets it
	stderr=$(<"$file.err")
}

# Every line fits 80 columns and no escape byte is written: stdout is no
# terminal here.
plain_80_columns() {
	local long
	long=$(awk 'length > 80 { print FILENAME ":" NR ": " $0 }' <<<"$output")
	[ -z "$long" ] || { echo "lines over 80 columns: $long" >&2; return 1; }
	if grep -q $'\e' <<<"$output"; then
		echo "an escape byte in the output" >&2
		return 1
	fi
}

# says TEXT: the narration says TEXT, wherever its lines were wrapped.
says() {
	local flat
	flat=$(tr -s ' \n' '  ' <<<"$output")
	[[ $flat == *"$1"* ]] || { echo "the narration does not say: $1" >&2; return 1; }
}

# The events part needs tracefs: skip with the run's own reason without it.
need_trace() {
	local why
	why=$(grep -A1 '^No kernel events were recorded' <<<"$output" | tr '\n' ' ' || true)
	if [ -n "$why" ]; then
		skip "no kernel events: $why"
	fi
}

@test "explain closed-port ipv4: ECONNREFUSED, the RST, tcp_reset's source, the handling" {
	explain closed-port -4
	assert_success
	assert_line --partial "connect("
	says "failed with ECONNREFUSED (Connection refused). This is the errno the scenario is about."
	says "client (eth0, 192.0.2.1/24) and the server (eth0, 192.0.2.2/24)"
	assert_line --regexp '^At [0-9.]+ ms server -> client \(eth0\): RST\|ACK$'
	assert_line --regexp '^  tcp_v4_send_reset\(\) +net/ipv4/tcp_ipv4\.c:[0-9]+$'
	assert_line --regexp '^  tcp_reset\(\) +net/ipv4/tcp_input\.c:[0-9]+$'
	says "Linux agrees with POSIX and the connect(2) man page"
	assert_line "How to handle it"
	says "Back off and free resources"
	plain_80_columns
}

@test "explain closed-port ipv6: ECONNREFUSED, the RST, tcp_v6_send_reset's source, the handling" {
	explain closed-port -6
	assert_success
	says "failed with ECONNREFUSED (Connection refused). This is the errno the scenario is about."
	says "client (eth0, 2001:db8:1::1/64) and the server (eth0, 2001:db8:1::2/64)"
	assert_line --regexp '^At [0-9.]+ ms server -> client \(eth0\): RST\|ACK$'
	assert_line --regexp '^  tcp_v6_send_reset\(\) +net/ipv6/tcp_ipv6\.c:[0-9]+$'
	assert_line --regexp '^  tcp_reset\(\) +net/ipv4/tcp_input\.c:[0-9]+$'
	says "Back off and free resources"
	plain_80_columns
}

# server_send_reset_event: the server's RST to the SYN nobody listens for
# has its tcp_send_reset event from Linux 6.10 on ("trace: tcp: fully
# support trace_tcp_send_reset", 19822a980e19: the event fires for an RST
# sent with no socket too).  Before, tcp_v4_send_reset() and
# tcp_v6_send_reset() call trace_tcp_send_reset() only for a full socket
# (6.1: "if (sk_fullsock(sk))"), and the explanation names no such event.
server_send_reset_event() {
	if kernel_at_least 6.10; then
		assert_line --regexp '^At [0-9.]+ ms on the server tcp_send_reset: '
	else
		refute_line --regexp '^At [0-9.]+ ms on the server tcp_send_reset: '
	fi
}

@test "explain closed-port ipv4: the kernel events name tcp_receive_reset on the client" {
	explain closed-port -4
	assert_success
	need_trace
	assert_line --regexp '^At [0-9.]+ ms on the client tcp_receive_reset: '
	says "A reset arrived for this socket; tcp_reset() sets sk_err."
	server_send_reset_event
}

@test "explain closed-port ipv6: the kernel events name tcp_receive_reset on the client" {
	explain closed-port -6
	assert_success
	need_trace
	assert_line --regexp '^At [0-9.]+ ms on the client tcp_receive_reset: '
	server_send_reset_event
}

@test "explain --step with newlines piped in: five prompts between six sections" {
	# shellcheck disable=SC2016 # expanded by the inner shell
	run --separate-stderr bash -c \
		'yes "" | head -n 10 | timeout 60 "$SOCKERR" explain closed-port -4 --step'
	assert_success
	[ "$(grep -c '^\[Enter: next\]$' <<<"$output")" -eq 5 ]
	assert_line "What it reproduces"
	assert_line "How to handle it"
	plain_80_columns
}

@test "explain --step with stdin at end of file goes on without waiting" {
	run --separate-stderr timeout 60 "$SOCKERR" explain closed-port -6 --step </dev/null
	assert_success # timeout(1) would exit 124
	[ "$(grep -c '^\[Enter: next\]$' <<<"$output")" -eq 5 ]
	assert_line "How to handle it"
}

# (from the fixture, without tracing: what is checked is the table of
# kernel sources, not the events)
@test "explain forbidden-landlock: the Landlock functions are newer than Linux 6.1" {
	explained forbidden-landlock -4
	# 4: this kernel has no Landlock network rules; the narration still runs
	[ "$status" -eq 0 ] || [ "$status" -eq 4 ]
	assert_line --regexp '^  hook_socket_connect\(\) +not in Linux 6\.1'
	assert_line --regexp '^  __sys_connect_file\(\) +net/socket\.c:[0-9]+$'
}

@test "explain accept-closed-fd: no network, no packets" {
	explained accept-closed-fd -4
	assert_success
	says "No network is involved"
	says "failed with EBADF (Bad file descriptor)"
	assert_line --regexp '^  __sys_accept4\(\) +net/socket\.c:[0-9]+$'
	plain_80_columns
}

# The whole catalogue, one family at a time: the fixture's explanations
# (scripts/catalogue-fixture, --no-trace, several at a time: traced
# explanations would take turns, and the timeout scenarios wait out their
# timers).
explain_catalogue() {
	local family=$1 name file rc failed=''
	local -a names files=()
	mapfile -t names < <("$SOCKERR" list --json |
		jq -r --arg f "$family" '.[] | select(.families | index($f) or index("none")) | .name')
	[ "${#names[@]}" -gt 40 ]
	for name in "${names[@]}"; do
		file=$SOCKERR_FIXTURE/explain/$name-$family
		if [ ! -f "$file.status" ]; then
			failed+=" $name(not in the fixture)"
			continue
		fi
		read -r rc <"$file.status"
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ]; then
			failed+=" $name(exit $rc: $(tr '\n' ' ' <"$file.err"))"
			continue
		fi
		files+=("$file.txt")
	done
	# In one pass over them all: each has the six sections, as lines of
	# their own, every line within 80 columns, no escape byte (as
	# plain_80_columns).
	failed+=$(LC_ALL=C awk -v want="What it reproduces|The steps|What the wire shows|Where the kernel decides|What POSIX and the man page say|How to handle it" '
		{ seen[FILENAME, $0] = 1 }
		length > 80 || /\033/ { wide[FILENAME] = 1 }
		END {
			n = split(want, section, "|")
			for (a = 1; a < ARGC; a++) {
				f = ARGV[a]; name = f
				sub(/.*\//, "", name); sub(/-ipv[46]\.txt$/, "", name)
				for (i = 1; i <= n; i++)
					if (!((f, section[i]) in seen)) printf " %s(no \"%s\")", name, section[i]
				if (f in wide) printf " %s(width or escape)", name
			}
		}' "${files[@]}")
	[ -z "$failed" ] || { echo "failed:$failed" >&2; return 1; }
}

# words FILE: the explanation without its wire section (packets, MAC
# addresses, where the capture went) as one line of words, every number
# (decimal or hex) as N and every duration as "N time" (a run's length is
# written in ms or s, as it comes): what two runs of a scenario have in
# common, wherever the lines wrap.
words() {
	awk '/^What the wire shows$/ { skip = 1 } /^Where the kernel decides$/ { skip = 0 } !skip' "$1" |
		tr -s ' \n' '  ' | sed -E 's/[0-9a-f]*[0-9][0-9a-f]*/N/g; s/N(\.N)? (ms|s)\b/N time/g'
}

@test "run --explain DIR writes what explain prints (closed-port, accept-closed-fd; both families), word for word but the numbers" {
	local dir=$BATS_TEST_TMPDIR/explained name family
	run --separate-stderr "$SOCKERR" run closed-port accept-closed-fd --explain "$dir"
	assert_success
	for name in closed-port accept-closed-fd; do
		for family in 4 6; do
			explain "$name" "-$family" --no-trace
			assert_success
			printf '%s\n' "$output" >"$dir/explain.txt"
			if [ "$name" = accept-closed-fd ]; then
				# No network: one run, family "none", whatever -4 or -6.
				assert_equal "$(words "$dir/$name-none.txt")" "$(words "$dir/explain.txt")"
			else
				assert_equal "$(words "$dir/$name-ipv$family.txt")" "$(words "$dir/explain.txt")"
			fi
		done
	done
}

@test "explain runs for every scenario of the catalogue, ipv4" {
	explain_catalogue ipv4
}

@test "explain runs for every scenario of the catalogue, ipv6" {
	explain_catalogue ipv6
}

@test "kernel_sources.c has a row for every function named in a kernel_path" {
	[ -f "$KERNEL_SOURCES" ]
	local missing='' name n=0 table
	table=$(<"$KERNEL_SOURCES") # matched in the shell: a grep per name is ~150 processes
	while read -r name; do
		n=$((n + 1))
		[[ $table == *"{\"$name\","* ]] || missing+=" $name()"
	done < <("$SOCKERR" list --json | jq -r '.[].kernel_path // empty' | kernel_functions | sort -u)
	[ "$n" -gt 50 ]
	[ -z "$missing" ] || {
		echo "no row for:$missing (run scripts/kernel-sources > reproducers/evidence/kernel_sources.c)" >&2
		return 1
	}
}

@test "explain: each measurement with its unit; that it is a measurement is said once" {
	run --separate-stderr "$SOCKERR" explain accept-loop-fd-exhaustion -4 --no-trace
	assert_success
	run grep -c 'a measurement: it varies from run to run' <<<"$output"
	assert_output 1
	run --separate-stderr "$SOCKERR" explain accept-loop-fd-exhaustion -4 --no-trace
	# Wrapped at 80 columns wherever the host and the number fall.
	assert_output --regexp 'CPU time \(user \+ system\) of the loop -> [0-9]+[[:space:]]+ms'
	assert_output --regexp 'calls per second while exhausted[[:space:]]+-> [0-9]+ per'
}

@test "explain --pcap --svg --ladder: the narrated run's own capture and diagram, not a second run's" {
	local dir=$BATS_TEST_TMPDIR/evidence
	run --separate-stderr "$SOCKERR" explain closed-port -4 --no-trace --pcap "$dir" --svg "$dir" --ladder
	assert_success
	assert_line "The capture was written to"
	assert_output --partial "$dir/closed-port-ipv4.pcap"
	# connect() still running on the client's lifeline ("#"); the lane
	# of calls of no host (":") at the right.
	assert_line --regexp '^ *[0-9.]+ +[|#]<-+ RST\|ACK -+\|( +:)?$'
	[ -s "$dir/closed-port-ipv4.svg" ]
	xmllint --noout "$dir/closed-port-ipv4.svg"
	# The capture is the narrated run's: the client's port in the
	# narration is the one in the capture's SYN.
	local port
	port=$(tcpdump -nr "$dir/closed-port-ipv4.pcap" 'tcp[tcpflags] & tcp-syn != 0' 2>/dev/null |
		head -n 1 | sed -E 's/.*192\.0\.2\.1\.([0-9]+) >.*/\1/')
	[[ $port =~ ^[0-9]+$ ]]
	assert_output --partial "192.0.2.1.$port > 192.0.2.2.9: Flags [S]"
}

# well_formed_page FILE: one HTML page that stands alone: well-formed XML
# (xmllint where it is installed; the same structure by grep otherwise),
# one inline SVG, nothing fetched from outside, and every "<" the start of
# markup (the narration's text escaped).
well_formed_page() {
	local page=$1
	if command -v xmllint >/dev/null; then
		xmllint --noout "$page"
	fi
	[ "$(head -n 1 "$page")" = '<!DOCTYPE html>' ] || { echo "no doctype" >&2; return 1; }
	[ "$(tail -n 1 "$page")" = '</html>' ] || { echo "</html> is not the end" >&2; return 1; }
	[ "$(grep -o '<svg[ >]' "$page" | wc -l)" -eq 1 ] || { echo "not one <svg" >&2; return 1; }
	[ "$(grep -o '</svg>' "$page" | wc -l)" -eq 1 ] || { echo "not one </svg>" >&2; return 1; }
	if grep -nE '<(script|link|img|iframe)\b| (src|href)=|@import' "$page"; then
		echo "the page loads something from outside" >&2
		return 1
	fi
	if grep -nE '<[^a-zA-Z/!?]|<$' "$page"; then
		echo "a '<' that starts no markup: text not escaped" >&2
		return 1
	fi
}

@test "explain --html: one self-contained page of the narrated run, its diagram, steps, errno and ports" {
	local dir=$BATS_TEST_TMPDIR/handout page endpoint n=0
	run --separate-stderr timeout 60 "$SOCKERR" explain closed-port -4 --html "$dir" --svg "$dir" </dev/null
	assert_success
	page=$dir/closed-port-ipv4.html
	[ -s "$page" ]
	well_formed_page "$page"
	# The title: the scenario, its family, the kernel it ran on.
	grep -q '<title>closed-port (ipv4): ECONNREFUSED from connect()</title>' "$page"
	grep -q '<h1>closed-port' "$page"
	grep -qF "Linux $(uname -r)" "$page"
	grep -q '@media print' "$page"
	# The steps as a table, the errno's row and explain's own sentence.
	grep -qE '<td[^>]*>connect\(7, 192\.0\.2\.2:9\)</td><td[^>]*>-1 ECONNREFUSED \(Connection refused\)</td>' "$page"
	grep -qF 'This is the errno the scenario is about.' "$page"
	grep -qF 'Back off and free resources' "$page"
	grep -qE '<code>tcp_reset\(\)</code></td><td>net/ipv4/tcp_input\.c:[0-9]+</td>' "$page"
	# The diagram is the one --svg wrote, inline (without its XML
	# declaration).
	assert_equal "$(sed -n '/<svg[ >]/,/<\/svg>/p' "$page")" \
		"$(sed -n '/<svg[ >]/,$p' "$dir/closed-port-ipv4.svg")"
	# The narrated run's own: every address and port the narration
	# printed is on the page (a second run would have another client
	# port).
	while read -r endpoint; do
		n=$((n + 1))
		grep -qF "$endpoint" "$page" || { echo "not on the page: $endpoint" >&2; return 1; }
	done < <(grep -oE '192\.0\.2\.[0-9]+[.:][0-9]+' <<<"$output" | sort -u)
	[ "$n" -ge 2 ] # the server's port and the client's
}

@test "explain --html: a handout that cannot be written is one line on stderr and a failure" {
	local dir=$BATS_TEST_TMPDIR/handout
	# DIR that cannot be created: refused before the run.
	touch "$BATS_TEST_TMPDIR/file"
	run --separate-stderr timeout 60 "$SOCKERR" explain closed-port -4 --no-trace \
		--html "$BATS_TEST_TMPDIR/file/sub" </dev/null
	assert_failure
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "sockerr: cannot create $BATS_TEST_TMPDIR/file/sub: Not a directory" ]]
	# The page itself cannot be written (a directory has its name): the
	# narration is still told, and the exit says the handout is missing.
	mkdir -p "$dir/closed-port-ipv4.html"
	run --separate-stderr timeout 60 "$SOCKERR" explain closed-port -4 --no-trace --html "$dir" </dev/null
	[ "$status" -eq 1 ]
	assert_line "How to handle it"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "sockerr: cannot write $dir/closed-port-ipv4.html: Is a directory" ]]
}

@test "explain --step --html: the prompts on the terminal only, the page without them" {
	local dir=$BATS_TEST_TMPDIR/handout
	# shellcheck disable=SC2016 # expanded by the inner shell
	run --separate-stderr env DIR="$dir" bash -c \
		'yes "" | head -n 10 | timeout 60 "$SOCKERR" explain closed-port -4 --no-trace --step --html "$DIR"'
	assert_success
	[ "$(grep -c '^\[Enter: next\]$' <<<"$output")" -eq 5 ]
	well_formed_page "$dir/closed-port-ipv4.html"
	run grep -c 'Enter: next' "$dir/closed-port-ipv4.html"
	assert_output 0
}

@test "explain --html: the narration's '<' and '&' are escaped (accept-addrlen-truncated)" {
	local dir=$BATS_TEST_TMPDIR/handout
	run --separate-stderr timeout 60 "$SOCKERR" explain accept-addrlen-truncated -6 --no-trace --html "$dir" </dev/null
	assert_success
	says "&addrlen"
	says "*addrlen < 0"
	well_formed_page "$dir/accept-addrlen-truncated-ipv6.html"
	grep -qF '&amp;addrlen' "$dir/accept-addrlen-truncated-ipv6.html"
	grep -qF '*addrlen &lt; 0' "$dir/accept-addrlen-truncated-ipv6.html"
}

@test "explain: the wire and kernel sections tell the focused view, and say what --evidence all adds (reset-linger-zero ipv6)" {
	explain reset-linger-zero -6
	assert_success
	need_trace
	# The abortive close()'s own error report (tcp_disconnect()) on the
	# server: no call can read it, so the focused telling leaves it out.
	refute_line --regexp '^At [0-9.]+ ms on the server inet_sk_error_report: '
	assert_line --regexp '^At [0-9.]+ ms on the client inet_sk_error_report: error=104 ECONNRESET'
	says "cannot explain the result"
	says "--evidence all tells every event"
	says "--evidence all tells every packet"
	explain reset-linger-zero -6 --evidence all
	assert_success
	assert_line --regexp '^At [0-9.]+ ms on the server inet_sk_error_report: error=104 ECONNRESET'
	refute_output --partial "cannot explain the result"
}
