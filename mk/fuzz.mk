# Fuzzing (tests/fuzz/README.md): libFuzzer targets built with clang's
# -fsanitize=fuzzer,address,undefined against a library and CLI built the
# same way in build-fuzz/. `make fuzz` runs each target for FUZZ_SECS
# seconds (default 60) from its seed corpus in tests/fuzz/corpus/TARGET/;
# `make check` runs each for a few seconds (tests/suites/85-fuzz.sh).

FUZZ_B       := build-fuzz
FUZZ_SECS    ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS  := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
                -fno-sanitize-recover=all
# The CLI's pieces but its main(): the options target calls its parsers.
FUZZ_CLI_OBJS = $(patsubst %.c,$(B)/%.o,$(filter-out src/cli/main.c,$(wildcard src/cli/*.c)))

$(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(B)/libprocnotify.a $(FUZZ_CLI_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PN_CFLAGS) -Isrc/cli -fsanitize=fuzzer,address,undefined -o $@ $< \
		$(FUZZ_CLI_OBJS) $(B)/libprocnotify.a $(LDLIBS) $(LIB_EXTRA_LIBS)

fuzz-targets: $(FUZZ_TARGETS:%=$(B)/fuzz/%)

fuzz-build:
	$(MAKE) B=$(FUZZ_B) CC=clang CFLAGS="$(FUZZ_CFLAGS)" LDFLAGS="-fsanitize=address,undefined" \
		fuzz-targets

fuzz: fuzz-build
	tests/fuzz/run.sh $(FUZZ_B) $(FUZZ_SECS) $(FUZZ_TARGETS)

.PHONY: fuzz fuzz-build fuzz-targets

# The decode target's seeds: one well-formed record of each kind.
fuzz-seeds: tests/fuzz/seed_decode.c tests/unit/recbuild.h
	@mkdir -p $(B)/fuzz tests/fuzz/corpus/fuzz_decode
	$(CC) $(CFLAGS) $(PN_CFLAGS) -Itests/unit -o $(B)/fuzz/seed_decode $<
	$(B)/fuzz/seed_decode tests/fuzz/corpus/fuzz_decode

.PHONY: fuzz-seeds
