/*
 * `sockerr explain NAME`: one run narrated for teaching.
 *
 * The runner runs the scenario once with its packets captured and its
 * tracepoints recorded; this file turns the record into plain sentences,
 * in six sections: what the scenario reproduces and on which topology,
 * the system calls in order, what the wire and the kernel's tracepoints
 * show, where in the kernel source the errno is decided (the table
 * scripts/kernel-sources generates from Debian's 6.1 tree), what POSIX or
 * the man page says, and how a program should handle the errno.
 *
 * Text is wrapped to fit 80 columns; colour (bold headings) only when the
 * caller asks for it.  --step waits for a line between sections, read from
 * stdin when it is a pipe or a file (so a test can feed it), else from
 * the terminal; end of file means carry on without waiting.
 */
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evidence/evidence.h"
#include "evidence/explain.h"
#include "record/harness.h"
#include "evidence/kernel_sources.h"
#include "lib/packets.h"

#define WIDTH 79 /* the longest line: fits an 80-column terminal */

struct narration {
	FILE *out;
	bool colour;
	bool step_mode;
	FILE *in;     /* where --step reads its lines; NULL: not opened yet */
	bool in_eof;  /* the input ended: go on without waiting */
	bool own_in;  /* in was opened here (/dev/tty) */
	int sections; /* printed so far */
	/* "a measurement: it varies from run to run" said once, then
	 * "measured" */
	bool told_measured;
	/* Each paragraph on one line, not wrapped (the handout's). */
	bool unwrapped;
	/* What the wire and kernel sections tell: the focused view leaves out
	 * what the diagrams leave out (evidence.h). */
	enum evidence_view view;
};

/* ---- text ------------------------------------------------------------ */

/* Write text wrapped at WIDTH: the first line indented by `first`, the
 * others by `hang`.  Spaces between words are kept as they are (aligned
 * columns stay aligned) except where a line breaks.  A word longer than a
 * line is cut. */
static void wrap(FILE *out, int first, int hang, const char *text)
{
	int col = fprintf(out, "%*s", first, "");
	bool line_empty = true;
	const char *p = text;
	while (*p) {
		size_t gap = strspn(p, " ");
		p += gap;
		if (!*p)
			break;
		size_t len = strcspn(p, " ");
		if (!line_empty && col + (int)gap + (int)len > WIDTH) {
			col = fprintf(out, "\n%*s", hang, "") - 1;
			line_empty = true;
		}
		if (!line_empty) {
			fprintf(out, "%*s", (int)gap, "");
			col += (int)gap;
		}
		while (col + (int)len > WIDTH) { /* a word longer than a line */
			int room = WIDTH - col;
			if (room < 1) {
				col = fprintf(out, "\n%*s", hang, "") - 1;
				continue;
			}
			fwrite(p, 1, (size_t)room, out);
			p += room;
			len -= (size_t)room;
			col = fprintf(out, "\n%*s", hang, "") - 1;
		}
		fwrite(p, 1, len, out);
		col += (int)len;
		p += len;
		line_empty = false;
	}
	fputc('\n', out);
}

__attribute__((format(printf, 4, 5))) static void say(struct narration *n, int first, int hang,
						      const char *fmt, ...)
{
	char *text;
	va_list ap;
	va_start(ap, fmt);
	int len = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	for (char *c = text; *c; c++) /* one paragraph: no stray line breaks */
		if (*c == '\n' || *c == '\t')
			*c = ' ';
	if (n->unwrapped)
		fprintf(n->out, "%*s%s\n", first, "", text);
	else
		wrap(n->out, first, hang, text);
	free(text);
}

static void blank(struct narration *n)
{
	fputc('\n', n->out);
}

/* The line --step reads from: stdin when it is a pipe or a file (a script
 * or a test answers), else the terminal itself, else stdin. */
static FILE *step_input(struct narration *n)
{
	if (n->in)
		return n->in;
	n->in = stdin;
	if (isatty(STDIN_FILENO)) {
		FILE *tty = fopen("/dev/tty", "re");
		if (tty) {
			n->in = tty;
			n->own_in = true;
		}
	}
	return n->in;
}

static void pause_for_enter(struct narration *n)
{
	if (!n->step_mode)
		return;
	fprintf(n->out, "\n%s[Enter: next]%s", n->colour ? "\033[2m" : "",
		n->colour ? "\033[0m" : "");
	fputc('\n', n->out);
	fflush(n->out);
	if (n->in_eof)
		return;
	FILE *in = step_input(n);
	int c;
	while ((c = getc(in)) != EOF && c != '\n')
		;
	if (c == EOF)
		n->in_eof = true;
}

/* A section: the prompt of --step before every section but the first. */
static void heading(struct narration *n, const char *title)
{
	if (n->sections++ > 0)
		pause_for_enter(n);
	blank(n);
	size_t len = strlen(title);
	if (n->colour)
		fprintf(n->out, "\033[1m%s\033[0m\n", title);
	else
		fprintf(n->out, "%s\n", title);
	for (size_t i = 0; i < len; i++)
		fputc('-', n->out);
	fputc('\n', n->out);
}

