/*
 * The ladder: a run as a sequence diagram.  One column (lifeline) per host
 * of the topology, time flowing down, the rows merged in time order: the
 * packets the capture saw (arrows from the sender's lifeline to the
 * receiver's), the calls the scenario recorded and the kernel events the
 * trace saw ("~" rows).
 *
 * A call is an interval: it is drawn where it was entered, at the lifeline
 * of the host whose socket it was made on, and when packets or events came
 * before it returned, the lifeline stays marked ("#" in text, a bracket in
 * SVG) down to a row with its result, so a close() comes before the RST it
 * causes.  A call of no host ("--": a file, a process, a time) has a lane
 * of its own at the right, apart from the hosts.  The fixtures' set-up
 * calls (listen, connect, accept: r->setup_calls) are drawn the same way,
 * lighter ("o" in text, grey in SVG), before the handshake they start.
 *
 * The focused view (the default) leaves out what cannot explain a call's
 * result, and says how much: ARP and neighbour discovery that were
 * answered, MLD reports and router solicitations (link housekeeping),
 * everything after the last step returned (the teardown), and an error
 * report to a socket that its own close() is discarding.  EVIDENCE_ALL
 * draws everything.
 *
 * The text form is for a terminal or a projector: plain ASCII, every line
 * within the width asked for (a row that does not fit is shortened, never
 * wrapped, so an arrow is never cut in two), ANSI colour only when asked.
 * The SVG form is the same diagram as a standalone file for the report,
 * with each row's whole text as a tooltip and every label whole.
 */
#include "evidence/evidence.h"

#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include "record/harness.h"
#include "lib/packets.h"

/* ---- the rows, shared by both renderers -------------------------------- */

enum item_kind {
	IT_PACKET,	    /* one packet: packets[idx] */
	IT_FOLD,	    /* count packets alike from packets[idx] on */
	IT_EVENT,	    /* events[idx] */
	IT_STEP,	    /* a call entered (whole: and returned): steps[idx] */
	IT_RETURN,	    /* the return of a call entered rows before */
	IT_PACKETS_DROPPED, /* "... N packets not shown ..." */
	IT_EVENTS_DROPPED,
};

/* Columns: the hosts, then, when a call has none, the lane "--". */
#define MAX_COLS 4

struct item {
	enum item_kind kind;
	int idx;
	double ms, ms_last; /* ms_last: the last packet of a fold */
	int col;	    /* step, event: the column; -1 spans the diagram */
	int from, to;	    /* packet, fold: the columns; -1 when not a column */
	int count;	    /* fold: how many packets; dropped: how many */
	long bytes;	    /* fold: payload bytes in all */
	char label[48];	    /* fold: "PSH|ACK x 57 (82416B)" */
	bool setup;	    /* step, return: r->setup_calls[idx], not r->steps */
	bool whole;	    /* step: nothing came between entry and return */
	unsigned busy;	    /* the columns with a call in progress (bits) */
};

struct diagram {
	const struct run *r;
	enum evidence_view view;
	int n_cols, n_hosts; /* n_hosts: the host columns, first */
	int none_col;	     /* the lane of calls of no host, -1 when none */
	int host_of_col[MAX_COLS];
	int col_of_host[3]; /* enum host -> column, -1 when not one */
	const char *col_name[MAX_COLS];
	int n_items;
	struct item *items;
	bool intervals, setup; /* a call drawn as an interval; a set-up call */
	/* Left out of the focused view, by reason. */
	int house_packets, late_packets, late_events, discarded_reports;
	/* An event's row suffix: "traced after its RST left" (by event). */
	bool *after_send;
};

/* Runs of this many packets alike (a bulk transfer and its ACKs) become
 * one row per direction and kind.  A pause longer than FOLD_GAP_MS ends a
 * run: a timer (a zero-window probe, a retransmission) is worth its row. */
#define FOLD_MIN    16
#define FOLD_GAP_MS 20.0

/* The column of a host's packets and events, -1 when not one. */
static int col_of(const struct diagram *d, int host)
{
	if (d->n_hosts == 1)
		return 0; /* a process without a network: everything is its own */
	if (host < HOST_CLIENT || host > HOST_SERVER)
		return -1;
	return d->col_of_host[host];
}

/* The column of a call: its host's, or the lane "--". */
static int call_col(const struct diagram *d, const struct step *s)
{
	int c = col_of(d, s->host);
	return c >= 0 ? c : d->none_col >= 0 ? d->none_col : 0;
}

static const struct step *item_step(const struct diagram *d, const struct item *it)
{
	return it->setup ? &d->r->setup_calls[it->idx] : &d->r->steps[it->idx];
}

/* Text beside column c goes to the right of its lifeline, but to the left
 * of the last host's and of the lane "--" (the right edge). */
static bool text_right(const struct diagram *d, int c)
{
	return !(d->n_cols > 1 && c >= d->n_hosts - 1);
}

static bool is_tcp_bulk(const struct packet_event *p)
{
	return p->proto == IPPROTO_TCP && !(p->tcp_flags & ~(TCPF_ACK | TCPF_PSH));
}

static bool is_icmp_error(const struct packet_event *p)
{
	if (p->proto == IPPROTO_ICMP)
		return p->icmp_type == 3 || p->icmp_type == 4 || p->icmp_type == 5 ||
		       p->icmp_type == 11 || p->icmp_type == 12;
	if (p->proto == IPPROTO_ICMPV6)
		return p->icmp_type < 128;
	return false;
}

/* Red in the diagram: what ends a connection or reports an error. */
static bool is_alarm(const struct packet_event *p)
{
	return (p->proto == IPPROTO_TCP && (p->tcp_flags & TCPF_RST)) || is_icmp_error(p);
}

static bool is_mld(const struct packet_event *p)
{
	return p->proto == IPPROTO_ICMPV6 && (p->icmp_type == 130 || p->icmp_type == 131 ||
					      p->icmp_type == 132 || p->icmp_type == 143);
}

/* Dim in the diagram: neighbour resolution and multicast listener reports,
 * which every link carries whatever the scenario does. */
static bool is_housekeeping(const struct packet_event *p)
{
	if (p->proto == IPPROTO_ICMPV6)
		return (p->icmp_type >= 130 && p->icmp_type <= 136) || p->icmp_type == 143;
	return p->family != AF_INET && p->family != AF_INET6 && !strncmp(p->label, "ARP", 3);
}

static int item_order(enum item_kind k)
{
	/* At the same time: a call that returned, one entered, the packet,
	 * then what the kernel did with it. */
	switch (k) {
	case IT_RETURN: return 0;
	case IT_STEP: return 1;
	case IT_PACKET:
	case IT_FOLD: return 2;
	case IT_EVENT: return 3;
	default: return 4;
	}
}

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	if (item_order(x->kind) != item_order(y->kind))
		return item_order(x->kind) - item_order(y->kind);
	if (x->setup != y->setup)
		return x->setup ? -1 : 1;
	return x->idx - y->idx;
}

static bool same_fold_key(const struct packet_event *a, const struct packet_event *b)
{
	return a->from == b->from && a->to == b->to && a->tcp_flags == b->tcp_flags &&
	       (a->payload > 0) == (b->payload > 0);
}

static bool same_packet(const struct packet_event *a, const struct packet_event *b)
{
	return a->from == b->from && a->to == b->to && !strcmp(a->label, b->label);
}

/* The flags word of a label: "PSH|ACK 5B" -> "PSH|ACK". */
static int first_word_len(const char *s)
{
	return (int)strcspn(s, " ");
}

/* Replace the run raw[lo..hi) of packets by fold rows, one per kind in the
 * order each kind first appears.  Returns the rows written to out. */
static int fold_run(const struct diagram *d, const struct item *raw, int lo, int hi, bool bulk,
		    struct item *out)
{
	const struct packet_event *pk = evidence_of(d->r)->packets;
	int n = 0;
	bool *done = calloc((size_t)(hi - lo), sizeof(bool));
	if (!done)
		return 0;
	for (int i = lo; i < hi; i++) {
		if (done[i - lo])
			continue;
		const struct packet_event *p = &pk[raw[i].idx];
		struct item *f = &out[n++];
		*f = raw[i];
		f->kind = IT_FOLD;
		f->count = 0;
		f->bytes = 0;
		for (int j = i; j < hi; j++) {
			const struct packet_event *q = &pk[raw[j].idx];
			if (done[j - lo] || !(bulk ? same_fold_key(p, q) : same_packet(p, q)))
				continue;
			done[j - lo] = true;
			f->count++;
			f->bytes += q->payload;
			f->ms_last = raw[j].ms;
		}
		if (f->count == 1)
			f->kind = IT_PACKET;
		else if (f->bytes > 0)
			snprintf(f->label, sizeof(f->label), "%.*s x %d (%ldB)",
				 first_word_len(p->label), p->label, f->count, f->bytes);
		else
			snprintf(f->label, sizeof(f->label), "%.*s x %d",
				 bulk ? first_word_len(p->label) : (int)strlen(p->label), p->label,
				 f->count);
	}
	free(done);
	return n;
}

