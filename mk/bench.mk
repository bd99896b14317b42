# Benchmarks (issue 3): `make bench` runs the spawn storm against procnotify
# and its peers and prints a table; BENCH_N, BENCH_REPS, ... tune it (see
# bench/run.py --help). Needs root. Figures only: nothing here passes or fails
# on speed.
BENCH_BINS := $(B)/bench/spawn_storm $(B)/bench/exit0 $(B)/bench/bpf_verifier

# The spawner is the workload, not code under test: plain flags, never sanitized.
$(B)/bench/spawn_storm: bench/spawn_storm.c
	@mkdir -p $(dir $@)
	gcc -O2 -g -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -o $@ $<

# The paced run's workload: static and without libc (-nostdlib), so an exec
# costs the kernel as little as it can and the run reaches its rate even on
# a slow virtual machine (see bench/exit0.c).
$(B)/bench/exit0: bench/exit0.c
	@mkdir -p $(dir $@)
	gcc -O2 -static -nostdlib -o $@ $<

# The verifier's figures per program (bench/bpf_cost.py and the verifier
# budget test): loads the same object as the library, so it needs the skeleton.
$(B)/bench/bpf_verifier: bench/bpf_verifier.c $(B)/procnotify.skel.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PN_CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# (The stall run's monitor is the test build that honours PN_TEST_CGROUP.)
bench-build: all $(BENCH_BINS) $(B)/tests/procnotify-scoped

bench: bench-build
	BUILD=$(B) python3 bench/run.py
	BUILD=$(B) python3 bench/bpf_cost.py
	BUILD=$(B) python3 bench/enforce_bench.py

# The BPF side alone (bench/bpf_cost.py): start-up, the verifier's figures,
# kernel time per program. BENCH_BPF_COMPARE=DIR measures a second build beside.
bench-bpf: bench-build
	BUILD=$(B) python3 bench/bpf_cost.py

.PHONY: bench bench-build bench-bpf

# tests/suites/60-bench-smoke.sh runs the harness with a tiny N.
tests: $(BENCH_BINS)

# `procnotify import` of a 1,000,000-event fleet file (bench/import_bench.py;
# BENCH_IMPORT_N, BENCH_IMPORT_HOSTS). No root needed.
bench-import: all
	BUILD=$(B) python3 bench/import_bench.py

.PHONY: bench-import

# Where the time of `procnotify query` goes: the store's rows, the
# formatter, the rest of the CLI, per row (bench/query_path.c) over a log
# made by store_scale: make bench-query QUERY_LOG=FILE [QUERY_SINCE=1h].
QUERY_SINCE ?= 1h
$(B)/bench/query_path: bench/query_path.c $(B)/libprocnotify.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PN_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libprocnotify.a $(LDLIBS) $(LIB_EXTRA_LIBS)

bench-query: all $(B)/bench/query_path
	$(B)/bench/query_path -d $(QUERY_LOG) -s $(QUERY_SINCE) -p $(B)/procnotify

tests: $(B)/bench/query_path

.PHONY: bench-query
