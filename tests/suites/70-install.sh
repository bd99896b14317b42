# make install into a staged tree: every file where it belongs, a shared
# library with its SONAME exporting only the public API, a pkg-config file
# that builds the example (shared and static) against the staged tree
# alone, and make uninstall removing it all again.
. tests/lib.sh
T=$(mktemp -d /tmp/pn-install.XXXXXX)
cleanup() { rm -rf "$T"; }
trap cleanup EXIT
R=$T/root
LIBDIR=/usr/lib/x86_64-linux-gnu
VERSION=$(sed -n 's/^#define PN_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' include/procnotify/version.h | paste -sd.)

make -s B="$BUILD" install DESTDIR="$R" PREFIX=/usr LIBDIR=$LIBDIR >"$T/install.log" 2>&1
check "make install DESTDIR=... PREFIX=/usr succeeds" test $? = 0
(cd "$R" && find . \( -type f -o -type l \) | sort) >"$T/files"
for f in ./usr/sbin/procnotify .$LIBDIR/libprocnotify.so.$VERSION .$LIBDIR/libprocnotify.so.1 \
	.$LIBDIR/libprocnotify.so .$LIBDIR/libprocnotify.a .$LIBDIR/pkgconfig/libprocnotify.pc \
	./usr/include/procnotify.h ./usr/include/procnotify/version.h \
	./usr/share/man/man8/procnotify.8 ./usr/share/man/man5/procnotify.conf.5 \
	./usr/share/man/man7/procnotify-rules.7 \
	./usr/share/man/man3/libprocnotify.3 ./usr/share/bash-completion/completions/procnotify \
	./lib/systemd/system/procnotify.service \
	./etc/procnotify/procnotify.conf ./etc/logrotate.d/procnotify \
	./usr/share/doc/procnotify/examples/rsyslog/procnotify-edge.conf \
	./usr/share/doc/procnotify/examples/rsyslog/procnotify-central.conf; do
	check "installed: $f" grep -qxF "$f" "$T/files"
done
check "every public header is installed" \
	test "$(ls include/procnotify/*.h | wc -l)" = "$(ls "$R"/usr/include/procnotify/*.h | wc -l)"
check "libprocnotify.so.1 and .so are links to the versioned file" \
	test "$(readlink "$R/$LIBDIR/libprocnotify.so.1")-$(readlink "$R/$LIBDIR/libprocnotify.so")" = \
	"libprocnotify.so.$VERSION-libprocnotify.so.1"
check "the SONAME is libprocnotify.so.1" \
	grep -q 'Library soname: \[libprocnotify.so.1\]' <(readelf -d "$R/$LIBDIR/libprocnotify.so.$VERSION")
if command -v logrotate >/dev/null; then
	logrotate --debug --state "$T/logrotate.state" "$R/etc/logrotate.d/procnotify" >"$T/logrotate.out" 2>&1
	check "logrotate accepts the installed snippet" test $? = 0 -a "$(grep -ci error "$T/logrotate.out")" = 0
else
	skip "logrotate is not installed (scripts/install-deps.sh)"
fi
check "the service names the installed binary" grep -q '^ExecStart=/usr/sbin/procnotify ' "$R/lib/systemd/system/procnotify.service"