/* Insert a row after the last row of the given kinds (at the end if none). */
static void insert_after_last(struct diagram *d, struct item it, enum item_kind a, enum item_kind b)
{
	int at = d->n_items;
	for (int i = d->n_items - 1; i >= 0; i--)
		if (d->items[i].kind == a || d->items[i].kind == b) {
			at = i + 1;
			break;
		}
	memmove(&d->items[at + 1], &d->items[at], (size_t)(d->n_items - at) * sizeof(it));
	if (at > 0)
		it.ms = d->items[at - 1].ms;
	d->items[at] = it;
	d->n_items++;
}

/* ---- the focused view ---------------------------------------------------- */

static bool is_neighbour_request(const struct packet_event *p)
{
	return !strncmp(p->label, "ARP who-has", 11) ||
	       (p->proto == IPPROTO_ICMPV6 && p->icmp_type == 135);
}

static bool is_neighbour_reply(const struct packet_event *p)
{
	return !strncmp(p->label, "ARP reply", 9) ||
	       (p->proto == IPPROTO_ICMPV6 && p->icmp_type == 136);
}

/* Did a neighbour request go unanswered?  Then resolution is part of the
 * story (an unreachable neighbour) and the focused view keeps it. */
static bool neighbour_unanswered(const struct evidence *ev)
{
	for (int i = 0; i < ev->n_packets; i++) {
		const struct packet_event *p = &ev->packets[i];
		if (!is_neighbour_request(p))
			continue;
		bool answered = false;
		for (int j = i + 1; j < ev->n_packets && !answered; j++) {
			const struct packet_event *q = &ev->packets[j];
			answered = is_neighbour_reply(q) && q->from == p->to && q->to == p->from;
		}
		if (!answered)
			return true;
	}
	return false;
}

/* Link housekeeping: what every link carries whatever the scenario does. */
static bool is_link_chore(const struct packet_event *p, bool neighbours_matter)
{
	if (is_mld(p))
		return true;
	if (p->proto == IPPROTO_ICMPV6 && (p->icmp_type == 133 || p->icmp_type == 134))
		return true; /* router solicitation and advertisement */
	if (is_neighbour_request(p) || is_neighbour_reply(p))
		return !neighbours_matter;
	return false;
}

/* When the last step returned: what comes after it (the teardown) cannot
 * explain a result.  -1: no step, nothing is late. */
static double story_end(const struct run *r)
{
	double end = -1;
	for (int i = 0; i < r->n_steps; i++)
		if (r->steps[i].ms > end)
			end = r->steps[i].ms;
	return r->n_steps ? end : INFINITY;
}

/* An error reported to a socket while its own close() runs on that host
 * (tcp_disconnect() after an abortive close): no call can read it, the
 * descriptor is going. */
static bool discarded_report(const struct run *r, const struct kernel_event *e)
{
	if (strcmp(e->name, "inet_sk_error_report") || e->host == HOST_NONE)
		return false;
	for (int i = 0; i < r->n_steps + r->n_setup; i++) {
		const struct step *s =
			i < r->n_steps ? &r->steps[i] : &r->setup_calls[i - r->n_steps];
		if (s->host == e->host && !strncmp(s->call, "close(", 6) &&
		    s->entered_ms <= e->ms && e->ms <= s->ms)
			return true;
	}
	return false;
}

bool packet_in_focus(const struct run *r, int i)
{
	const struct evidence *ev = r->evidence;
	const struct packet_event *p = &ev->packets[i];
	return !is_link_chore(p, neighbour_unanswered(ev)) && p->ms <= story_end(r);
}

bool event_in_focus(const struct run *r, int i)
{
	const struct kernel_event *e = &r->evidence->events[i];
	return e->ms <= story_end(r) && !discarded_report(r, e);
}

/* The two ports of an event's "a:P > b:Q" (0 when it has none). */
static void event_ports(const struct kernel_event *e, unsigned *local, unsigned *remote)
{
	*local = *remote = 0;
	const char *gt = strstr(e->detail, " > ");
	if (!gt)
		return;
	const char *a = gt;
	while (a > e->detail && a[-1] != ':')
		a--;
	if (a > e->detail)
		*local = (unsigned)strtoul(a, NULL, 10);
	const char *b = strchr(gt + 3, ' ');
	const char *end = b ? b : gt + 3 + strlen(gt + 3);
	const char *colon = NULL;
	for (const char *q = gt + 3; q < end; q++)
		if (*q == ':')
			colon = q;
	if (colon)
		*remote = (unsigned)strtoul(colon + 1, NULL, 10);
}

/* tcp_send_reset of an active reset (tcp_send_active_reset()) is traced
 * after tcp_transmit_skb() has sent the RST, and on a veth the peer has
 * often taken it by then: mark such an event, whose RST (same host, same
 * ports) was captured before it, so the order does not mislead. */
static bool traced_after_its_rst(const struct evidence *ev, int k)
{
	const struct kernel_event *e = &ev->events[k];
	if (strcmp(e->name, "tcp_send_reset") || e->host == HOST_NONE)
		return false;
	unsigned lp, rp;
	event_ports(e, &lp, &rp);
	double since = -INFINITY; /* the previous tcp_send_reset of these ports */
	for (int i = 0; i < k; i++) {
		unsigned a, b;
		event_ports(&ev->events[i], &a, &b);
		if (!strcmp(ev->events[i].name, "tcp_send_reset") && a == lp && b == rp)
			since = ev->events[i].ms;
	}
	for (int i = 0; i < ev->n_packets; i++) {
		const struct packet_event *p = &ev->packets[i];
		if (p->proto == IPPROTO_TCP && (p->tcp_flags & TCPF_RST) && p->from == e->host &&
		    p->sport == lp && p->dport == rp && p->ms > since && p->ms <= e->ms)
			return true;
	}
	return false;
}

/* A call as one row (entered and returned with nothing between), or as an
 * entry row and, below the rows that came before it returned, a return. */
static int add_call(const struct diagram *d, struct item *raw, int n, const struct step *s, int idx,
		    bool setup)
{
	int c = call_col(d, s);
	raw[n++] = (struct item){
		.kind = IT_STEP, .idx = idx, .ms = s->entered_ms, .col = c, .setup = setup};
	if (s->ms > s->entered_ms)
		raw[n++] = (struct item){
			.kind = IT_RETURN, .idx = idx, .ms = s->ms, .col = c, .setup = setup};
	return n;
}

static bool is_return_of(const struct item *ret, const struct item *call)
{
	return ret->kind == IT_RETURN && ret->idx == call->idx && ret->setup == call->setup;
}

/* A call whose return row follows its entry row at once is drawn on one
 * row; the others mark their column busy on the rows between. */
static void join_calls(struct diagram *d)
{
	int n = 0;
	unsigned busy = 0;
	for (int i = 0; i < d->n_items; i++) {
		struct item *it = &d->items[i];
		if (it->kind == IT_RETURN && n > 0 && is_return_of(it, &d->items[n - 1]) &&
		    d->items[n - 1].kind == IT_STEP && !d->items[n - 1].whole) {
			d->items[n - 1].whole = true;
			busy &= ~(1u << it->col);
			continue;
		}
		it->busy = busy;
		if (it->kind == IT_STEP) {
			/* whole until a return is found */
			bool has_return = false;
			for (int j = i + 1; j < d->n_items && !has_return; j++)
				has_return = is_return_of(&d->items[j], it);
			it->whole = !has_return;
			if (has_return)
				busy |= 1u << it->col;
		} else if (it->kind == IT_RETURN) {
			busy &= ~(1u << it->col);
			d->intervals = true;
		}
		d->items[n++] = *it;
	}
	/* An entry whose return was joined: not busy on its own row. */
	d->n_items = n;
	for (int i = 0; i < d->n_items; i++)
		if (d->items[i].kind == IT_STEP && d->items[i].whole)
			d->items[i].busy &= ~(1u << d->items[i].col);
}

