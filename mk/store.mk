# The activity log (src/lib/store): SQLite from Debian's libsqlite3-dev.
LIB_SRCS += $(wildcard src/lib/store/*.c)
LIB_EXTRA_LIBS += -lsqlite3

# Store throughput and query latency (see src/lib/store/README.md).
$(B)/bench/store_bench: bench/store_bench.c $(B)/libprocnotify.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PN_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libprocnotify.a $(LDLIBS) $(LIB_EXTRA_LIBS)

# The log at scale (bench/store_scale.c): STORE_SCALE_N events, 10 million
# by default, which takes minutes; tests/suites/40-store.sh runs a small one.
STORE_SCALE_N ?= 10000000
$(B)/bench/store_scale: bench/store_scale.c $(B)/libprocnotify.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PN_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libprocnotify.a $(LDLIBS) $(LIB_EXTRA_LIBS)

bench-store: $(B)/bench/store_bench $(B)/bench/store_scale
	$(B)/bench/store_bench
	$(B)/bench/store_scale -n $(STORE_SCALE_N)

tests: $(B)/bench/store_scale

.PHONY: bench-store

# `procnotify report` (and tree --html) on synthetic logs: bench/report_bench.py.
$(B)/bench/report_gen: bench/report_gen.c $(B)/libprocnotify.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PN_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libprocnotify.a $(LDLIBS) $(LIB_EXTRA_LIBS)

bench-report: all $(B)/bench/report_gen
	BUILD=$(B) python3 bench/report_bench.py

.PHONY: bench-report

# The log's row format, measured (bench/store_format.c): replays a real
# log into today's writer and packed variants; STORE_FORMAT_LOG names it.
$(B)/bench/store_format: bench/store_format.c $(B)/libprocnotify.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PN_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libprocnotify.a $(LDLIBS) $(LIB_EXTRA_LIBS)

bench-format: $(B)/bench/store_format
	$(B)/bench/store_format -i $(STORE_FORMAT_LOG)

tests: $(B)/bench/store_format

.PHONY: bench-format
