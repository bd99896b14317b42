# Unit tests: every tests/unit/test_*.c is one program linked with the library.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
E2E_BINS  := $(B)/tests/workload

$(B)/tests/%: tests/unit/%.c $(B)/libprocnotify.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(B)/libprocnotify.a $(LDLIBS) $(LIB_EXTRA_LIBS)

$(B)/tests/workload: tests/e2e/workload.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -lpthread

tests: all $(UNIT_BINS) $(E2E_BINS)

# The whole suite, as the README and .ci/run give it.
check: tests
	BUILD=$(B) tests/run-all.sh

# The unit and end-to-end tests again, built with ASan and UBSan.
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
sanitize:
	$(MAKE) B=build-san CC=clang CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" tests
	BUILD=build-san ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 tests/run-all.sh '[0-3]*'

.PHONY: tests sanitize