static int build_diagram(struct diagram *d, const struct run *r, enum evidence_view view)
{
	memset(d, 0, sizeof(*d));
	d->r = r;
	d->view = view;
	d->none_col = -1;
	for (int h = 0; h < 3; h++)
		d->col_of_host[h] = -1;
	switch (r->sc->topology.kind) {
	case TOPO_ROUTED:
		d->n_hosts = 3;
		for (int h = 0; h < 3; h++)
			d->host_of_col[h] = d->col_of_host[h] = h;
		break;
	case TOPO_PAIR:
		d->n_hosts = 2;
		d->host_of_col[0] = HOST_CLIENT;
		d->host_of_col[1] = HOST_SERVER;
		d->col_of_host[HOST_CLIENT] = 0;
		d->col_of_host[HOST_SERVER] = 1;
		break;
	default: d->n_hosts = 1; d->col_name[0] = "process";
	}
	for (int c = 0; c < d->n_hosts && d->n_hosts > 1; c++)
		d->col_name[c] = host_name(d->host_of_col[c]);
	d->n_cols = d->n_hosts;
	if (d->n_hosts > 1) {
		bool none = false;
		for (int i = 0; i < r->n_steps + r->n_setup && !none; i++) {
			const struct step *s =
				i < r->n_steps ? &r->steps[i] : &r->setup_calls[i - r->n_steps];
			none = col_of(d, s->host) < 0;
		}
		if (none) {
			d->none_col = d->n_cols++;
			d->host_of_col[d->none_col] = HOST_NONE;
			d->col_name[d->none_col] = HOST_NONE_NAME;
		}
	}
	d->setup = r->n_setup > 0;

	const struct evidence *ev = evidence_of(r);
	bool all = view == EVIDENCE_ALL;
	int n_packets = ev->captured ? ev->n_packets : 0;
	int n_events = ev->n_events, n_steps = r->n_steps;
	int cap = n_packets + n_events + 2 * (n_steps + r->n_setup) + 2;
	struct item *raw = calloc((size_t)cap, sizeof(*raw));
	d->items = calloc((size_t)cap, sizeof(*raw));
	d->after_send = calloc((size_t)n_events + 1, sizeof(bool));
	if (!raw || !d->items || !d->after_send) {
		free(raw);
		free(d->items);
		free(d->after_send);
		d->items = NULL;
		d->after_send = NULL;
		return -1;
	}
	double end = story_end(r);
	bool neighbours_matter = neighbour_unanswered(ev);
	int n = 0;
	for (int i = 0; i < n_packets; i++) {
		const struct packet_event *p = &ev->packets[i];
		if (!all && is_link_chore(p, neighbours_matter)) {
			d->house_packets++;
			continue;
		}
		if (!all && p->ms > end) {
			d->late_packets++;
			continue;
		}
		raw[n++] = (struct item){.kind = IT_PACKET,
					 .idx = i,
					 .ms = p->ms,
					 .ms_last = p->ms,
					 .from = col_of(d, p->from),
					 .to = col_of(d, p->to),
					 .count = 1};
	}
	for (int i = 0; i < n_events; i++) {
		const struct kernel_event *e = &ev->events[i];
		if (!all && e->ms > end) {
			d->late_events++;
			continue;
		}
		if (!all && discarded_report(r, e)) {
			d->discarded_reports++;
			continue;
		}
		d->after_send[i] = traced_after_its_rst(ev, i);
		raw[n++] = (struct item){
			.kind = IT_EVENT, .idx = i, .ms = e->ms, .col = col_of(d, e->host)};
	}
	for (int i = 0; i < n_steps; i++)
		n = add_call(d, raw, n, &r->steps[i], i, false);
	for (int i = 0; i < r->n_setup; i++)
		n = add_call(d, raw, n, &r->setup_calls[i], i, true);
	qsort(raw, (size_t)n, sizeof(*raw), item_cmp);

	/* Fold long runs of consecutive packets: first a bulk transfer (data
	 * and ACKs both ways), then a long train of identical packets. */
	const struct packet_event *pk = ev->packets;
	for (int i = 0; i < n;) {
		int j = i;
		while (j < n && raw[j].kind == IT_PACKET && is_tcp_bulk(&pk[raw[j].idx]) &&
		       (j == i || raw[j].ms - raw[j - 1].ms <= FOLD_GAP_MS))
			j++;
		if (j - i >= FOLD_MIN) {
			d->n_items += fold_run(d, raw, i, j, true, &d->items[d->n_items]);
			i = j;
			continue;
		}
		j = i;
		while (j < n && raw[j].kind == IT_PACKET && raw[i].kind == IT_PACKET &&
		       same_packet(&pk[raw[i].idx], &pk[raw[j].idx]))
			j++;
		if (j - i >= FOLD_MIN) {
			d->n_items += fold_run(d, raw, i, j, false, &d->items[d->n_items]);
			i = j;
			continue;
		}
		d->items[d->n_items++] = raw[i++];
	}
	free(raw);
	if (ev->captured && ev->packets_dropped > 0)
		insert_after_last(d,
				  (struct item){.kind = IT_PACKETS_DROPPED,
						.idx = -1,
						.col = -1,
						.count = ev->packets_dropped},
				  IT_PACKET, IT_FOLD);
	if (ev->events_dropped > 0)
		insert_after_last(d,
				  (struct item){.kind = IT_EVENTS_DROPPED,
						.idx = -1,
						.col = -1,
						.count = ev->events_dropped},
				  IT_EVENT, IT_EVENT);
	join_calls(d);
	return 0;
}

/* ---- text ------------------------------------------------------------------ */