/* The full stop a sentence ending with text still needs. */
static const char *stop(const char *text)
{
	size_t len = strlen(text);
	return len && strchr(".!?", text[len - 1]) ? "" : ".";
}

/* The first letter of a sentence: capital, unless the first word is a
 * function ("accept() gives ...") or an identifier. */
static int initial(const char *text)
{
	size_t word = strcspn(text, " ");
	bool code = memchr(text, '(', word) || memchr(text, '_', word);
	return code ? text[0] : toupper((unsigned char)text[0]);
}

static const char *ms_text(double ms, char *buf, size_t len)
{
	if (ms >= 1000)
		snprintf(buf, len, "%.2f s", ms / 1000);
	else
		snprintf(buf, len, "%.1f ms", ms);
	return buf;
}

/* errno name -> its message ("Connection refused"), or NULL. */
static const char *errno_text(const char *name)
{
	if (!name || name[0] != 'E')
		return NULL;
	for (int e = 1; e < 256; e++) {
		const char *n = strerrorname_np(e);
		if (n && !strcmp(n, name))
			return strerror(e);
	}
	return NULL;
}

/* "the client's " for a step or event on a host, "" where none is known. */
static const char *host_possessive(int host)
{
	switch (host) {
	case HOST_CLIENT: return "the client's ";
	case HOST_ROUTER: return "the router's ";
	case HOST_SERVER: return "the server's ";
	}
	return "";
}

/* ---- 1. what it reproduces ------------------------------------------- */

static void describe_topology(struct narration *n, const struct run *r)
{
	const struct scenario *sc = r->sc;
	const struct topology *t = &r->topo;
	/* The addresses by the scenario's kind: a run that failed early has
	 * no topology of its own to ask. */
	struct topology k = {.kind = sc->topology.kind};
	int fam = r->family;
	bool v6 = fam == AF_INET6;
	const char *plen = v6 ? "/64" : "/24";
	if (sc->topology.kind == TOPO_NONE || fam == AF_UNSPEC) {
		say(n, 0, 0,
		    "No network is involved: the calls run in sockerr's own process, in no "
		    "namespace of their own, and no packet is sent.");
		return;
	}
	const char *client = topology_client_addr(&k, fam);
	if (sc->topology.kind == TOPO_PAIR) {
		say(n, 0, 0,
		    "The run builds two network namespaces of its own, joined by one veth link: "
		    "the client (eth0, %s%s) and the server (eth0, %s%s). They share one "
		    "subnet, so the client reaches the server directly, with no router and no "
		    "route but the link's own.",
		    client, plen, topology_server_addr(&k, fam), plen);
	} else {
		say(n, 0, 0,
		    "The run builds three network namespaces of its own, in a line: the client "
		    "(eth0, %s%s), the router (to-client %s, to-server %s), which forwards "
		    "between its two links, and the server (eth0, %s%s), on another subnet.",
		    client, plen, topology_router_addr(&k, fam, false),
		    topology_router_addr(&k, fam, true), topology_server_addr(&k, fam), plen);
		if (sc->topology.client_routes == CLIENT_CONNECTED_ONLY)
			say(n, 0, 0,
			    "Routes: the server's default route goes via the router (%s). The "
			    "client has no default route: it knows only its own link's subnet "
			    "(%s), so it has no route to the server.",
			    topology_router_addr(&k, fam, true),
			    v6 ? "2001:db8:1::/64" : "192.0.2.0/24");
		else
			say(n, 0, 0,
			    "Routes: the client's default route goes via the router (%s), the "
			    "server's via the router's other side (%s).",
			    topology_router_addr(&k, fam, false),
			    topology_router_addr(&k, fam, true));
	}
	say(n, 0, 0,
	    "Anything else (a special route, a firewall rule, a socket option) is the "
	    "scenario's own set-up: its steps and notes below say what. The namespaces are "
	    "removed when the run ends; the host's own network is never touched.");
	if (t->ipv6_missing[0])
		say(n, 0, 0, "This topology has no IPv6: %s.", t->ipv6_missing);
}

