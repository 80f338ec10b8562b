/* Recording and rendering of a scenario run.  See harness.h. */
#include "record/harness.h"

#include <ctype.h>

#include "record/json.h"
#include "record/pace.h"
#include "record/record.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double elapsed_ms(const struct run *r)
{
	return now_ms() - r->t0;
}

long voluntary_switches(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_THREAD, &ru) < 0)
		return -1;
	return ru.ru_nvcsw;
}

void call_watch_start(struct call_watch *w)
{
	w->nvcsw0 = voluntary_switches();
	w->t0 = now_ms();
}

long call_watch_end(struct call_watch *w, long ret)
{
	int err = errno;
	w->ms = now_ms() - w->t0;
	w->slept = voluntary_switches() - w->nvcsw0;
	errno = err;
	return ret;
}

const char *sleep_class(const struct call_watch *w)
{
	return w->slept > 0 ? "after sleeping" : "without sleeping";
}

const char *timeout_class(const struct call_watch *w, double timeout_ms)
{
	if (w->slept <= 0)
		return "without sleeping";
	return w->ms < timeout_ms - TICK_SLACK_MS ? "woken before the timeout"
						  : "after the timeout";
}

const char *lower_bound_class(double ms, double bound_ms, int timers)
{
	return ms < bound_ms - timers * TICK_SLACK_MS ? "before the bound" : "not before the bound";
}

const char *host_name(int host)
{
	switch (host) {
	case HOST_CLIENT: return "client";
	case HOST_ROUTER: return "router";
	case HOST_SERVER: return "server";
	}
	return "?";
}

const char *step_host_name(const struct step *s)
{
	return s->host == HOST_NONE ? HOST_NONE_NAME : host_name(s->host);
}

void run_free(struct run *r)
{
	free(r->steps);
	free(r->setup_calls);
	r->setup_calls = NULL;
	r->n_setup = r->setup_room = 0;
	for (int i = 0; i < r->n_notes; i++)
		free(r->notes[i]);
	free(r->notes);
	r->steps = NULL;
	r->notes = NULL;
	r->n_steps = r->steps_room = r->n_notes = r->notes_room = 0;
}

/* The host a descriptor's socket lives in: SIOCGSKNS gives the socket's
 * network namespace, compared by inode with the topology's.  Every step
 * refreshes the map of the low descriptors, so that a close(fd) (the socket
 * is gone by the time the step is recorded) or a call on a socket accepted
 * without a step of its own still finds its host. */
#define HOST_CACHE 256
static int8_t host_of_fd[HOST_CACHE];
static ino_t socket_of_fd[HOST_CACHE];
static bool host_cache_ready;

static int8_t namespace_host(const struct run *r, int nsfd)
{
	struct stat sock_ns, host_ns;
	const struct netns *hosts[] = {&r->topo.client, &r->topo.router, &r->topo.server};
	if (fstat(nsfd, &sock_ns) < 0)
		return HOST_NONE;
	for (int h = HOST_CLIENT; h <= HOST_SERVER; h++)
		if (hosts[h]->name[0] && fstat(hosts[h]->fd, &host_ns) == 0 &&
		    host_ns.st_ino == sock_ns.st_ino && host_ns.st_dev == sock_ns.st_dev)
			return (int8_t)h;
	return HOST_NONE;
}

static void refresh_fd(const struct run *r, int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode) || st.st_ino == socket_of_fd[fd])
		return; /* no socket, or known */
	int nsfd = ioctl(fd, SIOCGSKNS);
	if (nsfd < 0)
		return;
	host_of_fd[fd] = namespace_host(r, nsfd);
	socket_of_fd[fd] = st.st_ino;
	close(nsfd);
}

static void refresh_hosts(const struct run *r)
{
	if (!host_cache_ready) {
		memset(host_of_fd, HOST_NONE, sizeof(host_of_fd));
		host_cache_ready = true;
	}
	if (r->sc->topology.kind == TOPO_NONE)
		return;
	int saved = errno;
	/* The open descriptors from /proc/self/fd: a few system calls, where
	 * trying all HOST_CACHE numbers costs hundreds (slow under emulation,
	 * and a step must not delay the call it records).  Out of descriptors
	 * (an EMFILE scenario), the map stays as it was. */
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[4096];
	long n;
	while (dir >= 0 && (n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 {
				ino64_t d_ino;
				off64_t d_off;
				unsigned short d_reclen;
				unsigned char d_type;
				char d_name[];
			} *d = (void *)(buf + off);
			off += d->d_reclen;
			char *end;
			long fd = strtol(d->d_name, &end, 10);
			if (*end || end == d->d_name || fd < 0 || fd >= HOST_CACHE || fd == dir)
				continue;
			refresh_fd(r, (int)fd);
		}
	}
	if (dir >= 0)
		close(dir);
	errno = saved;
}

