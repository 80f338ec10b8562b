/*
 * without-syscall: a TEST TOOL of the sockerr suite, not part of sockerr.
 *
 *   without-syscall NAME[,NAME...] -- CMD [ARGS...]
 *
 * Runs CMD with the named system calls made to fail with ENOSYS, as they
 * do on a kernel built without the feature (CONFIG_SECURITY_LANDLOCK off,
 * no perf events...), so that the suite can test how sockerr reports a
 * missing kernel feature on a kernel that has it.  It sets no_new_privs,
 * installs a seccomp filter that returns ENOSYS for exactly those calls
 * (of the native architecture; every other call is allowed) and execs CMD;
 * the filter is inherited by every child and survives execve().
 *
 * The ENOSYS is injected by policy (seccomp), not found by the kernel's
 * own feature detection: a test that uses this tool checks sockerr's
 * handling of ENOSYS, not which features the running kernel has.
 *
 * Exit: CMD's status; 2 for a usage error or an unknown name; 1 when the
 * filter cannot be installed; 127 when CMD cannot be executed.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "without-syscall knows x86_64 and aarch64 only"
#endif

/* Kept tiny on purpose: the calls whose absence the suite tests. */
static const struct {
	const char *name;
	long nr;
} known[] = {
	{"landlock_create_ruleset", SYS_landlock_create_ruleset},
	{"landlock_add_rule", SYS_landlock_add_rule},
	{"landlock_restrict_self", SYS_landlock_restrict_self},
	{"perf_event_open", SYS_perf_event_open},
	{"bpf", SYS_bpf},
	{"io_uring_setup", SYS_io_uring_setup},
};
#define N_KNOWN	  (sizeof(known) / sizeof(known[0]))
#define MAX_NAMES 16

static void usage(void)
{
	fputs("usage: without-syscall NAME[,NAME...] -- CMD [ARGS...]\n"
	      "  runs CMD with the named system calls failing with ENOSYS (seccomp)\n"
	      "  names:",
	      stderr);
	for (size_t i = 0; i < N_KNOWN; i++)
		fprintf(stderr, " %s", known[i].name);
	fputc('\n', stderr);
}

static long lookup(const char *name)
{
	for (size_t i = 0; i < N_KNOWN; i++)
		if (!strcmp(known[i].name, name))
			return known[i].nr;
	return -1;
}

int main(int argc, char **argv)
{
	if (argc < 4 || strcmp(argv[2], "--") != 0) {
		usage();
		return 2;
	}
	long nrs[MAX_NAMES];
	size_t n = 0;
	char *names = strdup(argv[1]), *save = NULL;
	if (!names) {
		perror("without-syscall: strdup");
		return 1;
	}
	for (char *name = strtok_r(names, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		long nr = lookup(name);
		if (nr < 0) {
			fprintf(stderr, "without-syscall: unknown system call '%s'\n", name);
			usage();
			return 2;
		}
		if (n == MAX_NAMES) {
			fprintf(stderr, "without-syscall: at most %d names\n", MAX_NAMES);
			return 2;
		}
		nrs[n++] = nr;
	}
	free(names);
	if (n == 0) {
		usage();
		return 2;
	}

	/* Another architecture's calls (a 32-bit compat task) pass untouched;
	 * x32 numbers carry __X32_SYSCALL_BIT and match no entry either. */
	struct sock_filter prog[4 + 2 * MAX_NAMES + 1];
	size_t len = 0;
	prog[len++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						   offsetof(struct seccomp_data, arch));
	prog[len++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0);
	prog[len++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog[len++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						   offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < n; i++) {
		prog[len++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)nrs[i],
							   0, 1);
		prog[len++] = (struct sock_filter)BPF_STMT(
			BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
	}
	prog[len++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog fprog = {.len = (unsigned short)len, .filter = prog};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		perror("without-syscall: prctl(PR_SET_NO_NEW_PRIVS)");
		return 1;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0) {
		perror("without-syscall: seccomp(SECCOMP_SET_MODE_FILTER)");
		return 1;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "without-syscall: cannot execute %s: %s\n", argv[3], strerror(errno));
	return 127;
}