static void section_reproduces(struct narration *n, const struct run *r, int status)
{
	const struct scenario *sc = r->sc;
	heading(n, "What it reproduces");
	const char *msg = errno_text(sc->errno_name);
	say(n, 0, 0, "%s (%s): %s%s", sc->name,
	    r->family == AF_UNSPEC ? "no network" : family_name(r->family), sc->summary,
	    stop(sc->summary));
	say(n, 0, 0, "The errno: %s%s%s%s, returned by %s().", sc->errno_name, msg ? " (" : "",
	    msg ? msg : "", msg ? ")" : "", sc->syscall);
	if (sc->policy)
		say(n, 0, 0,
		    "This errno is injected by a policy layer (%s): the kernel's own network "
		    "code does not produce it here; the scenario shows what a program sees when "
		    "a policy refuses the call.",
		    sc->policy);
	if (status == RUN_SKIP)
		say(n, 0, 0,
		    "This run was skipped: %s. What follows explains the scenario from its "
		    "description; the run itself recorded little or nothing.",
		    r->reason[0] ? r->reason : "no reason given");
	else if (status != RUN_OK)
		say(n, 0, 0,
		    "This run is broken (its set-up failed, or it died): %s. What follows "
		    "explains the scenario from its description; the run's own record is "
		    "incomplete.",
		    r->reason[0] ? r->reason : "no reason given");
	blank(n);
	describe_topology(n, r);
}

/* ---- 2. the steps ---------------------------------------------------- */

/* The unit of a measurement whose value is a bare number, from its label
 * ("elapsed ms", "calls per second"); "" when the value says it or the
 * label does not. */
static const char *measurement_unit(const struct step *s)
{
	if (strspn(s->value, "0123456789.+-") != strlen(s->value))
		return "";
	size_t len = strlen(s->name);
	if (len > 3 && !strcmp(s->name + len - 3, " ms"))
		return " ms";
	if (strstr(s->name, "per second"))
		return " per second";
	if (strstr(s->name, "calls"))
		return " calls";
	if (strstr(s->name, "bytes") || strstr(s->name, "queued") || strstr(s->name, "holds") ||
	    strstr(s->name, "SO_SNDBUF") || strstr(s->name, "SO_RCVBUF") ||
	    !strcmp(s->name, "sent"))
		return " bytes";
	return "";
}

static void narrate_step(struct narration *n, const struct run *r, const struct step *s,
			 bool *told_errno)
{
	const struct scenario *sc = r->sc;
	char t[32];
	ms_text(s->ms, t, sizeof(t));
	const char *who = host_possessive(s->host);
	char *result = NULL;
	const char *err = NULL;
	int len;
	if (s->value[0]) {
		/* An observation: what was looked at, and what it showed. */
		const char *msg = errno_text(s->value);
		char on[32] = "";
		if (s->host != HOST_NONE)
			snprintf(on, sizeof(on), " on the %s", host_name(s->host));
		const char *unit = s->measured ? measurement_unit(s) : "";
		const char *tail = ".";
		if (s->measured && !n->told_measured) {
			tail = " (a measurement: it varies from run to run, and so never counts as "
			       "a difference).";
			n->told_measured = true;
		}
		len = asprintf(&result, "At %s, %s%s: %s -> %s%s%s%s%s%s", t,
			       s->measured ? "measured" : "observed", on, s->call, s->value, unit,
			       msg ? " (" : "", msg ? msg : "", msg ? ")" : "", tail);
		err = s->value;
	} else if (s->ret < 0 && s->err) {
		len = asprintf(&result, "At %s %s%s failed with %s (%s).", t, who, s->call,
			       errno_name(s->err), strerror(s->err));
		err = errno_name(s->err);
	} else {
		len = asprintf(&result, "At %s %s%s returned %ld.", t, who, s->call, s->ret);
	}
	if (len < 0)
		return;
	bool the_one = err && !*told_errno && sc->errno_name && !strcmp(err, sc->errno_name);
	if (the_one)
		*told_errno = true;
	say(n, 0, 2, "%s%s%s", result, the_one ? " This is the errno the scenario is about." : "",
	    s->racy ? " (A genuine race: the kernel may answer either way; see the notes.)" : "");
	free(result);
}

static void section_steps(struct narration *n, const struct run *r, int status)
{
	heading(n, "The steps");
	if (r->n_steps == 0)
		say(n, 0, 0, "The run recorded no step%s.",
		    status == RUN_OK ? "" : ": it stopped before its first call");
	bool told_errno = false;
	for (int i = 0; i < r->n_steps; i++)
		narrate_step(n, r, &r->steps[i], &told_errno);
	if (r->connection[0]) {
		blank(n);
		say(n, 0, 0, "What became of the pending connection, as measured: %s.",
		    r->connection);
	}
	if (r->n_notes) {
		blank(n);
		say(n, 0, 0, "What the run noted:");
		for (int i = 0; i < r->n_notes; i++)
			say(n, 2, 4, "- %s", r->notes[i]);
	}
	if (r->duration_ms > 0) {
		blank(n);
		char d[32];
		say(n, 0, 0, "The whole run%s took %s.",
		    r->sc->topology.kind == TOPO_NONE ? "" : ", namespaces included,",
		    ms_text(r->duration_ms, d, sizeof(d)));
	}
}

/* ---- 3. what the wire shows ------------------------------------------ */

