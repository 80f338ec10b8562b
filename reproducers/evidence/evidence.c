/* The evidence of a run as JSON, and the names of its hosts.  See evidence.h. */
#include "evidence/evidence.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "lib/packets.h"
#include "record/harness.h"
#include "record/json.h"
#include "record/record.h"

struct evidence *evidence_new(void)
{
	struct evidence *ev = calloc(1, sizeof(*ev));
	if (!ev) {
		fputs("sockerr: out of memory for a run's evidence\n", stderr);
		exit(RUN_BROKEN);
	}
	return ev;
}

void evidence_free(struct evidence *ev)
{
	if (!ev)
		return;
	free(ev->packets);
	free(ev->events);
	free(ev);
}

const struct evidence *evidence_of(const struct run *r)
{
	static const struct evidence none;
	return r->evidence ? r->evidence : &none;
}

struct packet_event *evidence_add_packet(struct evidence *ev)
{
	ev->packets = record_grow(ev->packets, &ev->packets_room, ev->n_packets + 1,
				  sizeof(*ev->packets));
	struct packet_event *p = &ev->packets[ev->n_packets++];
	memset(p, 0, sizeof(*p));
	return p;
}

struct kernel_event *evidence_add_event(struct evidence *ev)
{
	ev->events =
		record_grow(ev->events, &ev->events_room, ev->n_events + 1, sizeof(*ev->events));
	struct kernel_event *k = &ev->events[ev->n_events++];
	memset(k, 0, sizeof(*k));
	return k;
}

/* The evidence's messages in the record stream. */
enum {
	EVIDENCE_SUMMARY = RECORD_EVIDENCE_FIRST, /* struct evidence_summary */
	EVIDENCE_PACKET,			  /* struct packet_event */
	EVIDENCE_EVENT,				  /* struct kernel_event */
};

/* struct evidence without its arrays: what crosses the pipe. */
struct evidence_summary {
	bool captured, traced;
	char capture_note[sizeof(((struct evidence *)0)->capture_note)];
	char trace_note[sizeof(((struct evidence *)0)->trace_note)];
	char pcap_path[sizeof(((struct evidence *)0)->pcap_path)];
	int packets_dropped, events_dropped;
};

void evidence_send(const struct run *r)
{
	const struct evidence *ev = r->evidence;
	if (!ev)
		return;
	struct evidence_summary sum = {.captured = ev->captured,
				       .traced = ev->traced,
				       .packets_dropped = ev->packets_dropped,
				       .events_dropped = ev->events_dropped};
	memcpy(sum.capture_note, ev->capture_note, sizeof(sum.capture_note));
	memcpy(sum.trace_note, ev->trace_note, sizeof(sum.trace_note));
	memcpy(sum.pcap_path, ev->pcap_path, sizeof(sum.pcap_path));
	record_send(r, EVIDENCE_SUMMARY, &sum, sizeof(sum));
	for (int i = 0; i < ev->n_packets; i++)
		record_send(r, EVIDENCE_PACKET, &ev->packets[i], sizeof(ev->packets[i]));
	for (int i = 0; i < ev->n_events; i++)
		record_send(r, EVIDENCE_EVENT, &ev->events[i], sizeof(ev->events[i]));
}

void evidence_receive(struct run *r, unsigned type, const void *data, size_t len)
{
	if (!r->evidence)
		r->evidence = evidence_new();
	struct evidence *ev = r->evidence;
	switch (type) {
	case EVIDENCE_SUMMARY: {
		struct evidence_summary sum;
		if (len != sizeof(sum))
			return;
		memcpy(&sum, data, len);
		ev->captured = sum.captured;
		ev->traced = sum.traced;
		ev->packets_dropped = sum.packets_dropped;
		ev->events_dropped = sum.events_dropped;
		memcpy(ev->capture_note, sum.capture_note, sizeof(ev->capture_note));
		memcpy(ev->trace_note, sum.trace_note, sizeof(ev->trace_note));
		memcpy(ev->pcap_path, sum.pcap_path, sizeof(ev->pcap_path));
		ev->capture_note[sizeof(ev->capture_note) - 1] = '\0';
		ev->trace_note[sizeof(ev->trace_note) - 1] = '\0';
		ev->pcap_path[sizeof(ev->pcap_path) - 1] = '\0';
		return;
	}
	case EVIDENCE_PACKET:
		if (len == sizeof(struct packet_event))
			memcpy(evidence_add_packet(ev), data, len);
		return;
	case EVIDENCE_EVENT:
		if (len == sizeof(struct kernel_event))
			memcpy(evidence_add_event(ev), data, len);
		return;
	}
}

/* A host's name for the JSON, NULL (null) for none. */
static const char *host_or_null(int host)
{
	return host == HOST_NONE ? NULL : host_name(host);
}

/* ,"packets":[...] when a capture ran; ,"evidence":{...} always: whether
 * tracepoints were recorded (or why not) and the events. */
void render_evidence_json(FILE *out, const struct run *r)
{
	const struct evidence *ev = evidence_of(r);
	if (ev->captured) {
		json_field_string(out, "pcap", ev->pcap_path[0] ? ev->pcap_path : NULL);
		fprintf(out, ",\"packets_dropped\":%d,\"packets\":[", ev->packets_dropped);
		for (int i = 0; i < ev->n_packets; i++) {
			const struct packet_event *p = &ev->packets[i];
			fprintf(out, "%s{\"ms\":%.3f", i ? "," : "", p->ms);
			json_field_string(out, "from", host_or_null(p->from));
			json_field_string(out, "to", host_or_null(p->to));
			json_field_string(out, "ifname", p->ifname);
			fprintf(out, ",\"family\":\"%s\",\"proto\":%u", family_name(p->family),
				p->proto);
			if (p->proto == IPPROTO_TCP)
				fprintf(out, ",\"flags\":\"%s\",\"payload\":%u",
					tcp_flags_str(p->tcp_flags), p->payload);
			if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6)
				fprintf(out, ",\"icmp_type\":%u,\"icmp_code\":%u", p->icmp_type,
					p->icmp_code);
			if (p->sport || p->dport)
				fprintf(out, ",\"sport\":%u,\"dport\":%u", p->sport, p->dport);
			json_field_string(out, "label", p->label);
			json_field_string(out, "detail", p->detail);
			fputc('}', out);
		}
		fputc(']', out);
	}
	if (ev->capture_note[0])
		json_field_string(out, "capture", ev->capture_note);
	if (!ev->traced && !ev->trace_note[0])
		return;
	fputs(",\"evidence\":{\"trace\":", out);
	json_string(out, ev->traced ? "recorded" : ev->trace_note);
	if (ev->traced && ev->trace_note[0])
		json_field_string(out, "trace_note", ev->trace_note);
	fprintf(out, ",\"events_dropped\":%d,\"events\":[", ev->events_dropped);
	for (int i = 0; i < ev->n_events; i++) {
		const struct kernel_event *e = &ev->events[i];
		fprintf(out, "%s{\"ms\":%.3f", i ? "," : "", e->ms);
		json_field_string(out, "host", host_or_null(e->host));
		json_field_string(out, "event", e->name);
		json_field_string(out, "detail", e->detail);
		fputc('}', out);
	}
	fputs("]}", out);
}