/* When the call being recorded was entered (step_prepare()), since the
 * scenario started; -1 when no step_prepare() preceded it. */
static double entered_at = -1;

void step_prepare(struct run *r, const char *label)
{
	if (label && r->pace_ms)
		pace_before_step(r, label);
	refresh_hosts(r);
	entered_at = elapsed_ms(r);
}

/* The call's entry time, taken once: a step recorded without a
 * step_prepare() (a helper's) is entered when it returned. */
static double take_entered(double returned)
{
	double at = entered_at >= 0 && entered_at <= returned ? entered_at : returned;
	entered_at = -1;
	return at;
}

/* The host of the namespace the calling process is in: where a call that
 * names no socket (a failed socket(), accept() on a descriptor that is no
 * socket) was made. */
static int8_t own_host(const struct run *r)
{
	int saved = errno;
	int nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int8_t host = nsfd >= 0 ? namespace_host(r, nsfd) : HOST_NONE;
	if (nsfd >= 0)
		close(nsfd);
	errno = saved;
	return host;
}

static int8_t socket_host(const struct run *r, int fd)
{
	refresh_hosts(r);
	if (fd < 0 || fd >= HOST_CACHE)
		return HOST_NONE;
	return host_of_fd[fd];
}

/* The host a recording call named (harness.h: struct where); ret is what
 * the call returned (-1 for an observation). */
static int8_t where_host(const struct run *r, struct where where, long ret)
{
	if (r->sc->topology.kind == TOPO_NONE)
		return HOST_NONE;
	int8_t host;
	switch (where.kind) {
	case WHERE_FD:
		host = socket_host(r, where.n);
		return host != HOST_NONE ? host : own_host(r);
	case WHERE_RESULT:
		host = ret >= 0 ? socket_host(r, ret < HOST_CACHE ? (int)ret : -1) : HOST_NONE;
		return host != HOST_NONE ? host : own_host(r);
	case WHERE_HOST:
		return where.n >= HOST_CLIENT && where.n <= HOST_SERVER ? (int8_t)where.n
									: HOST_NONE;
	case WHERE_NOWHERE: break;
	}
	return HOST_NONE;
}

long(step)(struct run *r, struct where where, const char *label, long ret, const char *fmt, ...)
{
	int err = errno; /* first: nothing may run between the call and here */
	struct step *s = record_add_step(r);
	s->ms = elapsed_ms(r);
	s->entered_ms = take_entered(s->ms);
	s->ret = ret;
	s->err = ret < 0 ? err : 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->call, sizeof(s->call), fmt, ap);
	va_end(ap);
	snprintf(s->name, sizeof(s->name), "%s", label);
	snprintf(s->case_key, sizeof(s->case_key), "%s", r->case_key);
	s->host = where_host(r, where, ret);
	record_send(r, RECORD_STEP, s, sizeof(*s));
	errno = err;
	return ret;
}

long(setup_call)(struct run *r, struct where where, const char *label, long ret, const char *fmt,
		 ...)
{
	int err = errno; /* first, as step() */
	struct step *s = record_add_setup_call(r);
	s->ms = elapsed_ms(r);
	s->entered_ms = take_entered(s->ms);
	s->ret = ret;
	s->err = ret < 0 ? err : 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->call, sizeof(s->call), fmt, ap);
	va_end(ap);
	snprintf(s->name, sizeof(s->name), "%s", label);
	s->host = where_host(r, where, ret);
	record_send(r, RECORD_SETUP_CALL, s, sizeof(*s));
	errno = err;
	return ret;
}

void observation(struct run *r, bool measured, struct where where, const char *label,
		 const char *call, const char *value_fmt, ...)
{
	va_list ap;
	va_start(ap, value_fmt);
	if (r->pace_ms)
		pace_before_step(r, label);
	struct step *s = record_add_step(r);
	s->ms = elapsed_ms(r);
	s->entered_ms = s->ms;
	s->measured = measured;
	snprintf(s->name, sizeof(s->name), "%s", label);
	snprintf(s->call, sizeof(s->call), "%s", call);
	vsnprintf(s->value, sizeof(s->value), value_fmt, ap);
	va_end(ap);
	snprintf(s->case_key, sizeof(s->case_key), "%s", r->case_key);
	s->host = where_host(r, where, -1);
	record_send(r, RECORD_STEP, s, sizeof(*s));
}