/* Printable ASCII only: a projector font, a plain terminal, a log file. */
static void ascii_copy(char *dst, size_t size, const char *src)
{
	size_t n = 0;
	for (; src && *src && n + 1 < size; src++) {
		unsigned char c = (unsigned char)*src;
		dst[n++] = (c == '\t' || c == '\n') ? ' ' : (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	if (size)
		dst[n] = '\0';
}

/* Cut s to at most max characters; where it is cut, at a word boundary if
 * one is near, and with "..." when ellipsis. */
static void shorten(char *s, int max, bool ellipsis)
{
	int len = (int)strlen(s);
	if (max < 0)
		max = 0;
	if (len <= max)
		return;
	int keep = ellipsis && max > 6 ? max - 3 : max;
	int cut = keep;
	while (cut > keep * 2 / 3 && s[cut] != ' ')
		cut--;
	if (s[cut] != ' ')
		cut = keep;
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	if (ellipsis && max > 6) {
		memcpy(s + cut, "...", 4);
	} else
		s[cut] = '\0';
}

enum attr { A_NONE, A_RED, A_ERR, A_CYAN, A_DIM, A_BOLD };

static const char *const attr_code[] = {
	[A_RED] = "\033[31m", [A_ERR] = "\033[1;31m", [A_CYAN] = "\033[36m",
	[A_DIM] = "\033[2m",  [A_BOLD] = "\033[1m",
};

#define MAX_WIDTH 512

struct row {
	int width;
	char cell[MAX_WIDTH];
	unsigned char attr[MAX_WIDTH];
};

struct text_layout {
	int width, gutter;
	int x[MAX_COLS]; /* lifeline columns */
	const char *time_fmt;
};

static void put(struct row *w, int x, const char *s, int len, enum attr a)
{
	for (int i = 0; i < len; i++, x++)
		if (x >= 0 && x < w->width) {
			w->cell[x] = s[i];
			w->attr[x] = (unsigned char)a;
		}
}

/* A row: its time, and the lifelines: "|" for a host, ":" for the lane
 * "--", "#" where a call is in progress (busy: a bit per column). */
static void row_init(struct row *w, const struct diagram *d, const struct text_layout *L, double ms,
		     bool timed, unsigned busy)
{
	w->width = L->width;
	memset(w->cell, ' ', sizeof(w->cell));
	memset(w->attr, A_NONE, sizeof(w->attr));
	if (timed) {
		char t[32];
		int n = snprintf(t, sizeof(t), L->time_fmt, ms);
		put(w, L->gutter - 2 - n, t, n, A_NONE);
	}
	for (int c = 0; c < d->n_cols; c++)
		put(w, L->x[c], busy & (1u << c) ? "#" : c == d->none_col ? ":" : "|", 1, A_NONE);
}

static void row_emit(FILE *out, const struct row *w, bool colour)
{
	int end = w->width;
	while (end > 0 && w->cell[end - 1] == ' ')
		end--;
	unsigned char cur = A_NONE;
	for (int i = 0; i < end; i++) {
		unsigned char a = colour ? w->attr[i] : A_NONE;
		if (a != cur) {
			if (cur != A_NONE)
				fputs("\033[0m", out);
			if (a != A_NONE)
				fputs(attr_code[a], out);
			cur = a;
		}
		fputc(w->cell[i], out);
	}
	if (cur != A_NONE)
		fputs("\033[0m", out);
	fputc('\n', out);
}

/* The room for text beside column c, from its lifeline to the next one
 * (natural), or up to the edge of the diagram (overwriting lifelines). */
static int room(const struct diagram *d, const struct text_layout *L, int c, bool right,
		bool natural)
{
	if (right) {
		int end = natural && c + 1 < d->n_cols ? L->x[c + 1] - 2 : L->width - 1;
		return end - (L->x[c] + 2) + 1;
	}
	/* The lane "--" has no room of its own: its text crosses the hosts. */
	int start = natural && c > 0 && c != d->none_col ? L->x[c - 1] + 2 : L->gutter;
	return (L->x[c] - 2) - start + 1;
}

/* Text at column c's lifeline: a marker on the lifeline and the text beside
 * it, to the right (to the left for the last of several columns), overwriting
 * other lifelines when it must, shortened to the edge when even that is not
 * enough.  text[hot..] gets attribute hot_attr (an errno). */
static void place(struct row *w, const struct diagram *d, const struct text_layout *L, int c,
		  char marker, const char *text, int hot, enum attr base, enum attr hot_attr)
{
	bool right = text_right(d, c);
	char buf[MAX_WIDTH];
	ascii_copy(buf, sizeof(buf), text);
	int len = (int)strlen(buf);
	if (len > room(d, L, c, right, false) &&
	    room(d, L, c, !right, false) > room(d, L, c, right, false))
		right = !right;
	int max = room(d, L, c, right, false);
	if (hot > 0 && hot < len && len > max && len - hot <= max - 8) {
		/* Shorten the call, keep its result. */
		char tail[MAX_WIDTH];
		size_t tl = (size_t)(len - hot);
		memcpy(tail, buf + hot, tl + 1);
		buf[hot] = '\0';
		shorten(buf, max - (int)tl - 1, true);
		size_t hl = strlen(buf);
		buf[hl] = ' ';
		memcpy(buf + hl + 1, tail, tl + 1);
		hot = (int)hl + 1;
	}
	shorten(buf, max, true);
	len = (int)strlen(buf);
	int x0 = right ? L->x[c] + 2 : L->x[c] - 1 - len;
	put(w, L->x[c], &marker, 1, base);
	if (!right)
		put(w, L->x[c] - 1, " ", 1, A_NONE);
	/* A space between the text and a lifeline it reaches. */
	put(w, right ? x0 + len : x0 - 1, " ", 1, A_NONE);
	put(w, x0, buf, len, base);
	if (hot >= 0 && hot < len)
		put(w, x0 + hot, buf + hot, len - hot, hot_attr);
}

/* Text across the diagram, between the first and last lifelines, in a band
 * of fill characters: an event on no known host, the rows not shown. */
static void band(struct row *w, const struct diagram *d, const struct text_layout *L, char fill,
		 const char *text, enum attr a)
{
	int lo = d->n_hosts > 1 ? L->x[0] : L->gutter;
	int hi = d->n_hosts > 1 ? L->x[d->n_hosts - 1] : L->width - 1;
	char buf[MAX_WIDTH];
	ascii_copy(buf, sizeof(buf), text);
	shorten(buf, hi - lo + 1 - 6, true);
	int len = (int)strlen(buf);
	for (int x = lo; x <= hi; x++)
		put(w, x, &fill, 1, a);
	int x0 = lo + (hi - lo + 1 - len) / 2;
	put(w, x0 - 1, " ", 1, a);
	put(w, x0, buf, len, a);
	put(w, x0 + len, " ", 1, a);
}

static void arrow(struct row *w, const struct text_layout *L, int from, int to, const char *label,
		  enum attr a)
{
	int lo = from < to ? L->x[from] : L->x[to];
	int hi = from < to ? L->x[to] : L->x[from];
	for (int x = lo + 1; x < hi; x++)
		put(w, x, "-", 1, a);
	put(w, from < to ? hi - 1 : lo + 1, from < to ? ">" : "<", 1, a);
	/* The label keeps the head and a dash before it, a dash at the tail,
	 * and a space either side. */
	int inner = hi - lo - 1;
	char buf[MAX_WIDTH];
	ascii_copy(buf, sizeof(buf), label);
	shorten(buf, inner - 6, false);
	int len = (int)strlen(buf);
	if (len == 0)
		return;
	int x0 = lo + 1 + (inner - len) / 2;
	if (x0 - 1 < lo + 3)
		x0 = lo + 4;
	put(w, x0 - 1, " ", 1, a);
	put(w, x0, buf, len, a);
	put(w, x0 + len, " ", 1, a);
}

/* A packet that does not go between two columns: back to its own host
 * (loopback), or to or from a host that is not one. */
static void self_arrow(struct row *w, const struct diagram *d, const struct text_layout *L, int col,
		       const char *label, bool loopback, enum attr a)
{
	char text[96];
	snprintf(text, sizeof(text), "%s%s", label, loopback ? " (loopback)" : " (?)");
	bool right = text_right(d, col);
	char buf[MAX_WIDTH];
	ascii_copy(buf, sizeof(buf), text);
	shorten(buf, room(d, L, col, right, false) - 2, true);
	int len = (int)strlen(buf);
	if (right) {
		put(w, L->x[col], "+->", 3, a);
		put(w, L->x[col] + 4, buf, len, a);
	} else {
		put(w, L->x[col] - 2, "<-+", 3, a);
		put(w, L->x[col] - 3 - len, buf, len, a);
	}
}

/* Which row of a call: the only one, its entry, or its return. */
enum call_part { CALL_WHOLE, CALL_ENTRY, CALL_RETURN };

/* A call's text: the whole call when it fits, else its label; the result
 * starts at *hot.  Its entry row: the call and "..." (no result, *hot -1);
 * its return row: the call up to its first ")" ("close(8)"), and the
 * result. */
static void step_text(const struct step *s, bool whole, enum call_part part, char *buf, size_t size,
		      int *hot, bool *error)
{
	char name[256], key[sizeof(s->case_key) + sizeof(s->name) + 2];
	step_key(s, key, sizeof(key));
	size_t fn = strcspn(s->call, "(");
	bool has_fn = s->call[fn] == '(' && fn > 0 && fn < 40 && !memchr(s->call, ' ', fn);
	size_t args = has_fn ? strcspn(s->call, ")") : 0;
	if (part == CALL_RETURN && has_fn && s->call[args] == ')')
		snprintf(name, sizeof(name), "%.*s", (int)args + 1, s->call);
	else if (s->value[0])
		snprintf(name, sizeof(name), "%s", whole ? s->call : key);
	else if (whole)
		snprintf(name, sizeof(name), "%s", s->call);
	else if (has_fn && strlen(key) == fn && !strncmp(key, s->call, fn))
		snprintf(name, sizeof(name), "%s()", key);
	else
		snprintf(name, sizeof(name), "%s", key);
	*hot = -1;
	*error = false;
	int n;
	if (part == CALL_ENTRY) {
		snprintf(buf, size, "%s ...", name);
		return;
	}
	if (s->value[0]) {
		n = snprintf(buf, size, "%s ", name);
		/* An errno name as the value (SO_ERROR) stands out like one. */
		const char *v = s->value;
		*error = v[0] == 'E' && v[1] &&
			 strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == strlen(v);
		snprintf(buf + n, size - (size_t)n, "-> %s", v);
	} else if (s->ret < 0 && s->err) {
		n = snprintf(buf, size, "%s ", name);
		snprintf(buf + n, size - (size_t)n, "= %ld %s", s->ret, errno_name(s->err));
		*error = true;
	} else {
		n = snprintf(buf, size, "%s ", name);
		snprintf(buf + n, size - (size_t)n, "= %ld", s->ret);
	}
	if (n >= (int)size)
		n = (int)size - 1;
	*hot = n;
}

/* What follows an event's text: why a tcp_send_reset comes after its RST. */
static const char *event_suffix(const struct diagram *d, const struct item *it, bool brief)
{
	if (!d->after_send || !d->after_send[it->idx])
		return "";
	return brief ? " (after its RST)" : " (traced after its RST left)";
}

/* An event's text: its name and fields, a state change as "TCP_SYN_SENT ->
 * TCP_CLOSE", and without its endpoints ("192.0.2.1:40000 >
 * [2001:db8::2]:9") unless endpoints: in the terminal the columns already
 * say whose socket it is. */
static void event_text_of(const struct kernel_event *e, bool endpoints, char *buf, size_t size)
{
	char detail[sizeof(e->detail)];
	snprintf(detail, sizeof(detail), "%s", e->detail);
	int n = snprintf(buf, size, "%s", e->name);
	for (char *save = NULL, *t = strtok_r(detail, " ", &save); t && n < (int)size;
	     t = strtok_r(NULL, " ", &save)) {
		bool endpoint =
			strchr(t, ':') && strspn(t, "0123456789abcdefABCDEF.:[]") == strlen(t);
		if (!endpoints && (endpoint || !strcmp(t, ">")))
			continue;
		/* A reset's socket state: the state change above it says it. */
		if (!endpoints && !strncmp(t, "state=", 6) && !strcmp(e->name, "tcp_send_reset"))
			continue;
		if (!strncmp(t, "oldstate=", 9))
			t += 9;
		else if (!strncmp(t, "newstate=", 9)) {
			t += 9;
			n += snprintf(buf + n, size - (size_t)n, " ->");
		}
		if (n < (int)size)
			n += snprintf(buf + n, size - (size_t)n, " %s", t);
	}
}

static void render_item(FILE *out, const struct diagram *d, const struct text_layout *L,
			const struct item *it, bool colour)
{
	const struct run *r = d->r;
	struct row w;
	char text[512];
	row_init(&w, d, L, it->ms, it->kind != IT_PACKETS_DROPPED && it->kind != IT_EVENTS_DROPPED,
		 it->busy);
	switch (it->kind) {
	case IT_PACKET:
	case IT_FOLD: {
		const struct packet_event *p = &evidence_of(r)->packets[it->idx];
		const char *label = it->kind == IT_FOLD ? it->label : p->label;
		enum attr a = is_alarm(p) ? A_RED : is_housekeeping(p) ? A_DIM : A_NONE;
		if (it->from >= 0 && it->to >= 0 && it->from != it->to)
			arrow(&w, L, it->from, it->to, label, a);
		else if (it->from >= 0 || it->to >= 0)
			self_arrow(&w, d, L, it->from >= 0 ? it->from : it->to, label,
				   it->from == it->to, a);
		else {
			snprintf(text, sizeof(text), "packet %s", label);
			band(&w, d, L, '.', text, a);
		}
		break;
	}
	case IT_EVENT: {
		const struct kernel_event *e = &evidence_of(r)->events[it->idx];
		event_text_of(e, false, text, sizeof(text) - 40);
		strcat(text, event_suffix(d, it, true));
		if (it->col >= 0)
			place(&w, d, L, it->col, '~', text, -1, A_CYAN, A_CYAN);
		else
			band(&w, d, L, '~', text, A_CYAN);
		break;
	}
	case IT_STEP:
	case IT_RETURN: {
		/* A step "*", a set-up call "o" and dim. */
		const struct step *s = item_step(d, it);
		enum call_part part = it->kind == IT_RETURN ? CALL_RETURN
				      : it->whole	    ? CALL_WHOLE
							    : CALL_ENTRY;
		int hot;
		bool error;
		step_text(s, true, part, text, sizeof(text), &hot, &error);
		if ((int)strlen(text) > room(d, L, it->col, text_right(d, it->col), true))
			step_text(s, false, part, text, sizeof(text), &hot, &error);
		enum attr base = it->setup ? A_DIM : A_NONE;
		place(&w, d, L, it->col, it->setup ? 'o' : '*', text, hot, base,
		      error ? A_ERR : base);
		break;
	}
	case IT_PACKETS_DROPPED:
		snprintf(text, sizeof(text), "... %d packet%s not shown%s ...", it->count,
			 it->count == 1 ? "" : "s",
			 evidence_of(r)->pcap_path[0] ? " (see the pcap)" : "");
		band(&w, d, L, ' ', text, A_DIM);
		break;
	case IT_EVENTS_DROPPED:
		snprintf(text, sizeof(text), "... %d kernel event%s not shown ...", it->count,
			 it->count == 1 ? "" : "s");
		band(&w, d, L, ' ', text, A_DIM);
		break;
	}
	row_emit(out, &w, colour);
}

/* Words of text after prefix, wrapped at width, continuation lines indented
 * by indent; a word longer than a line is cut. */
static void wrap(FILE *out, const char *prefix, const char *text, int width, int indent)
{
	static char buf[4096];
	ascii_copy(buf, sizeof(buf), text);
	const char *s = buf;
	int col = fprintf(out, "%s", prefix);
	bool first = true;
	while (*s == ' ')
		s++;
	while (*s) {
		int wl = (int)strcspn(s, " ");
		if (!first && col + 1 + wl > width) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
			first = true;
		}
		if (!first) {
			fputc(' ', out);
			col++;
		}
		int fit = width - col;
		if (wl > fit && fit > 0) {
			/* A word longer than the line: cut it where the line ends. */
			fwrite(s, 1, (size_t)fit, out);
			s += fit;
			fprintf(out, "\n%*s", indent, "");
			col = indent;
			first = true;
			continue;
		}
		fwrite(s, 1, (size_t)wl, out);
		col += wl;
		s += wl;
		first = false;
		while (*s == ' ')
			s++;
	}
	fputc('\n', out);
}

/* For the runner's own lines after a ladder ("  skipped: <reason>"), so they
 * keep to its width too.  Not declared in evidence.h yet. */
void ladder_line(FILE *out, const char *prefix, const char *text, int width)
{
	wrap(out, prefix, text, width < 40 ? 40 : width, 4);
}

static void layout(const struct diagram *d, struct text_layout *L, int width)
{
	L->width = width < 40 ? 40 : width > MAX_WIDTH ? MAX_WIDTH : width;
	double max = 0;
	for (int i = 0; i < d->n_items; i++)
		if (fabs(d->items[i].ms) > max)
			max = fabs(d->items[i].ms);
	/* "  12.345" (ms since the run started), fewer decimals for long runs */
	L->time_fmt = max < 9999.0 ? "%8.3f" : max < 999999.0 ? "%8.1f" : "%8.0f";
	L->gutter = 10;
	int first = L->gutter + 3, last = L->width - 4;
	/* The lane "--" at the right edge, the hosts' lifelines left of it. */
	if (d->none_col >= 0) {
		L->x[d->none_col] = L->width - 3;
		last = L->width - 12;
	}
	L->x[0] = first;
	if (d->n_hosts == 2)
		L->x[1] = last;
	if (d->n_hosts == 3) {
		L->x[1] = (first + last) / 2;
		L->x[2] = last;
	}
}

/* How much the focused view left out, and why, in a sentence; empty when
 * nothing was. */
static void left_out_text(const struct diagram *d, char *buf, size_t size)
{
	buf[0] = '\0';
	if (!d->house_packets && !d->late_packets && !d->late_events && !d->discarded_reports)
		return;
	size_t n = 0;
	const char *sep = "";
#define ADD(...) (n += (size_t)snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__))
	if (d->house_packets) {
		ADD("%d packet%s of link housekeeping (ARP, neighbour discovery, MLD)",
		    d->house_packets, d->house_packets == 1 ? "" : "s");
		sep = ", ";
	}
	if (d->late_packets || d->late_events) {
		ADD("%s", sep);
		if (d->late_packets)
			ADD("%d packet%s", d->late_packets, d->late_packets == 1 ? "" : "s");
		if (d->late_packets && d->late_events)
			ADD(" and ");
		if (d->late_events)
			ADD("%d kernel event%s", d->late_events, d->late_events == 1 ? "" : "s");
		ADD(" after the last step returned (the teardown)");
		sep = ", ";
	}
	if (d->discarded_reports)
		ADD("%s%d error report%s to a socket its own close() discards", sep,
		    d->discarded_reports, d->discarded_reports == 1 ? "" : "s");
	ADD("; --evidence all shows them");
#undef ADD
}

/* What the marks mean, when the diagram has more than steps and arrows. */
static void legend_text(const struct diagram *d, char *buf, size_t size)
{
	buf[0] = '\0';
	if (!d->intervals && !d->setup && d->none_col < 0)
		return;
	snprintf(buf, size, "* a call%s%s%s", d->setup ? ", o a set-up call of the fixture" : "",
		 d->intervals ? ", # the call still running" : "",
		 d->none_col >= 0 ? ", : the lane of calls of no host (--)" : "");
}

/* The lines after the diagram, as render_text has them. */
static void render_footer(FILE *out, const struct diagram *d, int width)
{
	const struct run *r = d->r;
	const struct scenario *sc = r->sc;
	const struct evidence *ev = evidence_of(r);
	char text[512];
	legend_text(d, text, sizeof(text));
	if (text[0])
		wrap(out, "  legend: ", text, width, 4);
	left_out_text(d, text, sizeof(text));
	if (text[0])
		wrap(out, "  left out: ", text, width, 4);
	if (!ev->captured && ev->capture_note[0])
		wrap(out, "  capture: ", ev->capture_note, width, 4);
	else if (ev->captured && ev->n_packets == 0 && ev->packets_dropped == 0)
		wrap(out, "  capture: ", "no packet crossed the run's links", width, 4);
	if (!ev->traced && ev->trace_note[0])
		wrap(out, "  trace: ", ev->trace_note, width, 4);
	for (int i = 0; i < r->n_notes; i++)
		wrap(out, "  note: ", r->notes[i], width, 4);
	if (r->connection[0])
		wrap(out, "  connection: ", r->connection, width, 4);
	if (sc->handling)
		wrap(out, "  handling: ", sc->handling, width, 4);
	if (sc->posix_expects)
		wrap(out, "  POSIX/man page expects: ", sc->posix_expects, width, 4);
	if (sc->kernel_path)
		wrap(out, "  kernel: ", sc->kernel_path, width, 4);
}

void render_ladder(FILE *out, const struct run *r, int width, bool colour)
{
	render_ladder_view(out, r, width, colour, EVIDENCE_FOCUSED);
}

static void free_diagram(struct diagram *d)
{
	free(d->items);
	free(d->after_send);
	d->items = NULL;
	d->after_send = NULL;
}

void render_ladder_view(FILE *out, const struct run *r, int width, bool colour,
			enum evidence_view view)
{
	const struct scenario *sc = r->sc;
	struct diagram d;
	struct text_layout L;
	char title[512];

	if (build_diagram(&d, r, view) < 0) {
		render_text(out, r, RUN_OK);
		return;
	}
	layout(&d, &L, width);
	snprintf(title, sizeof(title), "%s [%s]  ", sc->name, family_name(r->family));
	wrap(out, title, sc->summary ? sc->summary : "", L.width, 4);
	if (sc->policy) {
		snprintf(title, sizeof(title),
			 "%s (the errno is injected by a policy layer, not the network)",
			 sc->policy);
		wrap(out, "  policy: ", title, L.width, 4);
	}

	/* The heads of the lifelines. */
	struct row w;
	row_init(&w, &d, &L, 0, false, 0);
	memset(w.cell, ' ', sizeof(w.cell));
	put(&w, L.gutter - 4, "ms", 2, A_NONE);
	for (int c = 0; c < d.n_cols; c++) {
		int len = (int)strlen(d.col_name[c]);
		int x0 = L.x[c] - (len - 1) / 2;
		if (x0 + len > L.width)
			x0 = L.width - len;
		put(&w, x0, d.col_name[c], len, A_BOLD);
	}
	row_emit(out, &w, colour);
	row_init(&w, &d, &L, 0, false, 0);
	row_emit(out, &w, colour);

	for (int i = 0; i < d.n_items; i++)
		render_item(out, &d, &L, &d.items[i], colour);

	row_init(&w, &d, &L, 0, false, 0);
	row_emit(out, &w, colour);
	render_footer(out, &d, L.width);
	free_diagram(&d);
}

/* ---- SVG ------------------------------------------------------------------- */

#define SVG_FONT 12
#define SVG_CHAR 7.3 /* advance of a 12px monospace character, a little generous */
#define SVG_ROW	 24
#define SVG_GUT	 78  /* the time gutter */
#define SVG_HEAD 8.5 /* advance of a 14px bold character, for the title */

/* XML text: & < > and quotes escaped, no control character (not allowed in
 * XML 1.0), and ASCII only, so the file is well-formed whatever a note holds. */
static void xml(FILE *out, const char *s, int max)
{
	for (int n = 0; s && *s && (max < 0 || n < max); s++, n++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		case '\t':
		case '\n': fputc(' ', out); break;
		default: fputc(c < 0x20 || c >= 0x7f ? '?' : c, out);
		}
	}
	if (max >= 0 && s && *s)
		fputs("...", out);
}