/* Bulk: a TCP segment that is neither SYN, FIN nor RST (data, or an ACK). */
static bool bulk(const struct packet_event *p)
{
	return p->proto == IPPROTO_TCP && !(p->tcp_flags & (TCPF_SYN | TCPF_FIN | TCPF_RST));
}

/* IPv6 housekeeping a host sends when its links come up (multicast
 * listener reports and queries, router solicitations and advertisements):
 * nothing to do with the scenario. */
static bool housekeeping(const struct packet_event *p)
{
	return p->proto == IPPROTO_ICMPV6 &&
	       ((p->icmp_type >= 130 && p->icmp_type <= 134) || p->icmp_type == 143);
}

static void narrate_packet(struct narration *n, const struct packet_event *p)
{
	char t[32];
	ms_text(p->ms, t, sizeof(t));
	if (p->from == p->to)
		say(n, 0, 4, "At %s on the %s (loopback %s): %s", t, host_name(p->from), p->ifname,
		    p->label);
	else
		say(n, 0, 4, "At %s %s -> %s (%s): %s", t, host_name(p->from), host_name(p->to),
		    p->ifname, p->label);
	if (p->detail[0])
		say(n, 4, 6, "%s", p->detail);
}

/* A long list shows its first SHOW_HEAD items and its last SHOW_TAIL. */
#define SHOW_HEAD 30
#define SHOW_TAIL 10

static void say_left_out(struct narration *n, const struct run *r, int count, const char *what,
			 double from, double to)
{
	char ta[32], tb[32];
	say(n, 0, 4,
	    "... %d more %s from %s to %s, left out here (all of them: sockerr explain %s %s "
	    "--ladder) ...",
	    count, what, ms_text(from, ta, sizeof(ta)), ms_text(to, tb, sizeof(tb)), r->sc->name,
	    r->family == AF_INET6 ? "-6" : "-4");
}

/* Where a long list is in its telling: the middle, between the first
 * SHOW_HEAD items and the last SHOW_TAIL, is left out, and said in one
 * line once its last item has gone by.  An item is one entry or a stretch
 * told as one. */
struct elision {
	const char *what; /* "packets" */
	int items;	  /* in the list */
	int item;	  /* gone by */
	int left_out;	  /* entries left out so far */
	double from, to;  /* the times of the first and the last left out */
};

/* The next item, count entries from first_ms to last_ms: true when it is
 * left out. */
static bool left_out(struct narration *n, const struct run *r, struct elision *e, int count,
		     double first_ms, double last_ms)
{
	if (e->item++ < SHOW_HEAD || e->item > e->items - SHOW_TAIL)
		return false;
	if (!e->left_out)
		e->from = first_ms;
	e->left_out += count;
	e->to = last_ms;
	if (e->item == e->items - SHOW_TAIL)
		say_left_out(n, r, e->left_out, e->what, e->from, e->to);
	return true;
}

/* The end of the item starting at packet i: one packet, or a stretch of
 * six or more data segments and ACKs told as one. */
static int packet_item_end(const struct evidence *ev, int i)
{
	int j = i;
	while (j < ev->n_packets && bulk(&ev->packets[j]))
		j++;
	return j - i >= 6 ? j : i + 1;
}

/* Whether packet i is told: the focused view leaves out what cannot
 * explain a result (link housekeeping, the teardown). */
static bool packet_told(const struct narration *n, const struct run *r, int i)
{
	return n->view == EVIDENCE_ALL || packet_in_focus(r, i);
}

static void narrate_packets(struct narration *n, const struct run *r)
{
	const struct evidence *ev = evidence_of(r);
	int chores = 0, untold = 0;
	for (int i = 0; i < ev->n_packets; i++) {
		chores += housekeeping(&ev->packets[i]);
		untold += !packet_told(n, r, i);
	}
	if (chores == ev->n_packets) {
		say(n, 0, 0,
		    "No packet of the scenario crossed the run's links, only %d of IPv6 "
		    "housekeeping the hosts send as their links come up (multicast listener "
		    "reports, router solicitations).",
		    chores);
		return;
	}
	say(n, 0, 0,
	    "%d packet%s crossed the run's links (each seen once, as its sender sent it)%s",
	    ev->n_packets, ev->n_packets == 1 ? "" : "s", untold ? ";" : ":");
	if (untold)
		say(n, 0, 0,
		    "%d of them cannot explain the result and %s left out: link housekeeping "
		    "(answered ARP and neighbour discovery, multicast listener reports, router "
		    "solicitations) and the teardown after the last step (--evidence all "
		    "tells every packet):",
		    untold, untold == 1 ? "is" : "are");
	blank(n);
	struct elision e = {.what = "packets"};
	for (int i = 0; i < ev->n_packets; i = packet_item_end(ev, i))
		e.items += packet_told(n, r, i);
	for (int i = 0, j; i < ev->n_packets; i = j) {
		j = packet_item_end(ev, i);
		if (!packet_told(n, r, i) ||
		    left_out(n, r, &e, j - i, ev->packets[i].ms, ev->packets[j - 1].ms))
			continue;
		if (j - i == 1) {
			narrate_packet(n, &ev->packets[i]);
			continue;
		}
		/* a stretch of data and ACKs: its ends, and a count */
		long bytes = 0;
		for (int k = i; k < j; k++)
			bytes += ev->packets[k].payload;
		narrate_packet(n, &ev->packets[i]);
		narrate_packet(n, &ev->packets[i + 1]);
		char ta[32], tb[32];
		say(n, 0, 4,
		    "... %d more data segments and ACKs from %s to %s (the %d of this stretch "
		    "carry %ld bytes of payload) ...",
		    j - i - 3, ms_text(ev->packets[i + 2].ms, ta, sizeof(ta)),
		    ms_text(ev->packets[j - 2].ms, tb, sizeof(tb)), j - i, bytes);
		narrate_packet(n, &ev->packets[j - 1]);
	}
	if (ev->packets_dropped > 0)
		say(n, 0, 0, "%d more packet%s not kept (beyond %d, or lost by the capture).",
		    ev->packets_dropped, ev->packets_dropped == 1 ? " was" : "s were",
		    EVIDENCE_MAX_PACKETS);
}

