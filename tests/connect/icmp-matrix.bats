#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# icmp-matrix: every ICMP / ICMPv6 error, crafted on the router, against a
# TCP socket of the client in SYN_SENT (connect() to a port whose SYNs the
# router drops; the error quotes the SYN) and in ESTABLISHED (the error
# quotes seq ISN+1), with and without IP_RECVERR / IPV6_RECVERR.  The
# expected values are the tables below, written from the kernel source
# (net/ipv4/icmp.c icmp_err_convert[] and icmp_unreach(), tcp_ipv4.c
# tcp_v4_err(), net/ipv6/icmp.c icmpv6_err_convert() and icmpv6_rcv(),
# tcp_ipv6.c tcp_v6_err()), not read from the C.

load ../test_helper/common-setup

# One row per case.  Columns:
#   T/C       ICMP type/code sent
#   NAME      the step label's name
#   SYN       errno poll()+SO_ERROR report for the SYN_SENT socket; - = no error
#   SYNQ      MSG_ERRQUEUE of that socket (no RECVERR): its ee_errno, - = empty
#   SYNRQ     MSG_ERRQUEUE of a SYN_SENT socket with RECVERR
#   EST-RECV  ESTABLISHED, no RECVERR: recv(MSG_DONTWAIT)'s errno
#   EST-SO    ... then SO_ERROR (0 = none)
#   RE-RECV   ESTABLISHED with RECVERR: recv()'s errno
#   RE-SO     ... then SO_ERROR
#   REQ       MSG_ERRQUEUE of the ESTABLISHED RECVERR socket, - = empty
# A queued error must carry the case's own type and code (origin icmp/icmp6).
#
# IPv4: tcp_v4_err(): icmp_err_convert[code] for destination unreachable
# 0-15, except frag-needed (PMTU update only); parameter problem EPROTO;
# time exceeded EHOSTUNREACH; source quench ignored; redirect only updates
# the route (here rejected: the gateway is the router itself).
# icmp_unreach() drops codes above 15 (NR_ICMP_UNREACH) and time exceeded
# code 1 (fragment reassembly) before TCP.  In SYN_SENT every converted error
# is hard, and ip_icmp_error() queues it without checking recverr.
# ESTABLISHED: soft (SO_ERROR only) without RECVERR, hard (recv() fails)
# with it; nothing goes to the error queue.
TABLE4='
# T/C  NAME              SYN           SYNQ          SYNRQ         EST-RECV EST-SO        RE-RECV       RE-SO REQ
3/0    net-unreach       ENETUNREACH   ENETUNREACH   ENETUNREACH   EAGAIN   ENETUNREACH   ENETUNREACH   0     -
3/1    host-unreach      EHOSTUNREACH  EHOSTUNREACH  EHOSTUNREACH  EAGAIN   EHOSTUNREACH  EHOSTUNREACH  0     -
3/2    proto-unreach     ENOPROTOOPT   ENOPROTOOPT   ENOPROTOOPT   EAGAIN   ENOPROTOOPT   ENOPROTOOPT   0     -
3/3    port-unreach      ECONNREFUSED  ECONNREFUSED  ECONNREFUSED  EAGAIN   ECONNREFUSED  ECONNREFUSED  0     -
3/4    frag-needed       -             -             -             EAGAIN   0             EAGAIN        0     -
3/5    sr-failed         EOPNOTSUPP    EOPNOTSUPP    EOPNOTSUPP    EAGAIN   EOPNOTSUPP    EOPNOTSUPP    0     -
3/6    net-unknown       ENETUNREACH   ENETUNREACH   ENETUNREACH   EAGAIN   ENETUNREACH   ENETUNREACH   0     -
3/7    host-unknown      EHOSTDOWN     EHOSTDOWN     EHOSTDOWN     EAGAIN   EHOSTDOWN     EHOSTDOWN     0     -
3/8    host-isolated     ENONET        ENONET        ENONET        EAGAIN   ENONET        ENONET        0     -
3/9    net-prohibited    ENETUNREACH   ENETUNREACH   ENETUNREACH   EAGAIN   ENETUNREACH   ENETUNREACH   0     -
3/10   host-prohibited   EHOSTUNREACH  EHOSTUNREACH  EHOSTUNREACH  EAGAIN   EHOSTUNREACH  EHOSTUNREACH  0     -
3/11   net-unreach-tos   ENETUNREACH   ENETUNREACH   ENETUNREACH   EAGAIN   ENETUNREACH   ENETUNREACH   0     -
3/12   host-unreach-tos  EHOSTUNREACH  EHOSTUNREACH  EHOSTUNREACH  EAGAIN   EHOSTUNREACH  EHOSTUNREACH  0     -
3/13   pkt-filtered      EHOSTUNREACH  EHOSTUNREACH  EHOSTUNREACH  EAGAIN   EHOSTUNREACH  EHOSTUNREACH  0     -
3/14   prec-violation    EHOSTUNREACH  EHOSTUNREACH  EHOSTUNREACH  EAGAIN   EHOSTUNREACH  EHOSTUNREACH  0     -
3/15   prec-cutoff       EHOSTUNREACH  EHOSTUNREACH  EHOSTUNREACH  EAGAIN   EHOSTUNREACH  EHOSTUNREACH  0     -
3/16   code-16           -             -             -             EAGAIN   0             EAGAIN        0     -
11/0   time-exceeded     EHOSTUNREACH  EHOSTUNREACH  EHOSTUNREACH  EAGAIN   EHOSTUNREACH  EHOSTUNREACH  0     -
11/1   reassembly-time   -             -             -             EAGAIN   0             EAGAIN        0     -
12/0   param-problem     EPROTO        EPROTO        EPROTO        EAGAIN   EPROTO        EPROTO        0     -
4/0    source-quench     -             -             -             EAGAIN   0             EAGAIN        0     -
5/1    redirect-host     -             -             -             EAGAIN   0             EAGAIN        0     -
'

