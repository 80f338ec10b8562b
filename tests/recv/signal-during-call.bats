#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# EINTR: a signal (SIGUSR1) interrupts recv(), send(), connect() and accept()
# while each sleeps in the kernel: a handler without SA_RESTART gives EINTR;
# with SA_RESTART the call restarts and returns once its condition is met;
# with SA_RESTART and a socket timeout (SO_RCVTIMEO for recv/accept,
# SO_SNDTIMEO for send/connect) it fails with EINTR all the same
# (sock_intr_errno()).  Also: SO_RCVTIMEO alone does not stop a send() from
# restarting (signal(7) says it does), a send() that copied part of its data
# returns a short count, and an interrupted connect() goes on: a blocking
# connect() again waits for it and returns 0, a non-blocking one EALREADY.

load ../test_helper/common-setup

check_signal_during_call() {
	assert_steps signal-during-call "$1" - <<'EOF'
recv no-restart: EINTR
recv restart signalled: asleep in the call again
recv restart: ok
recv restart got: the byte sent after the signal
recv restart+timeout: EINTR
send no-restart: EINTR
send restart signalled: asleep in the call again
send restart: ok
send restart got: the peer read the byte
send restart+timeout: EINTR
send restart+rcvtimeo signalled: asleep in the call again
send restart+rcvtimeo: ok
send restart+rcvtimeo got: the peer read the byte
send partial: ok
send partial count: a short count, not EINTR
connect no-restart: EINTR
connect no-restart state: SYN_SENT
connect again blocked: asleep in connect
connect restart signalled: asleep in the call again
connect restart+timeout: EINTR
connect again nonblocking: EALREADY
drop rule removed: ok
connect again: ok
connect restart: ok
connect restart state: ESTABLISHED
accept no-restart: EINTR
accept restart signalled: asleep in the call again
accept restart: ok
accept restart got: the connection made after the signal
accept restart+timeout: EINTR
EOF
	# The restarted recv() returned the one byte sent after the signal,
	# and the restarted connect() 0, not EALREADY.
	run jq -r '.steps[] | select(.name == "recv restart" or .name == "connect restart") | .ret' <<<"$json"
	assert_output - <<'EOF'
1
0
EOF
	# The differences from POSIX and signal(7) are recorded, not hidden.
	assert_record posix_expects --partial EALREADY
	assert_output --partial SO_SNDTIMEO
}

@test "signal-during-call ipv4: EINTR without SA_RESTART, restarted with it, EINTR with SA_RESTART and a socket timeout" {
	check_signal_during_call -4
}

@test "signal-during-call ipv6: EINTR without SA_RESTART, restarted with it, EINTR with SA_RESTART and a socket timeout" {
	check_signal_during_call -6
}