static void vnote(struct run *r, const char *fmt, va_list ap)
{
	int saved = errno; /* a note's %m, and the caller's errno */
	char *text;
	if (vasprintf(&text, fmt, ap) < 0) {
		errno = saved;
		return;
	}
	record_add_note(r, text);
	record_send(r, RECORD_NOTE, text, strlen(text));
	free(text);
	errno = saved;
}

void racy_too(struct run *r, const char *const *allowed)
{
	if (r->n_steps == 0)
		return;
	struct step *s = &r->steps[r->n_steps - 1];
	s->racy = true;
	size_t used = 0;
	for (; *allowed; allowed++) {
		int n = snprintf(s->allowed + used, sizeof(s->allowed) - used, "%s%s",
				 used ? "\n" : "", *allowed);
		if (n < 0 || (size_t)n >= sizeof(s->allowed) - used) {
			note(r, "BUG: the allowed answers of step %s do not fit", s->name);
			break;
		}
		used += (size_t)n;
	}
	record_send(r, RECORD_STEP_AGAIN, s, sizeof(*s));
}

void begin_case(struct run *r, const char *key_fmt, ...)
{
	va_list ap;
	va_start(ap, key_fmt);
	vsnprintf(r->case_key, sizeof(r->case_key), key_fmt, ap);
	va_end(ap);
}

void end_case(struct run *r)
{
	r->case_key[0] = '\0';
}

void table_cell(struct run *r, const char *fmt, ...)
{
	if (r->n_steps == 0)
		return;
	struct step *s = &r->steps[r->n_steps - 1];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->cell, sizeof(s->cell), fmt, ap);
	va_end(ap);
	record_send(r, RECORD_STEP_AGAIN, s, sizeof(*s));
}

const char *step_key(const struct step *s, char *buf, size_t size)
{
	if (s->case_key[0])
		snprintf(buf, size, "%s: %s", s->case_key, s->name);
	else
		snprintf(buf, size, "%s", s->name);
	return buf;
}

void measured_ret(struct run *r)
{
	if (r->n_steps == 0)
		return;
	struct step *s = &r->steps[r->n_steps - 1];
	s->measured = true;
	record_send(r, RECORD_STEP_AGAIN, s, sizeof(*s));
}

void racy(struct run *r, const char *const *allowed, const char *why_fmt, ...)
{
	racy_too(r, allowed);
	va_list ap;
	va_start(ap, why_fmt);
	vnote(r, why_fmt, ap);
	va_end(ap);
}

void set_connection(struct run *r, const char *fate)
{
	snprintf(r->connection, sizeof(r->connection), "%s", fate);
}

void note(struct run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vnote(r, fmt, ap);
	va_end(ap);
}

int run_ends(struct run *r, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return status;
}

int broken_netns(struct run *r)
{
	return broken(r, "%s", netns_error());
}

const char *family_name(int family)
{
	switch (family) {
	case AF_INET: return "ipv4";
	case AF_INET6: return "ipv6";
	}
	return "none";
}

const char *errno_name(int err)
{
	if (err == 0)
		return "0";
	const char *name = strerrorname_np(err);
	return name ? name : "E?";
}

const char *kernel_release(void)
{
	static struct utsname u;
	if (!u.release[0])
		uname(&u);
	return u.release;
}

static const char *status_name(int status)
{
	switch (status) {
	case RUN_OK: return "ran";
	case RUN_SKIP: return "skipped";
	}
	return "broken";
}

/* The result part of a step: "= 5", "= -1 ECONNRESET (Connection reset by
 * peer)", or "-> ECONNRESET" for an observed value. */
static void step_result(FILE *out, const struct step *s, bool verbose)
{
	if (s->value[0]) {
		fprintf(out, "-> %s", s->value);
		return;
	}
	if (s->ret < 0 && s->err)
		fprintf(out, verbose ? "= %ld %s (%s)" : "= %ld %s", s->ret, errno_name(s->err),
			strerror(s->err));
	else
		fprintf(out, "= %ld", s->ret);
}

/* ---- the table of cases (begin_case()) ------------------------------ */

