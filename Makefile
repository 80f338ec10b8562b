# sockerr: `make` builds, `make check` tests, `make run` runs the catalogue.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(DESTDIR)$(PREFIX)/bin

CC ?= gcc
PKGS = libnl-route-3.0 libnftables libpcap libtracefs libtraceevent json-c
CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
# Includes name their folder: "lib/sockets.h", "record/harness.h",
# "netns/netns.h" (reproducers/ and the top of the tree are searched).
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE -iquote . -iquote reproducers $(WARN) $(CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# examples/: the reference handlers.  A file with a header of its own
# (accept_loop.c, accept_loop.h) is a handler, built into sockerr too; one
# without (accept_server.c) is a program with main(), built alone by
# `make examples` into build/examples/, never into sockerr.
EXAMPLE_LIBS = $(patsubst %.h,%.c,$(wildcard examples/*.h))
EXAMPLE_PROGRAMS = $(filter-out $(EXAMPLE_LIBS),$(wildcard examples/*.c))
SRCS = $(wildcard netns/*.c) $(wildcard reproducers/*.c reproducers/*/*.c) $(EXAMPLE_LIBS)
HDRS = $(wildcard netns/*.h) $(wildcard reproducers/*.h reproducers/*/*.h) $(wildcard examples/*.h)
OBJS = $(SRCS:%.c=build/%.o)
SAN_OBJS = $(SRCS:%.c=build/san/%.o)

KERNEL := $(shell uname -r)
BATS ?= bats
# The suite runs twice: against the binary users run, and against the
# ASan+UBSan build, so every scenario path is exercised under the
# sanitizers on every `make check`.
CHECK_BINARIES ?= build/sockerr build/san/sockerr
# make check VM_SMOKE=0 leaves out the smoke run of the VM runner (tests/vm/).
VM_SMOKE ?= 1
# Test files at a time in tests/ (bats --jobs, GNU parallel): they read the
# catalogue fixture (scripts/catalogue-fixture) and wait on few timers.
BATS_JOBS ?= 8

.PHONY: all examples deps check check-stress run compare bench soak matrix-check report report-check readme readme-check catalogue-check install clean format format-check shellcheck sanitize

all: build/sockerr

build/sockerr: $(OBJS) build/scenario_texts.o build/claims.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# The scenarios' texts (summary, kernel path, ...), from the tagged lines of
# each scenario file's header comment.
build/scenario_texts.c: scripts/scenario-texts $(SRCS)
	@mkdir -p $(dir $@)
	@scripts/scenario-texts $(SRCS) > $@.tmp && mv $@.tmp $@

# The claims (claims/*.txt): what the sources say, and which scenario
# settles each statement (sockerr claims).
CLAIMS = $(wildcard claims/*.txt)
build/claims.c: scripts/claims-compile $(CLAIMS)
	@mkdir -p $(dir $@)
	@scripts/claims-compile $(CLAIMS) > $@.tmp && mv $@.tmp $@

# The generated sources, compiled as the others are.
build/scenario_texts.o build/claims.o: build/%.o: build/%.c $(HDRS) | deps-check
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/san/scenario_texts.o build/san/claims.o: build/san/%.o: build/%.c $(HDRS) | deps-check
	@mkdir -p $(dir $@)
	@echo "  CC san  $<"
	@$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

build/%.o: %.c $(HDRS) | deps-check
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

sanitize: build/san/sockerr

# The example programs, each built as its header's "Build:" line says: the
# C11 compiler alone, no flag of sockerr's, linked with the handlers it
# includes (accept_server.c includes "accept_loop.h": examples/accept_loop.c).
EXAMPLE_BINS = $(EXAMPLE_PROGRAMS:examples/%.c=build/examples/%)
EXAMPLE_CFLAGS = -std=c11 -Wall -Wextra -Werror
examples: $(EXAMPLE_BINS)

build/examples/%: examples/%.c $(EXAMPLE_LIBS) $(wildcard examples/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(EXAMPLE_CFLAGS) -o $@ $< $(patsubst %.h,examples/%.c,$(shell sed -n 's/^\#include "\(.*\.h\)"$$/\1/p' $<))

# Test tools: without-syscall runs a command with a system call made to fail
# with ENOSYS (seccomp), as on a kernel built without that feature.
build/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $<

# The netns library alone, for make bench: a topology built and torn down.
NETNS_OBJS = $(patsubst %.c,build/%.o,$(wildcard netns/*.c))
build/bench-topology: build/bench/topology.o $(NETNS_OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

build/san/sockerr: $(SAN_OBJS) build/san/scenario_texts.o build/san/claims.o
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

build/san/%.o: %.c $(HDRS) | deps-check
	@mkdir -p $(dir $@)
	@echo "  CC san  $<"
	@$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

# Fails early, with the remedy, when a library is missing.
.PHONY: deps-check
deps-check:
	@pkg-config --exists $(PKGS) || { echo "missing libraries ($(PKGS)): run 'make deps' as root" >&2; exit 1; }

deps:
	@scripts/deps.sh

# The builds and static checks on every CPU (make check alone, without -j,
# compiled both builds one file at a time).
check: deps
	$(MAKE) -j$(shell nproc) all sanitize examples build/tools/without-syscall shellcheck format-check matrix-check readme-check report-check catalogue-check
	@CHECK_BINARIES="$(CHECK_BINARIES)" BATS="$(BATS)" BATS_JOBS="$(BATS_JOBS)" \
		VM_SMOKE="$(VM_SMOKE)" REPORT_SCREENSHOT="$(CURDIR)/build/report.png" scripts/run-tests

# Figures, not pass/fail: the catalogue serial and parallel, the intrinsic
# waits against the time measured, the topology library against ip(8).
bench: deps
	$(MAKE) all build/bench-topology
	scripts/bench

# The bats suites (tests/, tests/serial/, both binaries) STRESS_N times in a
# row with every core loaded by a busy loop: every test that failed at least
# once, with its output, and the time of each iteration (scripts/stress; the
# VM smoke run is left out).
STRESS_N ?= 10
check-stress: deps
	$(MAKE) -j$(shell nproc) all sanitize build/tools/without-syscall
	@CHECK_BINARIES="$(CHECK_BINARIES)" BATS="$(BATS)" BATS_JOBS="$(BATS_JOBS)" scripts/stress $(STRESS_N)

# The catalogue SOAK_N times under load: which results vary (goal: none).
SOAK_N ?= 20
soak: deps
	$(MAKE) all
	scripts/soak $(SOAK_N)

run: deps
	$(MAKE) all
	@mkdir -p results
	@rm -rf results/evidence/$(KERNEL)
	build/sockerr run --all --summary --trace --pcap results/evidence/$(KERNEL) \
		--svg results/evidence/$(KERNEL) --output results/$(KERNEL).json
	@jq '. + {environment: {runner: "native", accel: "none", catalogue_seconds: (.wall_ms / 1000 | . * 10 | round / 10)}}' \
		results/$(KERNEL).json > results/$(KERNEL).json.tmp && mv results/$(KERNEL).json.tmp results/$(KERNEL).json

# The catalogue and the bats suite on Debian's newest 5.10, 6.1, 6.12 and
# sid kernels under qemu, two guests at a time, and on the running kernel;
# writes results/*.json and results/MATRIX.md and prints the timing table.
# KERNELS, NATIVE, BATS, VM_AT_ONCE, VM_SMP: see scripts/compare.
KERNELS ?= 5.10 6.1 6.12 sid
compare: deps
	$(MAKE) all
	KERNELS="$(KERNELS)" scripts/compare

# Every scenario has a bats test, and every scenario a test names exists.
catalogue-check: all
	@scripts/catalogue-check build/sockerr

# results/MATRIX.md is generated: it must be what scripts/matrix makes of
# the committed results/*.json; and every difference between kernels must be
# explained in results/differences.tsv (scripts/matrix --check).
matrix-check:
	@scripts/matrix results/*.json | diff -u results/MATRIX.md - || \
		{ echo "results/MATRIX.md is stale: run scripts/matrix results/*.json > results/MATRIX.md" >&2; exit 1; }
	@scripts/matrix --check results/*.json

# results/index.html: results/*.json as one static page (scripts/report): a
# row per scenario step, a column per kernel and family, results that differ
# between kernels or from POSIX marked, each run linked to its ladder (SVG)
# and capture where results/evidence/KERNEL/<scenario>-<family>.svg/.pcap exist;
# then the claims table (sockerr claims).
report: all
	build/sockerr list --json > build/registry.json
	build/sockerr claims --json results/*.json > build/claims.json
	scripts/report --registry build/registry.json --claims build/claims.json -o results/index.html results/*.json

# README.md's errno table is generated from the catalogue and the committed
# results/*.json (never the running kernel): `make readme` rewrites it;
# `make check` fails when it is stale.
# The committed page must be what make report makes of the committed results.
report-check: all
	@build/sockerr list --json > build/registry.json
	@build/sockerr claims --json results/*.json > build/claims.json
	@scripts/report --registry build/registry.json --claims build/claims.json results/*.json > build/index.html
	@diff -q results/index.html build/index.html >/dev/null || \
		{ echo "results/index.html is stale: run make report" >&2; exit 1; }

readme: all
	scripts/readme-table --write README.md

readme-check: all
	@scripts/readme-table --check README.md

install: build/sockerr
	install -d $(BINDIR)
	install -m 0755 build/sockerr $(BINDIR)/sockerr

format:
	clang-format -i $(SRCS) $(HDRS) $(EXAMPLE_PROGRAMS)

format-check:
	clang-format --dry-run --Werror $(SRCS) $(HDRS) $(EXAMPLE_PROGRAMS) $(wildcard bench/*.c tests/tools/*.c)

shellcheck:
	shellcheck -x scripts/*.sh scripts/compare scripts/kernel-sources scripts/matrix scripts/report scripts/readme-table scripts/run-tests scripts/catalogue-fixture scripts/stress scripts/same-outcomes scripts/catalogue-check scripts/scenario-texts scripts/claims-compile scripts/test-dirs $(wildcard scripts/bench scripts/soak scripts/kill-test) scripts/vm/* .ci/run
	shellcheck -s bash tests/test_helper/*.bash tests/setup_suite.bash tests/*.bats tests/*/*.bats

clean:
	rm -rf build