# IPv6: tcp_v6_err(): packet too big updates the PMTU only; every other
# error, of any type below 128, is converted by icmpv6_err_convert():
# tab_unreach[] for destination unreachable 0-6, EPROTO for codes beyond it,
# for parameter problem and for unknown types; EHOSTUNREACH for time
# exceeded (both codes).  ipv6_icmp_error() queues only with IPV6_RECVERR.
TABLE6='
# T/C  NAME              SYN           SYNQ  SYNRQ         EST-RECV EST-SO        RE-RECV       RE-SO REQ
1/0    no-route          ENETUNREACH   -     ENETUNREACH   EAGAIN   ENETUNREACH   ENETUNREACH   0     -
1/1    admin-prohibited  EACCES        -     EACCES        EAGAIN   EACCES        EACCES        0     -
1/2    beyond-scope      EHOSTUNREACH  -     EHOSTUNREACH  EAGAIN   EHOSTUNREACH  EHOSTUNREACH  0     -
1/3    addr-unreach      EHOSTUNREACH  -     EHOSTUNREACH  EAGAIN   EHOSTUNREACH  EHOSTUNREACH  0     -
1/4    port-unreach      ECONNREFUSED  -     ECONNREFUSED  EAGAIN   ECONNREFUSED  ECONNREFUSED  0     -
1/5    policy-fail       EACCES        -     EACCES        EAGAIN   EACCES        EACCES        0     -
1/6    reject-route      EACCES        -     EACCES        EAGAIN   EACCES        EACCES        0     -
1/7    srh-error         EPROTO        -     EPROTO        EAGAIN   EPROTO        EPROTO        0     -
1/8    headers-too-long  EPROTO        -     EPROTO        EAGAIN   EPROTO        EPROTO        0     -
2/0    packet-too-big    -             -     -             EAGAIN   0             EAGAIN        0     -
3/0    time-exceeded     EHOSTUNREACH  -     EHOSTUNREACH  EAGAIN   EHOSTUNREACH  EHOSTUNREACH  0     -
3/1    reassembly-time   EHOSTUNREACH  -     EHOSTUNREACH  EAGAIN   EHOSTUNREACH  EHOSTUNREACH  0     -
4/0    param-problem     EPROTO        -     EPROTO        EAGAIN   EPROTO        EPROTO        0     -
99/0   type-99           EPROTO        -     EPROTO        EAGAIN   EPROTO        EPROTO        0     -
'

# Every crafted error of a case was counted by the client and none was
# dropped by TCP's window check or met a socket a system call held.
DELIVERED="all counted by the client, none out of window"

# table_rows TABLE: the table's rows without comments and blank lines.
table_rows() {
	grep -v -e '^#' -e '^[[:space:]]*$' <<<"$1"
}

# errq VAR ORIGIN T/C VALUE: VAR gets the error-queue step value for a
# table cell.  (Variables, not $(...): a subshell per cell made the JSON
# rows test take 20 s.)
# shellcheck disable=SC2034 # into is a nameref to the caller's variable
errq() {
	local -n into=$1
	if [ "$4" = - ]; then
		into=empty
	else
		into="origin $2, type ${3%/*}, code ${3#*/}, errno $4"
	fi
}