struct svg_layout {
	double x[MAX_COLS];
	double width, height;
	double top; /* the host boxes, under the title */
	int wrap;   /* characters in a line of the footer */
};

/* Where a text box beside column c goes: right of the lifeline, or left of
 * the last host's when it fits there; right of the lane "--", apart. */
static double svg_box_x(const struct diagram *d, const struct svg_layout *S, int c, double w)
{
	if (d->n_cols > 1 && c == d->n_hosts - 1 && S->x[c] - 10 - w >= SVG_GUT)
		return S->x[c] - 10 - w;
	return S->x[c] + 10;
}

static enum call_part item_part(const struct item *it)
{
	return it->kind == IT_RETURN ? CALL_RETURN : it->whole ? CALL_WHOLE : CALL_ENTRY;
}

/* A call's text, whole: the canvas is as wide as it needs. */
static void svg_step_text(FILE *out, const struct diagram *d, const struct item *it)
{
	char text[512];
	int hot;
	bool error;
	step_text(item_step(d, it), true, item_part(it), text, sizeof(text), &hot, &error);
	int len = (int)strlen(text);
	if (hot < 0 || hot > len)
		hot = len;
	char head[512];
	snprintf(head, sizeof(head), "%.*s", hot, text);
	xml(out, head, -1);
	if (hot < len) {
		fputs(error ? "<tspan class=\"err\">" : "<tspan>", out);
		xml(out, text + hot, -1);
		fputs("</tspan>", out);
	}
}

