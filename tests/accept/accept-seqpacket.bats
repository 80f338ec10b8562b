#!/usr/bin/env bats
# accept-seqpacket: accept() works on an AF_UNIX SOCK_SEQPACKET listener
# ("connection-based socket types (SOCK_STREAM, SOCK_SEQPACKET)",
# accept(2)), and the connection keeps message boundaries both ways; an
# AF_UNIX SOCK_DGRAM socket's accept() is EOPNOTSUPP.  Expectations are
# written here, not read from the C.

load ../test_helper/common-setup

# Two sends, two reads, each one whole message, then nothing; one message
# back.  The client never bound: its address is the family alone.
@test "accept-seqpacket: accept() on AF_UNIX SOCK_SEQPACKET, message boundaries kept; SOCK_DGRAM EOPNOTSUPP" {
	assert_steps accept-seqpacket none - <<'EOF'
socket: ok
bind: ok
listen: ok
client socket: ok
connect: ok
accept: ok
peer addrlen: 2 (unnamed)
accepted SO_TYPE: SOCK_SEQPACKET
client send 1: ok
client send 2: ok
server recv 1: ok
server message 1: "one" (3 bytes)
server recv 2: ok
server message 2: "three" (5 bytes)
server recv 3: EAGAIN
server message 3: nothing
server send: ok
client recv: ok
client message: "reply" (5 bytes)
accept dgram: EOPNOTSUPP
EOF
}
