#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output (bats run) and json (observe)
# Every step is drawn at its host (issue 21): a step of a scenario with a
# network is at the client, the router or the server, as its recording
# call says (reproducers/record/harness.h, struct where), and "--" (drawn
# apart) only where no namespace owns what it is about; a step whose text
# names the listener, the server or the client is at that host.  And the
# fixtures' set-up calls (listen(), connect(), accept(): setup_call()) are
# recorded, at their hosts, in the order they were made.  All read from
# the suite's fixture (scripts/catalogue-fixture: catalogue.json).

setup() { load test_helper/common-setup; }

# The steps of networked scenarios that belong to no host, as
# "SCENARIO: LABEL", each with why no namespace owns it.  Any other step
# at "--" fails the first test: give its recording call a host.
NO_HOST=(
	# RLIMIT_NOFILE is the process's limit, not a namespace's.
	"accept-fd-limit: setrlimit"
	"accept-fd-limit: setrlimit restore"
	# close() of /dev/null: a slot of the file table, which no namespace
	# owns.
	"accept-fd-limit: close"
	# fs.file-max is global to the kernel (the scenario's global_knob).
	"accept-file-table-full: lower file-max"
	"accept-file-table-full: restore file-max"
	# capset(): the child's credentials, not a namespace's.
	"accept-file-table-full: child"
	# The Landlock ABI the kernel offers, asked before anything runs.
	"forbidden-landlock: Landlock ABI"
)

# Steps whose text names one host while the step is rightly at another,
# as "SCENARIO: LABEL", each with the reason.
OTHER_HOST=(
	# The hop limit of the server's reply, read from the capture on the
	# client's link: at the client.
	"refused-by-firewall: server reply hop limit"
)

# The host a step's text says (the calls the scenarios write: "client
# send(...)", "server TcpExt ...", "poll(listener, ...)", a label
# "listener ..."), or nothing when it says none.
TEXT_HOST='
	if (.call | test("^server[ :'"'"']")) or (.call | test("\\((server )?listener[,)]"))
	   or (.name | test("^(listener|server )")) then "server"
	elif (.call | test("^client[ :'"'"']")) or (.name | test("^client ")) then "client"
	else empty end'

catalogue() {
	cat "$SOCKERR_FIXTURE/catalogue.json"
}

@test "every step of a networked scenario is at a host, but those listed with a reason" {
	run jq -r --args '.runs[] | select(.family != "none") | .scenario as $s | .family as $f
		| .steps[] | select(.host == "--") | "\($s): \(.name)"
		| select(IN($ARGS.positional[]) | not) | "\(.) (\($f)) is at no host"' \
		"${NO_HOST[@]}" < <(catalogue)
	assert_success
	assert_output ''
}

@test "a step of no network is at no host, and no step is at an unknown one" {
	run jq -r '.runs[] | .scenario as $s | .family as $f | .steps[]
		| select(if $f == "none" then .host != "--"
			 else (.host | IN("client", "router", "server", "--") | not) end)
		| "\($s) \($f): \(.name) at \(.host)"' < <(catalogue)
	assert_success
	assert_output ''
}

@test "a step on the listener or the server is at the server, the client's at the client" {
	run jq -r --args ".runs[] | select(.family != \"none\") | .scenario as \$s
		| .steps[] | ($TEXT_HOST) as \$want | select(.host != \$want)
		| \"\(\$s): \(.name)\" | select(IN(\$ARGS.positional[]) | not)
		| \"\(.): at \(.host)\"" "${OTHER_HOST[@]}" < <(catalogue)
	assert_success
	assert_output ''
	# The rule reads something: the listener's steps, the counters.
	run jq '[.runs[] | select(.family != "none") | .steps[] | ('"$TEXT_HOST"')] | length' \
		< <(catalogue)
	assert [ "$output" -gt 50 ]
}

@test "rst-before-accept: the listener's poll is drawn at the server, not at the client" {
	for family in -4 -6; do
		observe rst-before-accept "$family"
		run jq -r '.steps[] | "\(.name) \(.host)"' <<<"$json"
		assert_output - <<EOF
client close client
listener server
accept server
peer server
state server
recv server
send server
EOF
	done
}

@test "the fixtures' set-up calls are recorded at their hosts, entered before they return" {
	run jq -r '.runs[] | .scenario as $s | .family as $f | .setup_calls[]
		| select(.entered_ms > .ms
			 or (.name | IN("listen", "accept") and $f != "none") and .host != "server"
			 or (.name == "connect" and $f != "none") and .host != "client")
		| "\($s) \($f): \(.call) at \(.host), entered \(.entered_ms), returned \(.ms)"' \
		< <(catalogue)
	assert_success
	assert_output ''
	run jq '[.runs[].setup_calls[]] | length' < <(catalogue)
	assert [ "$output" -gt 0 ]
}

@test "the set-up calls are in the order they were made, a fixture's listen() before its connect()" {
	# One process makes them one after the other (a process a scenario
	# forks records nothing): the same clock, no threshold.
	run jq -r '.runs[] | .scenario as $s | .family as $f | .setup_calls as $c
		| range(1; $c | length) | select($c[.].entered_ms < $c[. - 1].ms)
		| "\($s) \($f): \($c[.].call) entered at \($c[.].entered_ms), before \($c[. - 1].call) returned at \($c[. - 1].ms)"' \
		< <(catalogue)
	assert_success
	assert_output ''
	# connection_open(): listen, connect, accept.
	observe recv-timeout -4
	run jq -r '[.setup_calls[] | "\(.name)@\(.host)"] | join(" ")' <<<"$json"
	assert_output "listen@server connect@client accept@server"
}

@test "rst-before-accept records its fixture's listen() and non-blocking connect(), never as steps" {
	observe rst-before-accept -4
	run jq -r '.setup_calls[] | "\(.name) \(.host) \(.ret) \(.errno // "-")"' <<<"$json"
	assert_output - <<EOF
listen server 0 -
connect client -1 EINPROGRESS
EOF
	run jq -r '[.steps[].name] | map(select(IN("listen", "connect"))) | length' <<<"$json"
	assert_output 0
}