# expected_steps ORIGIN TABLE: the step lines ("label: value") the table
# means, in the scenario's order.
expected_steps() {
	local origin=$1 tc name syn synq synrq er es rr rs rq q1 q2 q3
	while read -r tc name syn synq synrq er es rr rs rq; do
		local l="$tc $name"
		[ "$syn" = - ] && syn="no error"
		errq q1 "$origin" "$tc" "$synq"
		errq q2 "$origin" "$tc" "$synrq"
		errq q3 "$origin" "$tc" "$rq"
		echo "$l: syn-sent: $syn"
		echo "$l: syn-sent errq: $q1"
		echo "$l: syn+recverr errq: $q2"
		echo "$l: established: recv $er, SO_ERROR $es"
		echo "$l: est+recverr: recv $rr, SO_ERROR $rs"
		echo "$l: est+recverr errq: $q3"
		echo "$l: icmp: $DELIVERED"
	done < <(table_rows "$2")
}

# hardness VAR RECV SO_ERROR: VAR gets the table's cell for an
# ESTABLISHED socket.
# shellcheck disable=SC2034 # into is a nameref to the caller's variable
hardness() {
	local -n into=$1
	if [ "$2" != EAGAIN ]; then
		into="hard $2"
	elif [ "$3" != 0 ]; then
		into="soft $3"
	else
		into=none
	fi
}

# expected_rows TABLE: the JSON rows the table means, one per line (one jq
# for the whole table): the case, and each step's cell under its label.
expected_rows() {
	local tc name syn synq synrq er es rr rs rq est re
	while read -r tc name syn synq synrq er es rr rs rq; do
		[ "$syn" = - ] && syn="no error"
		hardness est "$er" "$es"
		hardness re "$rr" "$rs"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tc $name" "$syn" "$synq" "$synrq" \
			"$est" "$re" "$rq"
	done < <(table_rows "$1") |
		jq -cR 'split("\t") as [$case, $syn, $synq, $synrq, $est, $re, $rq]
			| {case: $case, "syn-sent": $syn, "syn-sent errq": $synq,
			   "syn+recverr errq": $synrq, established: $est, "est+recverr": $re,
			   "est+recverr errq": $rq, icmp: "ok"}'
}

@test "icmp-matrix ipv4: connect() fails with icmp_err_convert[]'s errno (EPROTO for parameter problem, EHOSTUNREACH for time exceeded); frag-needed, code 16, reassembly time, source quench, redirect: no error; established: soft, hard with IP_RECVERR" {
	assert_steps icmp-matrix -4 "$(expected_steps icmp "$TABLE4")"
}

@test "icmp-matrix ipv6: connect() fails with icmpv6_err_convert()'s errno for every error but packet too big (EPROTO for codes 7, 8, parameter problem, unknown type); established: soft, hard with IPV6_RECVERR" {
	assert_steps icmp-matrix -6 "$(expected_steps icmp6 "$TABLE6")"
}

@test "icmp-matrix: the steps carry their case; the JSON rows, one per case, summarise them (soft/hard)" {
	for family in -4 -6; do
		observe icmp-matrix "$family"
		run jq -r '.steps[] | select(.name != "\(.case): " + (.name | split(": ")[1])) | .name' <<<"$json"
		assert_output ""
		run jq -c '.rows[]' <<<"$json"
		if [ "$family" = -4 ]; then
			assert_output "$(expected_rows "$TABLE4")"
		else
			assert_output "$(expected_rows "$TABLE6")"
		fi
	done
}

@test "icmp-matrix: the text output is a table, one line per case" {
	run --separate-stderr "$SOCKERR" run icmp-matrix -4
	assert_success
	assert_line --regexp '^  CASE +syn-sent +syn-sent errq +syn\+recverr errq +established +est\+recverr +est\+recverr errq +icmp$'
	assert_line --regexp '^  3/3 port-unreach +ECONNREFUSED +ECONNREFUSED +ECONNREFUSED +soft ECONNREFUSED +hard ECONNREFUSED +- +ok$'
	assert_line --regexp '^  3/4 frag-needed +no error +- +- +none +none +- +ok$'
	run grep -c '^  [0-9]*/[0-9]* ' <<<"$output"
	assert_output 22
	run --separate-stderr "$SOCKERR" run icmp-matrix -6
	assert_success
	assert_line --regexp '^  99/0 type-99 +EPROTO +- +EPROTO +soft EPROTO +hard EPROTO +- +ok$'
	run grep -c '^  [0-9]*/[0-9]* ' <<<"$output"
	assert_output 14
}