static int step_len(const struct diagram *d, const struct item *it)
{
	char text[512];
	int hot;
	bool error;
	step_text(item_step(d, it), true, item_part(it), text, sizeof(text), &hot, &error);
	return (int)strlen(text);
}

/* An event's text in the SVG: with its endpoints, state changes as "A ->
 * B", and why it comes late where it does. */
static void svg_event_text(const struct diagram *d, const struct item *it, char *buf, size_t size)
{
	event_text_of(&evidence_of(d->r)->events[it->idx], true, buf, size - 64);
	strcat(buf, event_suffix(d, it, false));
}

/* The width a row's text or arrow label needs, in characters. */
static int item_chars(const struct diagram *d, const struct item *it)
{
	const struct run *r = d->r;
	char text[512];
	switch (it->kind) {
	case IT_STEP:
	case IT_RETURN: return step_len(d, it);
	case IT_EVENT: svg_event_text(d, it, text, sizeof(text)); return (int)strlen(text) + 2;
	case IT_PACKET: return (int)strlen(evidence_of(r)->packets[it->idx].label);
	case IT_FOLD: return (int)strlen(it->label);
	default: return 48;
	}
}

/* prefix and text as lines of at most wrap characters from *y on, each
 * line_h below the last; only measured (*y advanced) unless draw. */
static void svg_wrapped(FILE *out, const char *prefix, const char *text, int wrap, double *y,
			double line_h, bool draw, const char *cls)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s%s", prefix, text ? text : "");
	const char *s = buf;
	while (*s) {
		int len = (int)strlen(s);
		int cut = len;
		int room = s == buf ? wrap : wrap - 4;
		if (len > room) {
			cut = room;
			while (cut > room / 2 && s[cut] != ' ')
				cut--;
			if (s[cut] != ' ')
				cut = room;
		}
		if (draw) {
			fprintf(out, "<text x=\"12\" y=\"%.0f\" class=\"%s\">", *y, cls);
			char line[4096];
			snprintf(line, sizeof(line), "%s%.*s", s == buf ? "" : "    ", cut, s);
			xml(out, line, -1);
			fputs("</text>\n", out);
		}
		*y += line_h;
		s += cut;
		while (*s == ' ')
			s++;
	}
}

