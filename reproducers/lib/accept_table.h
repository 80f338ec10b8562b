/*
 * accept(2)'s error table, one row per scenario file under
 * reproducers/accept/ (accept-nonblocking-empty, accept-rcvtimeo,
 * accept-closed-fd, accept-not-socket, accept-udp-socket,
 * accept-not-listening, accept4-bad-flags, accept-bad-address,
 * accept-fd-limit, accept-file-table-full), and the small pieces several of
 * those rows share.  (lib/accept_helpers.h holds the pending connection
 * and the measurements made of it.)
 *
 * The order of the checks decides which errno a call with two mistakes
 * gets; in __sys_accept4() / __sys_accept4_file() (net/socket.c):
 *
 *   fdget(fd) fails                                  -> EBADF (accept-closed-fd)
 *   flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)          -> EINVAL (accept4-bad-flags)
 *   get_unused_fd_flags() -> alloc_fd() (fs/file.c)  -> EMFILE (accept-fd-limit)
 *   do_accept(): sock_from_file() == NULL            -> ENOTSOCK (accept-not-socket)
 *   sock_alloc_file() -> alloc_empty_file()          -> ENFILE (accept-file-table-full)
 *   ops->accept: sock_no_accept() (UDP)              -> EOPNOTSUPP (accept-udp-socket)
 *                inet_csk_accept(): not TCP_LISTEN   -> EINVAL (accept-not-listening)
 *   -- the connection is dequeued here --
 *   ops->getname() < 0                               -> ECONNABORTED
 *   move_addr_to_user(): get_user(addrlen) faults    -> EFAULT (accept-bad-address)
 *                        addrlen < 0                 -> EINVAL (accept-bad-address)
 *                        copy_to_user(addr) faults   -> EFAULT (accept-bad-address)
 *
 * (Read in the 6.1 tree: there ops->accept is inet_accept() ->
 * inet_csk_accept() for TCP, and inet_dgram_ops / inet6_dgram_ops have
 * .accept = sock_no_accept() in net/ipv4/af_inet.c and net/ipv6/af_inet6.c.
 * On 6.18 the runs find the same order for every row they reach: all but
 * ENFILE, which runs only on a disposable kernel, and ECONNABORTED, which
 * is accept-peer-port-zero's.)
 *
 * Everything before the dequeue leaves a pending connection where it was;
 * the address errors come after it (accept-bad-address says what becomes
 * of that connection).
 */
#ifndef SOCKERR_ACCEPT_TABLE_H
#define SOCKERR_ACCEPT_TABLE_H

#include "record/harness.h"

/* An undefined accept4() flag bit (O_WRONLY's value: not SOCK_CLOEXEC,
 * not SOCK_NONBLOCK): accept-closed-fd, accept-not-socket and
 * accept4-bad-flags use it to show where the flags check sits in the
 * order above. */
#define ACCEPT4_BAD_FLAG 0x1

/* Observe "connections" (sock_diag: TCP sockets on the server port, LISTEN
 * aside) and, when there are none, set the run's connection to
 * CONNECTION_NEVER_EXISTED: the EAGAIN rows' queue was empty because no
 * connection was ever started. */
void acctab_record_never_existed(struct run *r);

/* Send a byte client -> server over the accepted connection and record
 * whether it arrived: the connection works.  For the rows whose connection
 * stayed queued through the error (EMFILE, ENFILE) and is accepted after. */
void acctab_exchange_byte(struct run *r, int cfd, int afd);

#endif
