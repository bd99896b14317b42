# Unit tests: every tests/unit/test_*.c is one program linked with the library.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
E2E_BINS  := $(B)/tests/workload $(B)/tests/workload-static $(B)/tests/lib_callbacks \
	     $(B)/tests/procnotify-scoped $(B)/tests/enforce_probe $(B)/tests/fail_libbpf.so

# test_faults.py's LD_PRELOAD shim that fails one libbpf call: a fixture,
# built plain like the workload.
$(B)/tests/fail_libbpf.so: tests/e2e/fail_libbpf.c
	@mkdir -p $(dir $@)
	gcc -O1 -g -Wall -shared -fPIC -o $@ $< -ldl

# The monitor the scoped tests and the stall benchmark run: the CLI and the
# library with bpf_backend.c built with PN_TEST_HOOKS (PN_TEST_CGROUP
# narrows what the BPF programs report to one cgroup). Linked before the
# archive, the object stands in for the library's copy. Never installed:
# the released monitor ignores the environment variable.
$(B)/tests/bpf_backend_hooks.o: src/lib/linux/bpf_backend.c $(B)/procnotify.skel.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PN_CFLAGS) -DPN_TEST_HOOKS -MMD -MP -c $< -o $@

# And the enforcer's decisions with PN_TEST_DENY_STALL_MS, which holds
# every denial that long, to reach the deadline with an exec of the test's.
$(B)/tests/enforce_decide_hooks.o: src/lib/linux/enforce_decide.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PN_CFLAGS) -DPN_TEST_HOOKS -MMD -MP -c $< -o $@

HOOK_OBJS := $(B)/tests/bpf_backend_hooks.o $(B)/tests/enforce_decide_hooks.o

# (The release binary's prerequisites are the CLI's objects, which are
# only known once every fragment is read: the recipe names them.)
$(B)/tests/procnotify-scoped: $(B)/procnotify $(HOOK_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(HOOK_OBJS) $(B)/libprocnotify.a \
		$(LDLIBS) $(LIB_EXTRA_LIBS)

$(B)/tests/lib_callbacks $(B)/tests/enforce_probe: $(B)/tests/%: tests/e2e/%.c $(B)/libprocnotify.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PN_CFLAGS) $(LDFLAGS) -Itests/unit -MMD -MP -o $@ $< $(B)/libprocnotify.a $(LDLIBS) $(LIB_EXTRA_LIBS)

# Unit tests record the headers they include (-MMD: the Makefile reads every
# .d under the build), so editing check.h or jsonlog.h rebuilds them.
# A unit test may link with flags of its own, LINK_<name>: test_oom's
# wrappers take the library's allocations, to fail them one by one.
LINK_test_oom := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup
$(B)/tests/%: tests/unit/%.c $(B)/libprocnotify.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PN_CFLAGS) $(LDFLAGS) $(LINK_$*) -Itests/unit -MMD -MP -o $@ $< $(B)/libprocnotify.a $(LDLIBS) $(LIB_EXTRA_LIBS)

# The workload is a fixture, not code under test: never sanitized, so that
# its crashes and signals are the kernel's, not a sanitizer's.
$(B)/tests/workload: tests/e2e/workload.c
	@mkdir -p $(dir $@)
	gcc -O1 -g -Wall -D_GNU_SOURCE -o $@ $< -lpthread

# The same, static: it runs in a chroot that holds nothing else.
$(B)/tests/workload-static: tests/e2e/workload.c
	@mkdir -p $(dir $@)
	gcc -O1 -g -Wall -D_GNU_SOURCE -static -o $@ $< -lpthread

tests: all $(UNIT_BINS) $(E2E_BINS)

# The whole suite, as the README and .ci/run give it.
check: tests
	BUILD=$(B) tests/run-all.sh

# The unit and end-to-end tests again, built with ASan and UBSan.
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# (make check runs this too, as the suite 90-sanitize.)
sanitize-build:
	$(MAKE) B=build-san CC=clang CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" SO_NOUNDEF= tests

sanitize: sanitize-build
	BUILD=build-san ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 tests/run-all.sh '[12]*'

valgrind: tests
	BUILD=$(B) tests/run-all.sh '91-*'

# Line and branch coverage of src/lib/ (gcovr): the unit, CLI, end-to-end
# and store suites on a build instrumented with --coverage, then a summary,
# an HTML report in $(COV_B)/coverage/ and the two figures on the last
# line. Not part of `make check`: it runs those suites a second time. Fails
# as they do, after writing the report. `make coverage-check` fails too
# when a figure is below its target.
# The counter files are made in advance, empty and writable by all: the
# tests run some processes as nobody, whose libgcov could not create them
# and would complain on stderr, into the one-line errors the tests compare.
COV_B := build-cov
COV_SUITES := [1-4]*
COV_MIN_LINES := 95
COV_MIN_BRANCHES := 85
COV_GCOVR = gcovr --root . --filter 'src/lib/' --exclude-unreachable-branches
# The log's writer and the outputs run on threads of their own: without atomic
# updates their counters race, and gcov prints negative counts that gcovr
# refuses ("branch 1 taken -1").
coverage:
	$(MAKE) B=$(COV_B) CFLAGS="-O0 -g --coverage -fprofile-update=atomic" LDFLAGS="--coverage" tests
	find $(COV_B) -name '*.gcda' -delete
	find $(COV_B) -name '*.gcno' | sed 's/gcno$$/gcda/' | xargs -r sh -c 'touch "$$@" && chmod 0666 "$$@"' sh
	rm -rf $(COV_B)/coverage && mkdir -p $(COV_B)/coverage
	BUILD=$(COV_B) tests/run-all.sh '$(COV_SUITES)'; rc=$$?; \
	$(COV_GCOVR) --txt $(COV_B)/coverage/summary.txt --html-details $(COV_B)/coverage/index.html \
		--json-summary $(COV_B)/coverage/summary.json $(COV_B) || exit 1; \
	cat $(COV_B)/coverage/summary.txt && \
	scripts/coverage-figures.py $(COV_B)/coverage/summary.json $(COV_MIN_LINES) $(COV_MIN_BRANCHES); \
	exit $$rc

coverage-check: coverage
	scripts/coverage-figures.py $(COV_B)/coverage/summary.json $(COV_MIN_LINES) $(COV_MIN_BRANCHES) --strict

.PHONY: tests sanitize sanitize-build valgrind coverage coverage-check
