#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# accept(2) interrupted by a signal (EINTR, restarted under SA_RESTART,
# EINTR again with SO_RCVTIMEO), a listener destroyed under a blocked
# accept() (sock_diag SOCK_DESTROY, EINVAL), and the errnos only a policy
# layer (seccomp) makes accept() return.  Expectations are written here,
# not read from the C.

setup() {
	load test_helper/common-setup
}

# Without SA_RESTART: EINTR.  With it: the call restarts and returns the
# connection the handler started.  With SA_RESTART and SO_RCVTIMEO:
# sock_intr_errno() gives -EINTR, never restarted.
check_signal() {
	observe accept-signal "$1"
	assert_output - <<'EOF2'
accept, no SA_RESTART: EINTR
handler: ran
handler connect: EINPROGRESS
accept, SA_RESTART: ok
accepted peer: the handler's connection
setsockopt SO_RCVTIMEO: ok
accept, SA_RESTART, SO_RCVTIMEO: EINTR
returned: at the signal, before SO_RCVTIMEO
EOF2
	run jq -r .connection <<<"$json"
	assert_output "dequeued and handed over"
}

@test "accept-signal ipv4: EINTR without SA_RESTART, restarted with it, EINTR with SA_RESTART and SO_RCVTIMEO" {
	check_signal -4
}

@test "accept-signal ipv6: EINTR without SA_RESTART, restarted with it, EINTR with SA_RESTART and SO_RCVTIMEO" {
	check_signal -6
}

# ss -K on the listener: the blocked accept() wakes with EINVAL (no longer
# listening), later accepts too; the port refuses connections until a new
# listener is created.
check_listener_destroyed() {
	observe accept-listener-destroyed "$1"
	assert_output - <<'EOF2'
child: asleep in accept
destroy: ok
blocked accept: EINVAL
listener state: CLOSE
accept again: EINVAL
SO_ERROR: ECONNABORTED
connect: ECONNREFUSED
close listener: ok
new listener: ok
connect to new listener: ok
EOF2
}

@test "accept-listener-destroyed ipv4: blocked accept() EINVAL after SOCK_DESTROY, connect() ECONNREFUSED" {
	check_listener_destroyed -4
}

@test "accept-listener-destroyed ipv6: blocked accept() EINVAL after SOCK_DESTROY, connect() ECONNREFUSED" {
	check_listener_destroyed -6
}

# seccomp SECCOMP_RET_ERRNO: accept() and accept4() fail with the filter's
# errno, the kernel never touches the listener, the connection stays queued
# and an unfiltered accept() gets it.
check_policy() {
	local errno=$1 family=$2
	observe "accept-policy-${errno,,}" "$family"
	assert_output - <<EOF2
listener before: readable (still queued)
child accept: $errno
child accept4: $errno
listener after: readable (still queued)
parent accept: ok
accepted peer: the queued client
EOF2
	run jq -r .policy <<<"$json"
	assert_output seccomp
	run jq -r .connection <<<"$json"
	assert_output "still queued"
}

@test "accept-policy-eperm ipv4: policy-injected EPERM, connection still queued" {
	check_policy EPERM -4
}

@test "accept-policy-eperm ipv6: policy-injected EPERM, connection still queued" {
	check_policy EPERM -6
}

@test "accept-policy-eproto ipv4: policy-injected EPROTO, connection still queued" {
	check_policy EPROTO -4
}

@test "accept-policy-eproto ipv6: policy-injected EPROTO, connection still queued" {
	check_policy EPROTO -6
}

@test "accept-policy-enobufs ipv4: policy-injected ENOBUFS, connection still queued" {
	check_policy ENOBUFS -4
}

@test "accept-policy-enobufs ipv6: policy-injected ENOBUFS, connection still queued" {
	check_policy ENOBUFS -6
}

@test "accept-policy-enomem ipv4: policy-injected ENOMEM, connection still queued" {
	check_policy ENOMEM -4
}

@test "accept-policy-enomem ipv6: policy-injected ENOMEM, connection still queued" {
	check_policy ENOMEM -6
}
