# The monitor's sandbox (src/lib/linux/sandbox.c) filters system calls with libseccomp.
LIB_EXTRA_LIBS += -lseccomp

# A program that opens the library, enters the sandbox and then makes the
# call it is told to: the e2e tests expect SIGSYS for a forbidden one.
$(B)/tests/sandbox_probe: tests/e2e/sandbox_probe.c $(B)/libprocnotify.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PN_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libprocnotify.a $(LDLIBS) $(LIB_EXTRA_LIBS)

tests: $(B)/tests/sandbox_probe