/* What a tracepoint means, in one line. */
static const char *event_meaning(const struct kernel_event *e, char *buf, size_t len)
{
	static const struct {
		const char *name, *meaning;
	} events[] = {
		{"tcp_send_reset", "the kernel answered with a reset, an RST segment"},
		{"tcp_receive_reset", "a reset arrived for this socket; tcp_reset() sets sk_err"},
		{"inet_sk_error_report",
		 "the error was reported to the socket: the next call returns it"},
		{"inet_sock_set_state", "the socket moved to another TCP state"},
		{"tcp_retransmit_skb", "a segment was sent again: no acknowledgement came in time"},
		{"tcp_retransmit_synack", "the listener sent its SYN-ACK again"},
		{"tcp_destroy_sock", "the socket was destroyed"},
		{"sock_exceed_buf_limit", "the socket reached its memory limit"},
		{"icmp_send", "the kernel sent an ICMP error"},
	};
	static const struct {
		const char *reason, *meaning;
	} reasons[] = {
		{"NO_SOCKET", "no socket wants it (nobody listens on that port)"},
		{"NETFILTER_DROP", "a netfilter (nftables) rule said so"},
		{"IP_INNOROUTES", "no route for it"},
		{"IP_OUTNOROUTES", "no route to send it by"},
		{"IP_NOPROTO", "no handler for its protocol"},
		{"NEIGH_FAILED", "the neighbour's link address could not be resolved"},
		{"NEIGH_QUEUEFULL", "too many packets wait for the neighbour"},
		{"SOCKET_RCVBUFF", "the socket's receive buffer is full"},
		{"PROTO_MEM", "TCP's memory limit was reached"},
		{"TCP_INVALID_SEQUENCE", "the segment is outside the receive window"},
		{"TCP_RESET", "it was a reset, processed"},
		{"TCP_CLOSE", "the socket is closed"},
		{"TCP_FLAGS", "its TCP flags make no sense in this state"},
		{"TCP_OLD_DATA", "its data was already received"},
		{"TCP_ZEROWINDOW", "the receive window is zero"},
		{"TCP_LISTEN_OVERFLOW", "the listener's accept queue is full"},
		{"OTHERHOST", "it is addressed to another host"},
		{"IP_RPFILTER", "reverse-path filtering refused it"},
		{"QDISC_DROP", "the queueing discipline refused it"},
		{"NOT_SPECIFIED", "no reason given"},
	};
	if (!strcmp(e->name, "inet_sock_set_state")) {
		const char *o = strstr(e->detail, "oldstate="), *w = strstr(e->detail, "newstate=");
		if (o && w) {
			o += strlen("oldstate=");
			w += strlen("newstate=");
			if (!strncmp(o, "TCP_", 4))
				o += 4;
			if (!strncmp(w, "TCP_", 4))
				w += 4;
			snprintf(buf, len, "the socket went from %.*s to %.*s",
				 (int)strcspn(o, " ,"), o, (int)strcspn(w, " ,"), w);
			return buf;
		}
	}
	if (!strcmp(e->name, "inet_sk_error_report") && strstr(e->detail, "error=0"))
		return "a wake-up with no error: whoever waits on the socket looks again";
	if (!strcmp(e->name, "kfree_skb")) {
		const char *rs = strstr(e->detail, "reason=");
		if (!rs)
			return "a packet was dropped";
		rs += strlen("reason=");
		size_t rl = strcspn(rs, " ,");
		for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
			if (strlen(reasons[i].reason) == rl &&
			    !strncmp(rs, reasons[i].reason, rl)) {
				snprintf(buf, len, "a packet was dropped: %s", reasons[i].meaning);
				return buf;
			}
		snprintf(buf, len, "a packet was dropped, reason %.*s", (int)rl, rs);
		return buf;
	}
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (!strcmp(e->name, events[i].name))
			return events[i].meaning;
	return NULL;
}