static void svg_footer_lines(FILE *out, const struct diagram *d, const struct svg_layout *S,
			     double *y, bool draw)
{
	const struct run *r = d->r;
	const struct scenario *sc = r->sc;
	const struct evidence *ev = evidence_of(r);
	char text[512];
	left_out_text(d, text, sizeof(text));
	if (text[0])
		svg_wrapped(out, "left out: ", text, S->wrap, y, 16, draw, "foot");
	if (!ev->captured && ev->capture_note[0])
		svg_wrapped(out, "capture: ", ev->capture_note, S->wrap, y, 16, draw, "foot");
	else if (ev->captured && ev->n_packets == 0 && ev->packets_dropped == 0)
		svg_wrapped(out, "capture: ", "no packet crossed the run's links", S->wrap, y, 16,
			    draw, "foot");
	if (!ev->traced && ev->trace_note[0])
		svg_wrapped(out, "trace: ", ev->trace_note, S->wrap, y, 16, draw, "foot");
	for (int i = 0; i < r->n_notes; i++)
		svg_wrapped(out, "note: ", r->notes[i], S->wrap, y, 16, draw, "foot");
	if (r->connection[0])
		svg_wrapped(out, "connection: ", r->connection, S->wrap, y, 16, draw, "foot");
	if (sc->handling)
		svg_wrapped(out, "handling: ", sc->handling, S->wrap, y, 16, draw, "foot");
	if (sc->posix_expects)
		svg_wrapped(out, "POSIX/man page expects: ", sc->posix_expects, S->wrap, y, 16,
			    draw, "foot");
	if (sc->kernel_path)
		svg_wrapped(out, "kernel: ", sc->kernel_path, S->wrap, y, 16, draw, "foot");
}

/* The title and the policy line: measured, or drawn. */
static void svg_heading(FILE *out, const struct run *r, const struct svg_layout *S, double *y,
			bool draw)
{
	char title[512];
	snprintf(title, sizeof(title), "%s [%s]: %s", r->sc->name, family_name(r->family),
		 r->sc->summary ? r->sc->summary : "");
	svg_wrapped(out, "", title, (int)((S->width - 24) / SVG_HEAD), y, 19, draw, "head");
	if (r->sc->policy) {
		snprintf(title, sizeof(title),
			 "%s (the errno is injected by a policy layer, not the network)",
			 r->sc->policy);
		svg_wrapped(out, "policy: ", title, S->wrap, y, 16, draw, "foot");
	}
}

static void svg_layout_of(const struct diagram *d, struct svg_layout *S)
{
	/* Columns far enough apart for the longest arrow label, and for a
	 * step's text between two lifelines where possible. */
	int label = 24, text = 0;
	for (int i = 0; i < d->n_items; i++) {
		const struct item *it = &d->items[i];
		int n = item_chars(d, it);
		if (it->kind == IT_PACKET || it->kind == IT_FOLD)
			label = n > label ? n : label;
		else if ((it->kind == IT_STEP || it->kind == IT_RETURN) && it->col != d->none_col)
			text = n > text ? n : text;
	}
	double gap = label * SVG_CHAR + 60;
	double want = (text > 60 ? 60 : text) * SVG_CHAR + 40;
	if (d->n_hosts == 2 && gap < want)
		gap = want;
	if (gap < 220)
		gap = 220;
	for (int c = 0; c < d->n_hosts; c++)
		S->x[c] = SVG_GUT + 60 + c * gap;
	double right = S->x[d->n_hosts - 1] + 60;
	/* The hosts' rows first; the lane "--" goes right of all of them. */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			if (d->none_col < 0)
				break;
			S->x[d->none_col] = right + 40;
			right = S->x[d->none_col] + 60;
		}
		for (int i = 0; i < d->n_items; i++) {
			const struct item *it = &d->items[i];
			bool none = (it->kind == IT_STEP || it->kind == IT_RETURN) &&
				    it->col == d->none_col;
			if (none != (pass == 1))
				continue;
			double w = item_chars(d, it) * SVG_CHAR + 12;
			double end;
			if (it->kind == IT_STEP || it->kind == IT_RETURN ||
			    (it->kind == IT_EVENT && it->col >= 0))
				end = svg_box_x(d, S, it->col, w) + w;
			else if (it->kind == IT_PACKET || it->kind == IT_FOLD)
				end = (it->from >= 0 ? S->x[it->from] : S->x[0]) + 60 +
				      item_chars(d, it) * SVG_CHAR;
			else
				end = S->x[0] + w;
			if (end + 12 > right)
				right = end + 12;
		}
	}
	S->width = right < 640 ? 640 : right;
	S->wrap = (int)((S->width - 24) / SVG_CHAR);
	if (S->wrap < 60)
		S->wrap = 60;
	double y = 24;
	svg_heading(NULL, d->r, S, &y, false);
	S->top = y + 6;
	y = S->top + 30 + (d->n_items + 1) * SVG_ROW + 24;
	svg_footer_lines(NULL, d, S, &y, false);
	S->height = y + 8;
}

static void svg_title(FILE *out, const struct run *r)
{
	xml(out, r->sc->name, -1);
	fprintf(out, " [%s]: ", family_name(r->family));
	xml(out, r->sc->summary, -1);
}

void render_ladder_svg(FILE *out, const struct run *r)
{
	render_ladder_svg_view(out, r, EVIDENCE_FOCUSED);
}

/* The row of the return of the call entered at row i, -1 for none. */
static int return_row(const struct diagram *d, int i)
{
	for (int j = i + 1; j < d->n_items; j++)
		if (is_return_of(&d->items[j], &d->items[i]))
			return j;
	return -1;
}

