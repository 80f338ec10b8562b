/*
 * Evidence of a run: the packets that crossed its links and the kernel
 * events that set its errors, on the same clock as its system calls.
 *
 * The run's child collects it (capture.c: libpcap inside the scenario's
 * namespaces; trace.c: tracepoints in a private tracefs instance) into
 * r->evidence and sends it to the runner through the record stream
 * (record/record.h), and the runner renders it: the ladder diagram (ladder.c, text and SVG),
 * the JSON fields "packets" and "evidence", and `sockerr explain`.
 *
 * Every time is in ms since the run's t0 (CLOCK_MONOTONIC), like a step's.
 */
#ifndef SOCKERR_EVIDENCE_H
#define SOCKERR_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "record/harness.h"

/* Bounds, not storage: a run keeps up to this many packets (the first and
 * the last TAIL_PACKETS of them, capture.c) and events, and counts the rest
 * (packets_dropped, events_dropped, both in its JSON). */
#define EVIDENCE_MAX_PACKETS 65536
#define EVIDENCE_MAX_EVENTS  65536

/* One packet, seen leaving a host on a link (veth: the next host receives
 * it unless a hook drops it); loopback packets have from == to. */
struct packet_event {
	double ms;
	int8_t from, to;   /* enum host */
	uint8_t family;	   /* AF_INET / AF_INET6 of the IP header */
	uint8_t proto;	   /* IPPROTO_TCP, IPPROTO_ICMP, IPPROTO_ICMPV6, ... */
	uint8_t tcp_flags; /* TCPF_* (packets.h) */
	uint8_t icmp_type; /* for ICMP / ICMPv6 */
	uint8_t icmp_code;
	uint16_t sport, dport; /* TCP ports; for an ICMP error, those of the
				* TCP segment it quotes */
	uint32_t payload;      /* TCP payload bytes */
	char ifname[16];       /* the interface it left by: "eth0", "to-server" */
	/* Short, for an arrow: "SYN", "RST|ACK", "PSH|ACK 5B",
	 * "ICMP 3/3 port unreach", "ICMPv6 1/4 port unreach". */
	char label[40];
	/* tcpdump-like: "192.0.2.1.40000 > 192.0.2.2.8080: Flags [S], seq
	 * 123, win 64240, length 0" */
	char detail[160];
};

/* One tracepoint hit, filtered to the run's own addresses and ports. */
struct kernel_event {
	double ms;
	int8_t host;	  /* whose socket (by local address); HOST_NONE if unknown */
	char name[32];	  /* tracepoint name without system: "tcp_receive_reset" */
	char detail[200]; /* its fields: "state=TCP_SYN_SENT 192.0.2.1:40000 >
			   * 192.0.2.2:8080", "reason=NO_SOCKET
			   * location=tcp_v4_rcv+0x..", "error=ECONNREFUSED" */
};

/* What the runner asked the run to collect (inherited by the child). */
struct evidence_options {
	const char *pcap_dir; /* write DIR/<scenario>-<family>.pcap; NULL: none */
	bool capture;	      /* capture packets (implied by pcap_dir, ladder, trace) */
	bool trace;	      /* record tracepoints */
	/* --trace was asked for, but trace_probe() said why it cannot be */
	const char *trace_unavailable;
};

struct evidence {
	bool captured; /* a capture ran (the topology has a network) */
	bool traced;   /* the tracepoints were recorded */
	/* Why there is no capture or no trace where one was asked for:
	 * "tracefs is not available: ...". Empty otherwise. */
	char capture_note[160];
	char trace_note[160];
	char pcap_path[256]; /* the file written, empty if none */
	/* dropped: beyond EVIDENCE_MAX_PACKETS, or lost by the capture */
	int n_packets, packets_dropped, packets_room;
	struct packet_event *packets;
	int n_events, events_dropped, events_room;
	struct kernel_event *events;
};

/* r->evidence, made empty (in the child, when evidence is asked for). */
struct evidence *evidence_new(void);
void evidence_free(struct evidence *ev);
/* The run's evidence, or an empty one where none was collected. */
const struct evidence *evidence_of(const struct run *r);
/* Room for one more packet or event (the caller checks the bounds). */
struct packet_event *evidence_add_packet(struct evidence *ev);
struct kernel_event *evidence_add_event(struct evidence *ev);

/* The child sends its evidence to the runner at the end of the run
 * (record/record.h: message types 100-199); the runner's record reader
 * hands those messages to evidence_receive(). */
void evidence_send(const struct run *r);
void evidence_receive(struct run *r, unsigned type, const void *data, size_t len);

/* capture.c: open the captures in the run's namespaces (after the topology
 * is built, before the scenario runs); at the end, drain them into
 * r->evidence.packets and write the pcap.  Failures are recorded in
 * capture_note, never fatal to the run. */
void capture_start(struct run *r, const struct evidence_options *o);
void capture_finish(struct run *r);

/* trace.c: a private tracefs instance for the run; at the end its events go
 * to r->evidence.events when they are the run's own: its addresses, and its
 * processes, sockets or connections (trace.c's header says exactly how,
 * since two runs can share addresses and even an ephemeral port).
 * Unavailable tracefs is recorded in trace_note. */
void trace_start(struct run *r, const struct evidence_options *o);
void trace_finish(struct run *r);
/* In the runner, before the runs: can a private instance be made?  false
 * with why ("tracefs is not mounted and cannot be: ...") otherwise; the
 * runner says so once and runs without --trace. */
bool trace_probe(char *why, size_t len);
/* Remove tracefs instances of runs whose process is gone (sockerr cleanup);
 * returns how many. */
int trace_reap_stale(FILE *out);

/* What the diagrams show of the evidence.  EVIDENCE_FOCUSED (the default)
 * leaves out what cannot explain a call's result, and says how much: link
 * housekeeping (ARP and neighbour discovery that were answered, MLD, router
 * solicitations), everything after the last step returned (the teardown),
 * an error report to a socket its own close() discards.  EVIDENCE_ALL
 * (--evidence all): every packet and event.  The pcap and the JSON always
 * hold everything. */
enum evidence_view { EVIDENCE_FOCUSED, EVIDENCE_ALL };

/* ladder.c: the sequence diagram of a run: one column per host (and a lane
 * "--" for calls of no host), packets as arrows, calls from their entry to
 * their return, kernel events at the moment they happened.  Text fits
 * width columns (80); colour (ANSI) only when asked.  render_ladder() and
 * render_ladder_svg() draw the focused view. */
void render_ladder(FILE *out, const struct run *r, int width, bool colour);
void render_ladder_svg(FILE *out, const struct run *r);
void render_ladder_view(FILE *out, const struct run *r, int width, bool colour,
			enum evidence_view view);
void render_ladder_svg_view(FILE *out, const struct run *r, enum evidence_view view);
/* Whether packet i (event i) of r's evidence is in the focused view: the
 * rule above, the same for the diagrams and explain's narration. */
bool packet_in_focus(const struct run *r, int i);
bool event_in_focus(const struct run *r, int i);
/* prefix then text, wrapped to width with a hanging indent, as the ladder
 * prints its notes. */
void ladder_line(FILE *out, const char *prefix, const char *text, int width);

/* JSON of the evidence: ,"packets":[...],"evidence":{...} (render_json()
 * calls it inside a run's object). */
void render_evidence_json(FILE *out, const struct run *r);

#endif