/* What a step shows in a table or a summary: its cell, its value, its
 * errno, or "ok". */
static const char *step_shown(const struct step *s)
{
	if (s->cell[0])
		return s->cell;
	if (s->value[0])
		return s->value;
	return s->ret < 0 && s->err ? errno_name(s->err) : "ok";
}

/* The table's columns: the distinct labels of the steps of a case, in the
 * order they first come.  Returns how many (at most max). */
static int case_columns(const struct run *r, const char **cols, int max)
{
	int n = 0;
	for (int i = 0; i < r->n_steps; i++) {
		const struct step *s = &r->steps[i];
		if (!s->case_key[0])
			continue;
		int j = 0;
		while (j < n && strcmp(cols[j], s->name) != 0)
			j++;
		if (j == n && n < max)
			cols[n++] = s->name;
	}
	return n;
}

/* The step of case row (the first step of the case) with label col, or
 * NULL; a case's steps follow each other. */
static const struct step *case_step(const struct run *r, int row, const char *col)
{
	for (int i = row; i < r->n_steps && !strcmp(r->steps[i].case_key, r->steps[row].case_key);
	     i++)
		if (!strcmp(r->steps[i].name, col))
			return &r->steps[i];
	return NULL;
}

/* For each case, in order: i, the index of its first step in r->steps. */
#define for_each_case(r, i)                                                                        \
	for (int i = 0; i < (r)->n_steps; i++)                                                     \
		if ((r)->steps[i].case_key[0] &&                                                   \
		    (i == 0 || strcmp((r)->steps[i].case_key, (r)->steps[i - 1].case_key) != 0))

#define MAX_COLUMNS 16

static void render_case_table(FILE *out, const struct run *r)
{
	const char *cols[MAX_COLUMNS];
	int n = case_columns(r, cols, MAX_COLUMNS);
	if (n == 0)
		return;
	int width[MAX_COLUMNS + 1] = {(int)strlen("CASE")};
	for (int c = 0; c < n; c++)
		width[c + 1] = (int)strlen(cols[c]);
	for_each_case(r, i)
	{
		int w = (int)strlen(r->steps[i].case_key);
		width[0] = w > width[0] ? w : width[0];
		for (int c = 0; c < n; c++) {
			const struct step *s = case_step(r, i, cols[c]);
			w = (int)strlen(s ? step_shown(s) : "?");
			width[c + 1] = w > width[c + 1] ? w : width[c + 1];
		}
	}
	fprintf(out, "  %-*s", width[0], "CASE");
	for (int c = 0; c < n; c++)
		fprintf(out, "  %-*s", c + 1 < n ? width[c + 1] : 0, cols[c]);
	fputc('\n', out);
	for_each_case(r, i)
	{
		fprintf(out, "  %-*s", width[0], r->steps[i].case_key);
		for (int c = 0; c < n; c++) {
			const struct step *s = case_step(r, i, cols[c]);
			fprintf(out, "  %-*s", c + 1 < n ? width[c + 1] : 0,
				s ? step_shown(s) : "?");
		}
		fputc('\n', out);
	}
}

/* ,"rows":[{"case":"3/3 port-unreach","syn-sent":"ECONNREFUSED",...},...]
 * when the run has cases: a row per case, its cells by label. */
static void render_case_rows(FILE *out, const struct run *r)
{
	const char *cols[MAX_COLUMNS];
	int n = case_columns(r, cols, MAX_COLUMNS);
	if (n == 0)
		return;
	fputs(",\"rows\":[", out);
	bool first = true;
	for_each_case(r, i)
	{
		fputs(first ? "{\"case\":" : ",{\"case\":", out);
		first = false;
		json_string(out, r->steps[i].case_key);
		for (int c = 0; c < n; c++) {
			const struct step *s = case_step(r, i, cols[c]);
			fputc(',', out);
			json_string(out, cols[c]);
			fputc(':', out);
			json_string(out, s ? step_shown(s) : NULL);
		}
		fputc('}', out);
	}
	fputc(']', out);
}

