# procnotify build. `make` builds the library, the BPF object and the CLI;
# `make check` builds and runs every test suite (see tests/run-all.sh).
# Component fragments live in mk/*.mk so each part owns its own rules.

CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= bpftool
B       := build
ARCH    := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

CFLAGS  ?= -O2 -g
# What the code needs, kept apart from CFLAGS so `make CFLAGS=...` only tunes.
# Hidden visibility: the shared library exports the PN_EXPORT API and no
# internals (include/procnotify/export.h).
PN_CFLAGS := -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter -fPIC -fvisibility=hidden \
           -D_GNU_SOURCE -Iinclude -Isrc/lib -I$(B)
LDLIBS  := -lbpf -lelf -lz -lpthread
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(B) -Iinclude \
              -Wall -Wno-unused-function

# Portable library sources (the Windows client builds these too) and Linux ones.
LIB_PORTABLE := $(wildcard src/lib/*.c src/lib/fmt/*.c)
LIB_LINUX    := $(wildcard src/lib/linux/*.c)
LIB_SRCS     := $(LIB_PORTABLE) $(LIB_LINUX)
CLI_SRCS     := $(wildcard src/cli/*.c)

# The release, from its one definition; the SONAME follows the major number.
version_part = $(shell sed -n 's/^\#define PN_VERSION_$(1) //p' include/procnotify/version.h)
PN_VERSION := $(call version_part,MAJOR).$(call version_part,MINOR).$(call version_part,PATCH)
SONAME  := libprocnotify.so.$(call version_part,MAJOR)

all: $(B)/procnotify $(B)/libprocnotify.a $(B)/libprocnotify.so $(B)/$(SONAME)

# Fragments may add to LIB_SRCS, CLI_SRCS and LIB_EXTRA_LIBS, and add targets.
include $(wildcard mk/*.mk)

LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(B)/%.o)

$(B)/vmlinux.h:
	@mkdir -p $(B)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(B)/procnotify.bpf.o: src/bpf/procnotify.bpf.c $(wildcard src/bpf/*.h) $(wildcard include/procnotify/*.h) $(B)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/procnotify.skel.h: $(B)/procnotify.bpf.o
	$(BPFTOOL) gen skeleton $< name pn_bpf > $@.tmp && mv $@.tmp $@

$(B)/src/lib/linux/bpf_backend.o: $(B)/procnotify.skel.h

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PN_CFLAGS) -MMD -MP -c $< -o $@

$(B)/libprocnotify.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

# Only the public pn_* API is exported (src/lib/libprocnotify.map).
# --no-undefined catches a missing -l at link time; a sanitized build leaves
# the sanitizer runtime to the executable, so it turns this off.
SO_NOUNDEF ?= -Wl,--no-undefined
$(B)/libprocnotify.so.$(PN_VERSION): $(LIB_OBJS) src/lib/libprocnotify.map
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=src/lib/libprocnotify.map \
		$(SO_NOUNDEF) -o $@ $(LIB_OBJS) $(LDLIBS) $(LIB_EXTRA_LIBS)

$(B)/$(SONAME) $(B)/libprocnotify.so: $(B)/libprocnotify.so.$(PN_VERSION)
	ln -sf $(notdir $<) $@

$(B)/procnotify: $(CLI_OBJS) $(B)/libprocnotify.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(B)/libprocnotify.a $(LDLIBS) $(LIB_EXTRA_LIBS)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

clean:
	rm -rf $(B)

.PHONY: all clean check