void render_ladder_svg_view(FILE *out, const struct run *r, enum evidence_view view)
{
	struct diagram d;
	struct svg_layout S;
	if (build_diagram(&d, r, view) < 0)
		return;
	svg_layout_of(&d, &S);

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, "
		"monospace\" font-size=\"%d\">\n",
		S.width, S.height, S.width, S.height, SVG_FONT);
	fputs("<title>", out);
	svg_title(out, r);
	fputs("</title>\n", out);
	fputs("<style>\n"
	      "text { fill: #222; white-space: pre; }\n"
	      ".head { font-size: 14px; font-weight: bold; }\n"
	      ".time { fill: #777; text-anchor: end; }\n"
	      ".host { font-weight: bold; text-anchor: middle; }\n"
	      ".life { stroke: #999; stroke-width: 1.5; stroke-dasharray: 4 3; }\n"
	      ".pkt { stroke: #333; stroke-width: 1.3; fill: none; }\n"
	      ".pkt.alarm { stroke: #c62828; }\n"
	      ".pkt.house { stroke: #9e9e9e; }\n"
	      ".lbl.house { fill: #9e9e9e; }\n"
	      ".pkt.fold { stroke-width: 3; }\n"
	      ".lbl { text-anchor: middle; }\n"
	      ".lbl.alarm, .err { fill: #c62828; font-weight: bold; }\n"
	      ".step { fill: #fffbe6; stroke: #b0a060; }\n"
	      ".call { fill: #fff3c4; stroke: #b0a060; }\n"
	      ".setup { fill: #f5f5f5; stroke: #bdbdbd; }\n"
	      ".call.setup { fill: #eeeeee; }\n"
	      ".setup-text { fill: #888; }\n"
	      ".life.none { stroke: #bbb; stroke-dasharray: 1 4; }\n"
	      ".host.none { fill: #888; font-weight: normal; }\n"
	      ".event { fill: #e0f7fa; stroke: #00838f; }\n"
	      ".ev { fill: #006064; }\n"
	      ".gap { fill: #777; font-style: italic; }\n"
	      ".foot { fill: #333; }\n"
	      "</style>\n",
	      out);
	fputs("<defs>\n"
	      "<marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"9\" "
	      "markerHeight=\"9\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0 "
	      "L10,5 L0,10 z\" "
	      "fill=\"#333\"/></marker>\n"
	      "<marker id=\"head-alarm\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
	      "markerWidth=\"9\" markerHeight=\"9\" markerUnits=\"userSpaceOnUse\" "
	      "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 "
	      "z\" fill=\"#c62828\"/></marker>\n"
	      "<marker id=\"head-house\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
	      "markerWidth=\"9\" markerHeight=\"9\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">"
	      "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#9e9e9e\"/></marker>\n"
	      "</defs>\n",
	      out);
	fprintf(out, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n", S.width, S.height);
	double y0 = 24;
	svg_heading(out, r, &S, &y0, true);

	double top = S.top, bottom = S.top + 30 + (d.n_items + 1) * SVG_ROW;
	fprintf(out, "<text x=\"%d\" y=\"%.0f\" class=\"time\">ms</text>\n", SVG_GUT - 8, top + 16);
	for (int c = 0; c < d.n_cols; c++) {
		bool none = c == d.none_col;
		fprintf(out,
			"<line class=\"life%s\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" "
			"y2=\"%.0f\"/>\n",
			none ? " none" : "", S.x[c], top + 22, S.x[c], bottom);
		if (!none)
			fprintf(out,
				"<rect x=\"%.1f\" y=\"%.0f\" width=\"80\" height=\"22\" rx=\"4\" "
				"fill=\"#eceff1\" stroke=\"#607d8b\"/>\n",
				S.x[c] - 40, top);
		fprintf(out,
			"<text x=\"%.1f\" y=\"%.0f\" class=\"host%s\" "
			"data-col=\"%s\">%s%s</text>\n",
			S.x[c], top + 15, none ? " none" : "", d.col_name[c], d.col_name[c],
			none ? " (no host)" : "");
	}
	/* A call in progress: a bracket on its lifeline from its entry to its
	 * return, under the rows. */
	for (int i = 0; i < d.n_items; i++) {
		const struct item *it = &d.items[i];
		int j = it->kind == IT_STEP && !it->whole ? return_row(&d, i) : -1;
		if (j < 0)
			continue;
		double y1 = top + 30 + (i + 1) * SVG_ROW, y2 = top + 30 + (j + 1) * SVG_ROW;
		fprintf(out,
			"<rect class=\"call%s\" x=\"%.1f\" y=\"%.0f\" width=\"8\" height=\"%.0f\">"
			"<title>",
			it->setup ? " setup" : "", S.x[it->col] - 4, y1 - 4, y2 - y1 + 8);
		const struct step *s = item_step(&d, it);
		xml(out, s->call, -1);
		fprintf(out, ": entered at %.3f ms, returned at %.3f ms</title></rect>\n",
			s->entered_ms, s->ms);
	}

	for (int i = 0; i < d.n_items; i++) {
		const struct item *it = &d.items[i];
		double y = top + 30 + (i + 1) * SVG_ROW;
		bool timed = it->kind != IT_PACKETS_DROPPED && it->kind != IT_EVENTS_DROPPED;
		/* data-*: what the row is and where, for the tests. */
		static const char *const kinds[] = {
			[IT_PACKET] = "packet",	     [IT_FOLD] = "fold",
			[IT_EVENT] = "event",	     [IT_STEP] = "call",
			[IT_RETURN] = "return",	     [IT_PACKETS_DROPPED] = "gap",
			[IT_EVENTS_DROPPED] = "gap",
		};
		fprintf(out, "<g data-kind=\"%s\" data-y=\"%.0f\"",
			it->kind == IT_STEP && it->setup ? "setup" : kinds[it->kind], y);
		if (it->kind == IT_STEP || it->kind == IT_RETURN) {
			char key[96];
			const struct step *s = item_step(&d, it);
			fputs(" data-name=\"", out);
			xml(out, step_key(s, key, sizeof(key)), -1);
			fprintf(out, "\" data-host=\"%s\" data-col=\"%s\"", step_host_name(s),
				d.col_name[it->col]);
		} else if (it->kind == IT_PACKET || it->kind == IT_FOLD) {
			fputs(" data-label=\"", out);
			xml(out, evidence_of(r)->packets[it->idx].label, -1);
			fputc('"', out);
		} else if (it->kind == IT_EVENT) {
			fprintf(out, " data-event=\"%s\"", evidence_of(r)->events[it->idx].name);
		}
		fputc('>', out);
		if (timed)
			fprintf(out, "<text x=\"%d\" y=\"%.0f\" class=\"time\">%.3f</text>",
				SVG_GUT - 8, y + 4, it->ms);
		switch (it->kind) {
		case IT_PACKET:
		case IT_FOLD: {
			const struct packet_event *p = &evidence_of(r)->packets[it->idx];
			const char *label = it->kind == IT_FOLD ? it->label : p->label;
			bool alarm = is_alarm(p), house = !alarm && is_housekeeping(p);
			const char *cls = alarm ? " alarm" : house ? " house" : "";
			const char *mark = alarm ? "-alarm" : house ? "-house" : "";
			fputs("<title>", out);
			if (it->kind == IT_FOLD)
				fprintf(out,
					"%d packets from %.3f to %.3f ms, the first: ", it->count,
					it->ms, it->ms_last);
			xml(out, p->ifname, -1);
			fputs(": ", out);
			xml(out, p->detail, -1);
			fputs("</title>", out);
			int from = it->from, to = it->to;
			if (from >= 0 && to >= 0 && from != to) {
				double x1 = S.x[from], x2 = S.x[to];
				double dir = x2 > x1 ? 1 : -1;
				fprintf(out,
					"<line class=\"pkt%s%s\" x1=\"%.1f\" y1=\"%.0f\" "
					"x2=\"%.1f\" y2=\"%.0f\" marker-end=\"url(#head%s)\"/>",
					cls, it->kind == IT_FOLD ? " fold" : "", x1 + dir * 2, y,
					x2 - dir * 2, y, mark);
				fprintf(out, "<text class=\"lbl%s\" x=\"%.1f\" y=\"%.0f\">", cls,
					(x1 + x2) / 2, y - 5);
				xml(out, label, -1);
				fputs("</text>", out);
			} else {
				int c = from >= 0 ? from : to >= 0 ? to : 0;
				double x = S.x[c];
				fprintf(out,
					"<path class=\"pkt%s\" d=\"M%.1f,%.0f h24 v10 h-22\" "
					"marker-end=\"url(#head%s)\"/>",
					cls, x + 2, y - 6, mark);
				fprintf(out, "<text%s x=\"%.1f\" y=\"%.0f\">",
					alarm ? " class=\"err\"" : "", x + 32, y + 3);
				xml(out, label, -1);
				fputs(from == to && from >= 0 ? " (loopback)</text>"
							      : " (?)</text>",
				      out);
			}
			break;
		}
		case IT_EVENT: {
			const struct kernel_event *e = &evidence_of(r)->events[it->idx];
			char text[512];
			svg_event_text(&d, it, text, sizeof(text));
			double w = item_chars(&d, it) * SVG_CHAR + 12;
			double x = it->col >= 0 ? svg_box_x(&d, &S, it->col, w) : S.x[0];
			fputs("<title>", out);
			xml(out, e->name, -1);
			fputs(" ", out);
			xml(out, e->detail, -1);
			fputs("</title>", out);
			fprintf(out,
				"<rect class=\"event\" x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" "
				"height=\"18\" rx=\"9\"/>",
				x, y - 13, w);
			fprintf(out, "<text class=\"ev\" x=\"%.1f\" y=\"%.0f\">~ ", x + 6, y);
			xml(out, text, -1);
			fputs("</text>", out);
			break;
		}
		case IT_STEP:
		case IT_RETURN: {
			const struct step *s = item_step(&d, it);
			double w = step_len(&d, it) * SVG_CHAR + 12;
			double x = svg_box_x(&d, &S, it->col, w);
			fputs("<title>", out);
			if (it->setup)
				fputs("set-up call of the fixture: ", out);
			xml(out, s->call, -1);
			if (s->entered_ms < s->ms)
				fprintf(out, " (entered at %.3f ms, returned at %.3f ms, %s)",
					s->entered_ms, s->ms, step_host_name(s));
			else
				fprintf(out, " (%.3f ms, %s)", s->ms, step_host_name(s));
			fputs("</title>", out);
			fprintf(out,
				"<circle cx=\"%.1f\" cy=\"%.0f\" r=\"3.5\" fill=\"%s\"/>"
				"<rect class=\"%s\" x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" "
				"height=\"18\" rx=\"3\"/>",
				S.x[it->col], y - 4, it->setup ? "#aaa" : "#555",
				it->setup ? "setup" : "step", x, y - 13, w);
			fprintf(out, "<text%s x=\"%.1f\" y=\"%.0f\">",
				it->setup ? " class=\"setup-text\"" : "", x + 6, y);
			svg_step_text(out, &d, it);
			fputs("</text>", out);
			break;
		}
		case IT_PACKETS_DROPPED:
		case IT_EVENTS_DROPPED:
			fprintf(out, "<text class=\"gap\" x=\"%.1f\" y=\"%.0f\">", S.x[0] + 10, y);
			if (it->kind == IT_PACKETS_DROPPED)
				fprintf(out, "... %d packet%s not shown%s ...", it->count,
					it->count == 1 ? "" : "s",
					evidence_of(r)->pcap_path[0] ? " (see the pcap)" : "");
			else
				fprintf(out, "... %d kernel event%s not shown ...", it->count,
					it->count == 1 ? "" : "s");
			fputs("</text>", out);
			break;
		}
		fputs("</g>\n", out);
	}
	double y = bottom + 24;
	svg_footer_lines(out, &d, &S, &y, true);
	fputs("</svg>\n", out);
	free_diagram(&d);
}