void render_text(FILE *out, const struct run *r, int status)
{
	const struct scenario *sc = r->sc;
	fprintf(out, "%s [%s]  %s\n", sc->name, family_name(r->family), sc->summary);
	if (sc->policy)
		fprintf(out,
			"  policy: %s (the errno is injected by a policy layer, not the network)\n",
			sc->policy);
	for (int i = 0; i < r->n_steps; i++) {
		const struct step *s = &r->steps[i];
		if (s->case_key[0])
			continue; /* in the table of cases, below */
		char line[512];
		FILE *m = fmemopen(line, sizeof(line), "w");
		fprintf(m, "%s ", s->call);
		step_result(m, s, true);
		fclose(m);
		line[sizeof(line) - 1] = '\0';
		fprintf(out, "  %-62s [%8.1f ms]\n", line, s->ms);
	}
	render_case_table(out, r);
	for (int i = 0; i < r->n_notes; i++)
		fprintf(out, "  note: %s\n", r->notes[i]);
	if (r->record_truncated[0])
		fprintf(out, "  record truncated: %s\n", r->record_truncated);
	if (status != RUN_OK)
		fprintf(out, "  %s: %s\n", status_name(status), r->reason);
	if (r->connection[0])
		fprintf(out, "  connection: %s\n", r->connection);
	if (sc->handling)
		fprintf(out, "  handling: %s\n", sc->handling);
	if (sc->posix_expects)
		fprintf(out, "  POSIX/man page expects: %s\n", sc->posix_expects);
	fprintf(out, "  kernel: %s\n", sc->kernel_path);
}