static void narrate_event(struct narration *n, const struct kernel_event *e)
{
	char t[32], buf[96];
	ms_text(e->ms, t, sizeof(t));
	const char *meaning = event_meaning(e, buf, sizeof(buf));
	if (e->host == HOST_NONE)
		say(n, 0, 4, "At %s %s: %s", t, e->name, e->detail);
	else
		say(n, 0, 4, "At %s on the %s %s: %s", t, host_name(e->host), e->name, e->detail);
	if (meaning)
		say(n, 4, 6, "%c%s%s", toupper((unsigned char)meaning[0]), meaning + 1,
		    stop(meaning));
}

/* The end of the item starting at event i: one event, or five or more of
 * the same on the same host told as one. */
static int event_item_end(const struct evidence *ev, int i)
{
	int j = i + 1;
	while (j < ev->n_events && ev->events[j].host == ev->events[i].host &&
	       !strcmp(ev->events[j].name, ev->events[i].name))
		j++;
	return j - i >= 5 ? j : i + 1;
}

static bool event_told(const struct narration *n, const struct run *r, int i)
{
	return n->view == EVIDENCE_ALL || event_in_focus(r, i);
}

static void narrate_events(struct narration *n, const struct run *r)
{
	const struct evidence *ev = evidence_of(r);
	if (!ev->traced) {
		say(n, 0, 0, "No kernel events: %s.",
		    ev->trace_note[0] ? ev->trace_note
				      : "tracepoints were not recorded for this run");
		return;
	}
	if (ev->n_events == 0) {
		say(n, 0, 0,
		    "No tracepoint fired for the run's addresses and ports (the errno was decided "
		    "without a reset, an error report or a drop being traced).");
		return;
	}
	int untold = 0;
	for (int i = 0; i < ev->n_events; i++)
		untold += !event_told(n, r, i);
	say(n, 0, 0, "The kernel's tracepoints, filtered to the run's addresses and ports%s",
	    untold ? ";" : ":");
	if (untold)
		say(n, 0, 0,
		    "%d of them cannot explain the result and %s left out: the teardown after "
		    "the last step, and an error report to a socket its own close() discards "
		    "(--evidence all tells every event):",
		    untold, untold == 1 ? "is" : "are");
	blank(n);
	struct elision e = {.what = "kernel events"};
	for (int i = 0; i < ev->n_events; i = event_item_end(ev, i))
		e.items += event_told(n, r, i);
	for (int i = 0, j; i < ev->n_events; i = j) {
		j = event_item_end(ev, i);
		if (!event_told(n, r, i) ||
		    left_out(n, r, &e, j - i, ev->events[i].ms, ev->events[j - 1].ms))
			continue;
		narrate_event(n, &ev->events[i]);
		if (j - i == 1)
			continue;
		char ta[32];
		say(n, 0, 4, "... %d more %s events until %s ...", j - i - 2, ev->events[i].name,
		    ms_text(ev->events[j - 2].ms, ta, sizeof(ta)));
		narrate_event(n, &ev->events[j - 1]);
	}
	if (ev->events_dropped > 0)
		say(n, 0, 0, "%d more event%s not kept.", ev->events_dropped,
		    ev->events_dropped == 1 ? " was" : "s were");
}

static void section_wire(struct narration *n, const struct run *r)
{
	const struct evidence *ev = evidence_of(r);
	heading(n, "What the wire shows");
	if (r->sc->topology.kind == TOPO_NONE)
		say(n, 0, 0, "Nothing: no network is involved, so no packet is sent.");
	else if (!ev->captured)
		say(n, 0, 0, "No capture: %s.",
		    ev->capture_note[0] ? ev->capture_note
					: "packets were not captured for this run");
	else if (ev->n_packets == 0)
		say(n, 0, 0,
		    "No packet crossed the run's links: the call failed before anything "
		    "was sent.");
	else
		narrate_packets(n, r);
	if (ev->captured) {
		blank(n);
		if (ev->pcap_path[0])
			say(n, 0, 0, "The capture was written to %s (tcpdump -r, or Wireshark).",
			    ev->pcap_path);
		else
			say(n, 0, 0,
			    "To keep this run's packets: sockerr explain %s %s --pcap DIR writes "
			    "its "
			    "pcap; --svg DIR and --ladder draw it as a sequence diagram.",
			    r->sc->name, r->family == AF_INET6 ? "-6" : "-4");
	}
	if (ev->capture_note[0] && ev->captured)
		say(n, 0, 0, "Capture: %s.", ev->capture_note);
	blank(n);
	narrate_events(n, r);
}

/* ---- 4. where the kernel decides ------------------------------------- */

#define MAX_FUNCTIONS 48