# The exports: the public API only, each declared in an installed header.
nm -D --defined-only "$R/$LIBDIR/libprocnotify.so.$VERSION" | awk '$2 ~ /^[TDBRVW]$/ {sub(/@.*/, "", $3); print $3}' | sort >"$T/exports"
check "the library exports something" test "$(wc -l <"$T/exports")" -gt 20
check "no internal pn__ symbol is exported" test "$(grep -c '^pn__' "$T/exports")" = 0
undeclared() { while read -r s; do grep -qw "$s" "$R"/usr/include/procnotify.h "$R"/usr/include/procnotify/*.h || echo "$s"; done <"$T/exports"; }
check "every export is declared in an installed header" test -z "$(undeclared)"
check "pn_version is exported" grep -qx pn_version "$T/exports"
# And the other way: every function an installed header declares is there
# (a declaration without PN_EXPORT is hidden by -fvisibility=hidden).
grep -hoE '^[A-Za-z_].*[ *]pn_[a-z][a-z0-9_]*\(' "$R"/usr/include/procnotify.h "$R"/usr/include/procnotify/*.h |
	grep -v -e '^typedef' -e '^#' | grep -oE 'pn_[a-z][a-z0-9_]*\($' | tr -d '(' | sort -u >"$T/declared"
check "the headers declare functions" test "$(wc -l <"$T/declared")" -gt 20
check "every function of the installed headers is exported $(comm -23 "$T/declared" "$T/exports" | tr '\n' ' ')" \
	test -z "$(comm -23 "$T/declared" "$T/exports")"

# The example, through the staged pkg-config file only.
export PKG_CONFIG_SYSROOT_DIR=$R
PKG_CONFIG_LIBDIR=$R$LIBDIR/pkgconfig:$(pkg-config --variable pc_path pkg-config)
export PKG_CONFIG_LIBDIR
check "pkg-config reports the version" test "$(pkg-config --modversion libprocnotify)" = "$VERSION"
check "pkg-config --static --libs names the private dependencies" \
	test "$(pkg-config --static --libs libprocnotify | grep -o -e -lbpf -e -lsqlite3 -e -lelf -e -lz | sort -u | wc -l)" = 4
check "pkg-config --cflags points into the staged tree" grep -q -- "-I$R/usr/include" <(pkg-config --cflags libprocnotify)
make -s -C examples O="$T" CC=gcc >"$T/ex.log" 2>&1
check "the example builds shared and static from the staged tree" test $? = 0 -a -x "$T/watch" -a -x "$T/watch-static"
cat "$T/ex.log"
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
check "the shared example needs libprocnotify.so.1" grep -q 'NEEDED.*\[libprocnotify.so.1\]' <(readelf -d "$T/watch")
check "the static example does not" test "$(readelf -d "$T/watch-static" | grep -c 'NEEDED.*procnotify')" = 0
check "the shared example runs with the staged library" \
	test "$(LD_LIBRARY_PATH=$R$LIBDIR "$T/watch" --version)" = "header $VERSION library $VERSION"
check "the static example runs" test "$("$T/watch-static" --version)" = "header $VERSION library $VERSION"
if is_root; then
	# Attaching takes a moment: keep starting the marker until the run ends.
	watch_sees() {
		local out loop
		(while :; do /bin/echo pn-example-marker >/dev/null; sleep 0.2; done) & loop=$!
		out=$(env LD_LIBRARY_PATH="$R$LIBDIR" "$1" 2)
		kill "$loop"; wait "$loop" 2>/dev/null
		grep -q '^exec [0-9]* /usr/bin/echo$' <<<"$out" && grep -q '^backend ' <<<"$out"
	}
	check "the shared example reports a process's exec" watch_sees "$T/watch"
	check "the static example reports a process's exec" watch_sees "$T/watch-static"
else
	skip "the examples' monitoring runs: need root"
fi

# uninstall: nothing left but directories, and an edited config is kept.
make -s B="$BUILD" uninstall DESTDIR="$R" PREFIX=/usr LIBDIR=$LIBDIR >"$T/uninstall.log" 2>&1
check "make uninstall removes every installed file" test "$(find "$R" ! -type d | wc -l)" = 0
make -s B="$BUILD" install DESTDIR="$R" >/dev/null 2>&1
echo 'backend = netlink' >>"$R/etc/procnotify/procnotify.conf"
make -s B="$BUILD" install DESTDIR="$R" >/dev/null 2>&1
check "install keeps an edited config" grep -q '^backend = netlink' "$R/etc/procnotify/procnotify.conf"
make -s B="$BUILD" uninstall DESTDIR="$R" >/dev/null 2>&1
check "uninstall keeps an edited config and removes the rest" \
	test "$(cd "$R" && find . ! -type d)" = ./etc/procnotify/procnotify.conf
finish