void json_string(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* Whether a step's label names the call: "connect", "accept4" (a variant),
 * "accept, no SA_RESTART", "child accept"; call is n characters long. */
static bool names_call(const char *name, const char *call, size_t n)
{
	size_t len = strlen(name);
	if (len >= n && !strncmp(name, call, n) && !isalpha((unsigned char)name[n]))
		return true;
	return len > n && name[len - n - 1] == ' ' && !strcmp(name + len - n, call);
}

/* The step a run is about: the first failed call labelled with the
 * scenario's system call alone ("send"), else the first failed call
 * naming it ("send until full"), else the first call naming it; NULL for
 * none (a run of observations only). */
static const struct step *key_step(const struct run *r)
{
	char call[32];
	const char *syscall = r->sc->syscall ? r->sc->syscall : "";
	snprintf(call, sizeof(call), "%.*s", (int)strcspn(syscall, "/ "), syscall);
	size_t n = strlen(call);
	const struct step *failed = NULL, *first = NULL;
	for (int i = 0; n && i < r->n_steps; i++) {
		const struct step *s = &r->steps[i];
		if (s->value[0] || !names_call(s->name, call, n))
			continue;
		if (s->err && !strcmp(s->name, call))
			return s;
		if (s->err && !failed)
			failed = s;
		if (!first)
			first = s;
	}
	return failed ? failed : first;
}

void render_json(FILE *out, const struct run *r, int status,
		 void (*evidence_json)(FILE *out, const struct run *r))
{
	const struct scenario *sc = r->sc;
	fputs("{\"scenario\":", out);
	json_string(out, sc->name);
	json_field_string(out, "family", family_name(r->family));
	json_field_string(out, "kernel", kernel_release());
	json_field_string(out, "status", status_name(status));
	json_field_string(out, "reason", status == RUN_OK ? NULL : r->reason);
	json_field_string(out, "topology", topology_name(sc->topology.kind));
	/* What this run observed, for its family and kernel: the errno of
	 * its key step (null when that call succeeded); the scenario's
	 * topic, the same for every run, under its own name. */
	const struct step *about = status == RUN_OK ? key_step(r) : NULL;
	json_field_string(out, "errno", about && about->err ? errno_name(about->err) : NULL);
	json_field_string(out, "key_step", about ? about->name : NULL);
	json_field_string(out, "topic_errno", sc->errno_name);
	json_field_string(out, "syscall", sc->syscall);
	json_field_string(out, "policy", sc->policy);
	fputs(",\"steps\":[", out);
	for (int i = 0; i < r->n_steps; i++) {
		const struct step *s = &r->steps[i];
		fputs(i ? ",{\"call\":" : "{\"call\":", out);
		json_string(out, s->call);
		char key[sizeof(s->case_key) + sizeof(s->name) + 2];
		json_field_string(out, "name", step_key(s, key, sizeof(key)));
		if (s->case_key[0])
			json_field_string(out, "case", s->case_key);
		if (s->value[0]) {
			fputs(",\"ret\":null,\"errno\":null", out);
			json_field_string(out, "value", s->value);
		} else {
			fprintf(out, ",\"ret\":%ld", s->ret);
			json_field_string(out, "errno", s->err ? errno_name(s->err) : NULL);
			fputs(",\"value\":null", out);
		}
		if (s->measured)
			fputs(",\"measured\":true", out);
		if (s->racy) {
			fputs(",\"racy\":true,\"allowed\":[", out);
			for (const char *a = s->allowed; *a;) {
				size_t n = strcspn(a, "\n");
				char one[sizeof(s->allowed)];
				snprintf(one, sizeof(one), "%.*s", (int)n, a);
				if (a != s->allowed)
					fputc(',', out);
				json_string(out, one);
				a += n + (a[n] == '\n');
			}
			fputc(']', out);
		}
		json_field_string(out, "host", step_host_name(s));
		fprintf(out, ",\"entered_ms\":%.3f,\"ms\":%.3f}", s->entered_ms, s->ms);
	}
	/* The fixtures' set-up calls, for the diagrams (harness.h). */
	fputs("],\"setup_calls\":[", out);
	for (int i = 0; i < r->n_setup; i++) {
		const struct step *s = &r->setup_calls[i];
		fputs(i ? ",{\"call\":" : "{\"call\":", out);
		json_string(out, s->call);
		json_field_string(out, "name", s->name);
		fprintf(out, ",\"ret\":%ld", s->ret);
		json_field_string(out, "errno", s->err ? errno_name(s->err) : NULL);
		json_field_string(out, "host", step_host_name(s));
		fprintf(out, ",\"entered_ms\":%.3f,\"ms\":%.3f}", s->entered_ms, s->ms);
	}
	fputs("],\"notes\":[", out);
	for (int i = 0; i < r->n_notes; i++) {
		if (i)
			fputc(',', out);
		json_string(out, r->notes[i]);
	}
	fputc(']', out);
	json_field_string(out, "posix_expects", sc->posix_expects);
	json_field_string(out, "kernel_path", sc->kernel_path);
	json_field_string(out, "handling", sc->handling);
	json_field_string(out, "connection", r->connection[0] ? r->connection : NULL);
	fprintf(out, ",\"intrinsic_wait_ms\":%d", sc->intrinsic_wait_ms);
	json_field_string(out, "intrinsic_wait", sc->intrinsic_wait);
	fprintf(out, ",\"setup_ms\":%.3f,\"duration_ms\":%.3f", r->setup_ms, r->duration_ms);
	if (evidence_json)
		evidence_json(out, r);
	if (r->record_truncated[0])
		json_field_string(out, "record_truncated", r->record_truncated);
	render_case_rows(out, r);
	fputs("}\n", out);
}

#define SUMMARY_INDENT 33
#define SUMMARY_WIDTH  100

void render_summary_header(FILE *out)
{
	fprintf(out, "%-26s %-5s %s\n", "SCENARIO", "FAM",
		"OBSERVED (step=result), then what POSIX / the man page expects where Linux "
		"differs");
}

/* One run: its steps as "name=result" wrapped under the observed column,
 * then the POSIX or man-page expectation on a line of its own. */
void render_summary_row(FILE *out, const struct run *r, int status)
{
	fprintf(out, "%-26s %-5s", r->sc->name, family_name(r->family));
	int col = SUMMARY_INDENT - 1;
	if (status != RUN_OK) {
		fprintf(out, " %s: %s\n", status_name(status), r->reason);
		return;
	}
	int cases = 0;
	for (int i = 0; i < r->n_steps; i++) {
		const struct step *s = &r->steps[i];
		if (s->case_key[0]) {
			/* A table does not fit a summary row. */
			cases += i == 0 || strcmp(s->case_key, r->steps[i - 1].case_key) != 0;
			continue;
		}
		const char *res = s->value[0]		   ? s->value
				  : (s->ret < 0 && s->err) ? errno_name(s->err)
							   : "ok";
		int len = (int)(strlen(s->name) + 1 + strlen(res));
		if (col > SUMMARY_INDENT - 1 && col + 1 + len > SUMMARY_WIDTH) {
			fprintf(out, "\n%*s", SUMMARY_INDENT - 1, "");
			col = SUMMARY_INDENT - 1;
		}
		fprintf(out, " %s=%s", s->name, res);
		col += 1 + len;
	}
	if (cases)
		fprintf(out, " a table of %d cases: see 'sockerr run %s'", cases, r->sc->name);
	fputc('\n', out);
	if (r->sc->posix_expects)
		fprintf(out, "%*s POSIX/man page: %s\n", SUMMARY_INDENT - 1, "",
			r->sc->posix_expects);
}
