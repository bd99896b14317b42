# Windows: procnotify.sys (kernel driver) and procnotify.exe (client), cross-built
# with mingw-w64. `make windows` builds the release driver and client, plus a
# test build of the driver with the injection IOCTL (in $(WIN_B)/test/ only, never
# next to the release driver; its device and service are procnotify-test) and the
# test helper (malformed IOCTLs, injection) the Wine tests use.
# The client compiles the shared decoder and formatters from src/lib, not copies.

WIN_CC      ?= x86_64-w64-mingw32-gcc
WIN_OBJCOPY ?= x86_64-w64-mingw32-objcopy
WIN_DDK     ?= /usr/x86_64-w64-mingw32/include/ddk
WIN_B       := $(B)/windows

WIN_CFLAGS  := -std=gnu11 -O2 -g -Wall -Wextra -Wshadow -Wno-unused-parameter \
               -Iinclude -Iwindows/include
# Pool tags are multi-character constants, as Windows drivers spell them.
# Hardening a kernel image can take: stack canaries (windows/driver/ssp.c
# provides the guard), stack variables zeroed before use (no stale kernel
# memory reaches a reply), format strings checked.
WIN_KCFLAGS := $(WIN_CFLAGS) -Iwindows/common -I$(WIN_DDK) -ffreestanding \
               -fstack-protector-strong -ftrivial-auto-var-init=zero \
               -Wformat=2 -Werror=format-security -Wno-multichar
# --forceinteg: Windows refuses PsSetCreateProcessNotifyRoutineEx to images without it.
# ASLR with 64-bit entropy, no-execute data.
WIN_KLDFLAGS := -nostdlib -Wl,--subsystem,native -Wl,--entry,DriverEntry \
                -Wl,--image-base,0x140000000 -Wl,--forceinteg -Wl,--dynamicbase -Wl,--nxcompat \
                -Wl,--high-entropy-va
WIN_KLIBS   := -lntoskrnl -lhal
# C99 printf (%llu, %zu) in the shared formatters, as on Linux.
WIN_UCFLAGS := $(WIN_CFLAGS) -D__USE_MINGW_ANSI_STDIO=1

WIN_HDRS     := $(wildcard include/procnotify/*.h windows/include/*.h windows/common/*.h)
WIN_DRV_SRCS := $(wildcard windows/driver/*.c windows/common/*.c)
WIN_DRV_REL  := $(filter-out windows/driver/inject.c,$(WIN_DRV_SRCS))
WIN_CLI_SRCS := $(wildcard windows/client/*.c) src/lib/decode.c src/lib/events.c $(wildcard src/lib/fmt/*.c)

WIN_OUT := $(WIN_B)/driver/procnotify.sys $(WIN_B)/symbols/procnotify.sys.debug \
           $(WIN_B)/client/procnotify.exe $(WIN_B)/test/procnotify.sys $(WIN_B)/test/pn_wintest.exe

windows: $(WIN_OUT)

# The release driver ships without DWARF or a symbol table; its symbols are
# kept apart (symbols/procnotify.sys.debug, named by its .gnu_debuglink) for
# a debugger, never installed.
$(WIN_B)/obj/procnotify.sys: $(WIN_DRV_REL) $(WIN_HDRS) windows/driver/pn_driver.h
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_KCFLAGS) -o $@ $(WIN_DRV_REL) $(WIN_KLDFLAGS) $(WIN_KLIBS)

$(WIN_B)/symbols/procnotify.sys.debug: $(WIN_B)/obj/procnotify.sys
	@mkdir -p $(dir $@)
	$(WIN_OBJCOPY) --only-keep-debug $< $@

$(WIN_B)/driver/procnotify.sys: $(WIN_B)/obj/procnotify.sys $(WIN_B)/symbols/procnotify.sys.debug
	@mkdir -p $(dir $@)
	$(WIN_OBJCOPY) --strip-all --add-gnu-debuglink=$(WIN_B)/symbols/procnotify.sys.debug $< $@

$(WIN_B)/test/procnotify.sys: $(WIN_DRV_SRCS) $(WIN_HDRS) windows/driver/pn_driver.h
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_KCFLAGS) -DPN_TEST_INJECT -o $@ $(WIN_DRV_SRCS) $(WIN_KLDFLAGS) $(WIN_KLIBS)

$(WIN_B)/client/procnotify.exe: $(WIN_CLI_SRCS) $(WIN_HDRS) windows/client/client.h include/procnotify.h
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_UCFLAGS) -Iwindows/client -municode -o $@ $(WIN_CLI_SRCS) -ladvapi32

$(WIN_B)/test/pn_wintest.exe: windows/tests/pn_wintest.c $(WIN_HDRS)
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_UCFLAGS) -municode -o $@ $< -ladvapi32

# The driver's portable parts (ring, image table, deny rules) run on Linux
# with the other unit tests.
WIN_TEST_FLAGS = $(CC) $(CFLAGS) $(PN_CFLAGS) $(LDFLAGS) -Itests/unit -Iwindows/common -Iwindows/include

$(B)/tests/test_win_ring: tests/unit/test_win_ring.c windows/common/pn_ring.c windows/common/pn_ring.h
	@mkdir -p $(dir $@)
	$(WIN_TEST_FLAGS) -o $@ tests/unit/test_win_ring.c windows/common/pn_ring.c

$(B)/tests/test_win_images: tests/unit/test_win_images.c windows/common/pn_images.c windows/common/pn_images.h
	@mkdir -p $(dir $@)
	$(WIN_TEST_FLAGS) -o $@ tests/unit/test_win_images.c windows/common/pn_images.c

$(B)/tests/test_win_deny: tests/unit/test_win_deny.c windows/common/pn_deny.c windows/common/pn_deny.h windows/include/pn_ioctl.h
	@mkdir -p $(dir $@)
	$(WIN_TEST_FLAGS) -o $@ tests/unit/test_win_deny.c windows/common/pn_deny.c

.PHONY: windows
