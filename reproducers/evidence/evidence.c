/* The evidence of a run as JSON, and the names of its hosts.  See evidence.h. */
#include "evidence/evidence.h"

#include <netinet/in.h>

#include "record/harness.h"
#include "lib/packets.h"

const char *host_name(int host)
{
	switch (host) {
	case HOST_CLIENT: return "client";
	case HOST_ROUTER: return "router";
	case HOST_SERVER: return "server";
	}
	return "?";
}

static void json_host(FILE *out, int host)
{
	json_string(out, host == HOST_NONE ? NULL : host_name(host));
}

/* ,"packets":[...] when a capture ran; ,"evidence":{...} always: whether
 * tracepoints were recorded (or why not) and the events. */
void render_evidence_json(FILE *out, const struct run *r)
{
	const struct evidence *ev = &r->evidence;
	if (ev->captured) {
		fputs(",\"pcap\":", out);
		json_string(out, ev->pcap_path[0] ? ev->pcap_path : NULL);
		fprintf(out, ",\"packets_dropped\":%d,\"packets\":[", ev->packets_dropped);
		for (int i = 0; i < ev->n_packets; i++) {
			const struct packet_event *p = &ev->packets[i];
			fprintf(out, "%s{\"ms\":%.3f,\"from\":", i ? "," : "", p->ms);
			json_host(out, p->from);
			fputs(",\"to\":", out);
			json_host(out, p->to);
			fputs(",\"ifname\":", out);
			json_string(out, p->ifname);
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
			fputs(",\"label\":", out);
			json_string(out, p->label);
			fputs(",\"detail\":", out);
			json_string(out, p->detail);
			fputc('}', out);
		}
		fputc(']', out);
	}
	if (ev->capture_note[0]) {
		fputs(",\"capture\":", out);
		json_string(out, ev->capture_note);
	}
	if (!ev->traced && !ev->trace_note[0])
		return;
	fputs(",\"evidence\":{\"trace\":", out);
	json_string(out, ev->traced ? "recorded" : ev->trace_note);
	if (ev->traced && ev->trace_note[0]) {
		fputs(",\"trace_note\":", out);
		json_string(out, ev->trace_note);
	}
	fprintf(out, ",\"events_dropped\":%d,\"events\":[", ev->events_dropped);
	for (int i = 0; i < ev->n_events; i++) {
		const struct kernel_event *e = &ev->events[i];
		fprintf(out, "%s{\"ms\":%.3f,\"host\":", i ? "," : "", e->ms);
		json_host(out, e->host);
		fputs(",\"event\":", out);
		json_string(out, e->name);
		fputs(",\"detail\":", out);
		json_string(out, e->detail);
		fputc('}', out);
	}
	fputs("]}", out);
}
