# `make install` / `make uninstall`: the daemon, the library (shared with its
# SONAME, static, headers, pkg-config file), man pages, the systemd unit, the
# example config, the logrotate snippet, the rsyslog examples. Every directory
# can be overridden, and DESTDIR stages the whole tree (packaging, tests), e.g.
#   make install PREFIX=/usr SYSCONFDIR=/etc LIBDIR=/usr/lib/x86_64-linux-gnu DESTDIR=/tmp/root
PREFIX     ?= /usr/local
# procnotify is a system daemon that needs root, as auditd: sbin.
BINDIR     ?= $(PREFIX)/sbin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
# The program reads /etc/procnotify/procnotify.conf whatever the prefix, so
# its example goes there too unless told otherwise.
SYSCONFDIR ?= /etc
UNITDIR    ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
# Examples an administrator copies into place: installed where Debian keeps a
# package's examples, never into /etc/rsyslog.d, where they would take effect.
EXAMPLEDIR ?= $(DATADIR)/doc/procnotify/examples
INSTALL    ?= install

MAN_PAGES := $(wildcard man/*.[1-9])
BASH_COMPLETION := $(wildcard packaging/bash-completion/procnotify)
RSYSLOG_EXAMPLES := $(wildcard packaging/rsyslog/*.conf)

# The config file the program reads by default follows SYSCONFDIR (set it
# when building, not only when installing).
PN_CFLAGS += -DPN_SYSCONFDIR='"$(SYSCONFDIR)"'

# Paths the installed files name, filled in at install time.
SUBST = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g' \
	-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@VERSION@|$(PN_VERSION)|g'

$(B)/libprocnotify.pc: packaging/libprocnotify.pc.in include/procnotify/version.h FORCE
	$(SUBST) $< >$@.tmp && mv $@.tmp $@

$(B)/procnotify.service: packaging/systemd/procnotify.service FORCE
	$(SUBST) $< >$@.tmp && mv $@.tmp $@

install: all $(B)/libprocnotify.pc $(B)/procnotify.service
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(INCLUDEDIR)/procnotify $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSCONFDIR)/procnotify $(DESTDIR)$(SYSCONFDIR)/logrotate.d \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(EXAMPLEDIR)/rsyslog
	$(INSTALL) -m 755 $(B)/procnotify $(DESTDIR)$(BINDIR)/procnotify
	$(INSTALL) -m 644 $(B)/libprocnotify.so.$(PN_VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libprocnotify.so.$(PN_VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libprocnotify.so
	$(INSTALL) -m 644 $(B)/libprocnotify.a $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 644 $(B)/libprocnotify.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	$(INSTALL) -m 644 include/procnotify.h $(DESTDIR)$(INCLUDEDIR)/
	$(INSTALL) -m 644 include/procnotify/*.h $(DESTDIR)$(INCLUDEDIR)/procnotify/
	for m in $(MAN_PAGES); do \
		$(INSTALL) -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/ || exit 1; done
	$(INSTALL) -m 644 $(B)/procnotify.service $(DESTDIR)$(UNITDIR)/
	$(INSTALL) -m 644 packaging/logrotate/procnotify $(DESTDIR)$(SYSCONFDIR)/logrotate.d/
	$(if $(BASH_COMPLETION),$(INSTALL) -m 644 $(BASH_COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/procnotify)
	$(INSTALL) -m 644 $(RSYSLOG_EXAMPLES) $(DESTDIR)$(EXAMPLEDIR)/rsyslog/
	[ -e $(DESTDIR)$(SYSCONFDIR)/procnotify/procnotify.conf ] || \
		$(INSTALL) -m 644 packaging/procnotify.conf $(DESTDIR)$(SYSCONFDIR)/procnotify/

# An administrator's config is never overwritten by install, and uninstall
# removes only the other files and a config still as shipped.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/procnotify \
		$(DESTDIR)$(LIBDIR)/libprocnotify.so.$(PN_VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libprocnotify.so $(DESTDIR)$(LIBDIR)/libprocnotify.a \
		$(DESTDIR)$(LIBDIR)/pkgconfig/libprocnotify.pc $(DESTDIR)$(INCLUDEDIR)/procnotify.h \
		$(patsubst include/%,$(DESTDIR)$(INCLUDEDIR)/%,$(wildcard include/procnotify/*.h)) \
		$(foreach m,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
		$(DESTDIR)$(UNITDIR)/procnotify.service $(DESTDIR)$(SYSCONFDIR)/logrotate.d/procnotify \
		$(DESTDIR)$(BASHCOMPDIR)/procnotify \
		$(RSYSLOG_EXAMPLES:packaging/rsyslog/%=$(DESTDIR)$(EXAMPLEDIR)/rsyslog/%)
	-rmdir $(DESTDIR)$(INCLUDEDIR)/procnotify $(DESTDIR)$(EXAMPLEDIR)/rsyslog \
		$(DESTDIR)$(EXAMPLEDIR) $(DESTDIR)$(DATADIR)/doc/procnotify 2>/dev/null
	-cmp -s packaging/procnotify.conf $(DESTDIR)$(SYSCONFDIR)/procnotify/procnotify.conf && \
		rm -f $(DESTDIR)$(SYSCONFDIR)/procnotify/procnotify.conf && \
		rmdir $(DESTDIR)$(SYSCONFDIR)/procnotify

FORCE:
.PHONY: install uninstall FORCE
