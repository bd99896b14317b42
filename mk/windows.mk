# Windows: procnotify.sys (kernel driver) and procnotify.exe (client), cross-built
# with mingw-w64. `make windows` builds the release driver and client, plus a
# test build of the driver with the injection IOCTL (in $(WIN_B)/test/ only, never
# next to the release driver) and the test helper (malformed IOCTLs, injection) the Wine tests use.
# The client compiles the shared decoder and formatters from src/lib, not copies.

WIN_CC  ?= x86_64-w64-mingw32-gcc
WIN_DDK ?= /usr/x86_64-w64-mingw32/include/ddk
WIN_B   := $(B)/windows

WIN_CFLAGS  := -std=gnu11 -O2 -g -Wall -Wextra -Wshadow -Wno-unused-parameter \
               -Iinclude -Iwindows/include
# Pool tags are multi-character constants, as Windows drivers spell them.
WIN_KCFLAGS := $(WIN_CFLAGS) -Iwindows/common -I$(WIN_DDK) -ffreestanding -fno-stack-protector \
               -Wno-multichar
# --forceinteg: Windows refuses PsSetCreateProcessNotifyRoutineEx to images without it.
WIN_KLDFLAGS := -nostdlib -Wl,--subsystem,native -Wl,--entry,DriverEntry \
                -Wl,--image-base,0x140000000 -Wl,--forceinteg -Wl,--dynamicbase -Wl,--nxcompat
WIN_KLIBS   := -lntoskrnl -lhal
# C99 printf (%llu, %zu) in the shared formatters, as on Linux.
WIN_UCFLAGS := $(WIN_CFLAGS) -D__USE_MINGW_ANSI_STDIO=1

WIN_HDRS     := $(wildcard include/procnotify/*.h windows/include/*.h windows/common/*.h)
WIN_DRV_SRCS := $(wildcard windows/driver/*.c windows/common/*.c)
WIN_DRV_REL  := $(filter-out windows/driver/inject.c,$(WIN_DRV_SRCS))
WIN_CLI_SRCS := windows/client/main.c src/lib/decode.c src/lib/events.c $(wildcard src/lib/fmt/*.c)

WIN_OUT := $(WIN_B)/driver/procnotify.sys $(WIN_B)/client/procnotify.exe \
           $(WIN_B)/test/procnotify.sys $(WIN_B)/test/pn_wintest.exe

windows: $(WIN_OUT)

$(WIN_B)/driver/procnotify.sys: $(WIN_DRV_REL) $(WIN_HDRS) windows/driver/pn_driver.h
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_KCFLAGS) -o $@ $(WIN_DRV_REL) $(WIN_KLDFLAGS) $(WIN_KLIBS)

$(WIN_B)/test/procnotify.sys: $(WIN_DRV_SRCS) $(WIN_HDRS) windows/driver/pn_driver.h
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_KCFLAGS) -DPN_TEST_INJECT -o $@ $(WIN_DRV_SRCS) $(WIN_KLDFLAGS) $(WIN_KLIBS)

$(WIN_B)/client/procnotify.exe: $(WIN_CLI_SRCS) $(WIN_HDRS) include/procnotify.h
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_UCFLAGS) -o $@ $(WIN_CLI_SRCS) -ladvapi32

$(WIN_B)/test/pn_wintest.exe: windows/tests/pn_wintest.c $(WIN_HDRS)
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_UCFLAGS) -municode -o $@ $< -ladvapi32

# The driver's ring is portable C, so its unit test runs on Linux with the others.
$(B)/tests/test_win_ring: tests/unit/test_win_ring.c windows/common/pn_ring.c windows/common/pn_ring.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PN_CFLAGS) $(LDFLAGS) -Itests/unit -Iwindows/common -o $@ tests/unit/test_win_ring.c windows/common/pn_ring.c

.PHONY: windows
