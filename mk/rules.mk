# The rule language (src/lib/rules): lexer, parser, fields, globs, evaluation.
# Linux only (POSIX regex); the Windows client does not evaluate rules.
LIB_SRCS += $(wildcard src/lib/rules/*.c)

# What the engine costs an event (bench/rules_bench.c); `make bench` runs it.
$(B)/bench/rules_bench: bench/rules_bench.c $(B)/libprocnotify.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PN_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libprocnotify.a $(LDLIBS) $(LIB_EXTRA_LIBS)

bench-rules: $(B)/bench/rules_bench
	$(B)/bench/rules_bench

bench: bench-rules

.PHONY: bench-rules
