/* rtnetlink dumps in a namespace: see rtnl_lookup.h. */
#include "lib/rtnl_lookup.h"

#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <unistd.h>

int rtnl_dump(const struct netns *ns, int type, int family,
	      int (*each)(const struct nlmsghdr *nh, void *arg), void *arg)
{
	int fd = netns_socket(ns, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	struct {
		struct nlmsghdr nh;
		union {
			struct ndmsg nd;
			struct rtmsg rt;
		};
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	if (type == RTM_GETNEIGH) {
		req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
		req.nd.ndm_family = family;
	} else {
		req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
		req.rt.rtm_family = family;
	}
	int rc = -1;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		goto out;
	char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			goto out;
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				rc = 0;
				goto out;
			}
			if (nh->nlmsg_type == NLMSG_ERROR)
				goto out;
			if (each(nh, arg)) {
				rc = 0;
				goto out;
			}
		}
	}
out:
	close(fd);
	return rc;
}

static int route_match(const struct nlmsghdr *nh, void *arg)
{
	struct addr_query *q = arg;
	if (nh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	const struct rtmsg *rt = NLMSG_DATA(nh);
	if (rt->rtm_dst_len != q->plen || rt->rtm_table != RT_TABLE_MAIN)
		return 0;
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*rt));
	for (const struct rtattr *a =
		     (const struct rtattr *)((const char *)rt + NLMSG_ALIGN(sizeof(*rt)));
	     RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == (unsigned)addr_len(q->family) &&
		    memcmp(RTA_DATA(a), q->addr, addr_len(q->family)) == 0) {
			q->result = 1;
			return 1;
		}
	return 0;
}

/* Is the connected route prefix/plen in ns's main table? */
const char *route_presence(const struct netns *ns, int family, const char *prefix, int plen)
{
	struct addr_query q = {.family = family, .plen = plen, .result = 0};
	if (inet_pton(family, prefix, q.addr) != 1 ||
	    rtnl_dump(ns, RTM_GETROUTE, family, route_match, &q) < 0)
		return "unreadable";
	return q.result ? "present" : "absent";
}