/* The functions a kernel_path names: each lower-case identifier directly
 * followed by "(", not a member ("->x(", ".x("), once each, in order. The
 * same rule as scripts/kernel-sources and tests/explain.bats. */
static int kernel_functions(const char *path, char names[][64], int max)
{
	int n = 0;
	for (const char *p = path; *p;) {
		bool word = isalnum((unsigned char)*p) || *p == '_';
		if (!word) {
			p++;
			continue;
		}
		const char *start = p;
		bool lower = !isdigit((unsigned char)*p);
		while (isalnum((unsigned char)*p) || *p == '_') {
			if (isupper((unsigned char)*p))
				lower = false;
			p++;
		}
		bool member = start > path && (start[-1] == '>' || start[-1] == '.');
		size_t len = (size_t)(p - start);
		if (!lower || member || *p != '(' || len >= 64)
			continue;
		bool seen = false;
		for (int i = 0; i < n && !seen; i++)
			seen = strlen(names[i]) == len && !strncmp(names[i], start, len);
		if (seen || n == max)
			continue;
		memcpy(names[n], start, len);
		names[n++][len] = '\0';
	}
	return n;
}

static void section_kernel(struct narration *n, const struct run *r)
{
	const struct scenario *sc = r->sc;
	heading(n, "Where the kernel decides");
	say(n, 0, 0, "%s", sc->kernel_path ? sc->kernel_path : "(the scenario names no path)");
	char names[MAX_FUNCTIONS][64];
	int k = sc->kernel_path ? kernel_functions(sc->kernel_path, names, MAX_FUNCTIONS) : 0;
	if (k == 0)
		return;
	blank(n);
	say(n, 0, 0, "In the source of %s:", kernel_sources_tree);
	int pad = 0;
	for (int i = 0; i < k; i++) {
		int w = (int)strlen(names[i]) + 2;
		if (w > pad)
			pad = w;
	}
	if (pad > 34)
		pad = 34;
	bool missing = false;
	for (int i = 0; i < k; i++) {
		const struct kernel_source *ks = kernel_source_find(names[i]);
		char fn[72];
		snprintf(fn, sizeof(fn), "%.63s()", names[i]);
		if (ks && ks->file)
			say(n, 2, pad + 4, "%-*s  %s:%d", pad, fn, ks->file, ks->line);
		else if (ks)
			say(n, 2, pad + 4, "%-*s  not in Linux 6.1 (a newer kernel's function)",
			    pad, fn);
		else {
			say(n, 2, pad + 4, "%-*s  not in sockerr's table", pad, fn);
			missing = true;
		}
	}
	say(n, 0, 0,
	    "Line numbers are those of that tree; newer kernels move functions and sometimes "
	    "rename them.");
	if (missing)
		say(n, 0, 0,
		    "(Regenerate the table: scripts/kernel-sources > "
		    "reproducers/kernel_sources.c)");
}

/* ---- 5. POSIX, 6. handling ------------------------------------------- */

static void section_posix(struct narration *n, const struct run *r)
{
	const struct scenario *sc = r->sc;
	heading(n, "What POSIX and the man page say");
	if (sc->posix_expects)
		say(n, 0, 0,
		    "What POSIX or the %s(2) man page expects: %s%s Linux differs: the steps "
		    "above show what it does instead, and a portable program has to handle "
		    "both.",
		    sc->syscall, sc->posix_expects, stop(sc->posix_expects));
	else
		say(n, 0, 0,
		    "Linux agrees with POSIX and the %s(2) man page here: %s() fails with %s in "
		    "this situation, as documented.",
		    sc->syscall, sc->syscall, sc->errno_name);
}

/* For scenarios that give no advice of their own: sockerr's general
 * advice for their errno. */
static const char *general_handling(const char *err)
{
	static const struct {
		const char *err, *handling;
	} advice[] = {
		{"ECONNREFUSED", "back off and free resources: nobody listens at that address "
				 "and port (or a firewall says so); close the socket, then try "
				 "another address or retry later with backoff"},
		{"ECONNRESET", "back off and free resources: the peer aborted the connection; "
			       "close the socket, reconnect if the protocol allows it, and do not "
			       "assume the last data sent arrived"},
		{"EPIPE", "back off and free resources: the connection cannot send any more; "
			  "close the socket (and use MSG_NOSIGNAL or ignore SIGPIPE so that this "
			  "is an errno and not a killed process)"},
		{"ETIMEDOUT", "back off and free resources: the peer or the path stopped "
			      "answering; close the socket and retry later with backoff"},
		{"EHOSTUNREACH", "back off and free resources: no path to the host now; close the "
				 "socket, try another address, retry later with backoff"},
		{"ENETUNREACH", "back off and free resources: no route to that network; close the "
				"socket, try another address (the other family), retry later"},
		{"EACCES", "fatal for this destination: a local policy (a prohibit route, a "
			   "firewall, an LSM) forbids it; report it, retrying will not help"},
		{"EPERM", "fatal for this destination: a local policy forbids it; report it, "
			  "retrying will not help"},
		{"EINVAL", "fatal: a bug in the caller, usually (bad arguments or socket state); "
			   "on connect() a blackhole route also gives EINVAL"},
	};
	for (size_t i = 0; err && i < sizeof(advice) / sizeof(advice[0]); i++)
		if (!strcmp(err, advice[i].err))
			return advice[i].handling;
	return NULL;
}

/* What goes wrong when a program does not handle an errno of a class as
 * the class says: the handling classes of harness.h (struct scenario). */
static const char *class_consequence(const char *handling)
{
	static const struct {
		const char *class, *consequence;
	} wrong[] = {
		{"retry at once", "Treating it as fatal stops a server over one client's "
				  "mistake or one signal; nothing is wrong with the socket"},
		{"retry when ready", "Calling again at once, without waiting for readiness, is "
				     "a busy loop that burns a CPU; treating it as fatal drops a "
				     "working socket"},
		{"back off and free resources",
		 "Retrying at once gets the same answer and keeps a CPU busy for nothing (an "
		 "accept loop out of descriptors spins: accept-loop-fd-exhaustion measures its "
		 "calls per second); holding on to what failed makes the shortage last"},
		{"fatal: a bug in the caller", "Retrying repeats the bug forever: log it with the "
					       "call's arguments and fix the code"},
		{"fatal: the connection is gone",
		 "Keeping the socket leaks a descriptor per lost peer; writing on regardless "
		 "raises SIGPIPE, which kills a process that has not ignored it or passed "
		 "MSG_NOSIGNAL"},
	};
	for (size_t i = 0; handling && i < sizeof(wrong) / sizeof(wrong[0]); i++)
		if (!strncmp(handling, wrong[i].class, strlen(wrong[i].class)))
			return wrong[i].consequence;
	return NULL;
}

/* The reference handler of examples/ for the scenario's system call: code
 * that builds with cc alone and handles every errno of its call. */
static const char *reference_handler(const char *syscall)
{
	if (!syscall)
		return NULL;
	if (!strncmp(syscall, "accept", 6))
		return "examples/accept_loop.c (run it: examples/accept_server.c)";
	if (!strcmp(syscall, "connect"))
		return "examples/connect_loop.c (run it: examples/connect_client.c)";
	if (!strcmp(syscall, "recv") || !strcmp(syscall, "send"))
		return "examples/io_loop.c (run it: examples/io_peer.c)";
	return NULL;
}

static void section_handling(struct narration *n, const struct run *r)
{
	const struct scenario *sc = r->sc;
	heading(n, "How to handle it");
	if (sc->handling) {
		say(n, 0, 0, "%c%s%s", initial(sc->handling), sc->handling + 1, stop(sc->handling));
		const char *consequence = class_consequence(sc->handling);
		if (consequence)
			say(n, 0, 0, "If you do not: %c%s.", tolower((unsigned char)consequence[0]),
			    consequence + 1);
		const char *code = reference_handler(sc->syscall);
		if (code)
			say(n, 0, 0, "Reference code that handles every errno of %s(): %s.",
			    sc->syscall, code);
		return;
	}
	const char *general = general_handling(sc->errno_name);
	if (general)
		say(n, 0, 0,
		    "The scenario gives no advice of its own; sockerr's general advice for %s: "
		    "%c%s.",
		    sc->errno_name, initial(general), general + 1);
	else
		say(n, 0, 0, "The scenario gives no advice of its own for %s.", sc->errno_name);
}

static void narrate(struct narration *n, const struct run *r, int status)
{
	const struct scenario *sc = r->sc;
	FILE *out = n->out;
	if (n->colour)
		fputs("\033[1m", out);
	fprintf(out, "sockerr explain %.40s (%s)", sc->name,
		r->family == AF_UNSPEC ? "no network" : family_name(r->family));
	fputs(n->colour ? "\033[0m\n" : "\n", out);
	say(n, 0, 0, "Run on Linux %s; the kernel source cited is %s.", kernel_release(),
	    kernel_sources_tree);
	section_reproduces(n, r, status);
	section_steps(n, r, status);
	section_wire(n, r);
	section_kernel(n, r);
	section_posix(n, r);
	section_handling(n, r);
	fflush(out);
	if (n->own_in)
		fclose(n->in);
}

void render_explain(FILE *out, const struct run *r, int status, bool step_mode, bool colour,
		    enum evidence_view view)
{
	struct narration n = {.out = out, .colour = colour, .step_mode = step_mode, .view = view};
	narrate(&n, r, status);
}

void render_explain_paragraphs(FILE *out, const struct run *r, int status, enum evidence_view view)
{
	struct narration n = {.out = out, .unwrapped = true, .view = view};
	narrate(&n, r, status);
}
