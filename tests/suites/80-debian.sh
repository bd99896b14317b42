# The Debian packages: dpkg-buildpackage -us -uc -b builds procnotify,
# libprocnotify1 and libprocnotify-dev from a copy of the tree in a temporary
# directory (it writes ../*.deb), lintian finds no error, and the unpacked
# packages work: the binary runs (--version, a short monitor run) and the
# example builds against the unpacked library through the unpacked .pc.
. tests/lib.sh
T=$(mktemp -d /tmp/pn-debian.XXXXXX)
cleanup() { rm -rf "$T"; }
trap cleanup EXIT
for tool in dpkg-buildpackage dh lintian; do
	if ! command -v $tool >/dev/null; then
		skip "Debian packages: $tool is not installed (scripts/install-deps.sh)"
		finish
		exit
	fi
done
VERSION=$(sed -n 's/^#define PN_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' include/procnotify/version.h | paste -sd.)
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)

# The tree as it is now, committed or not, without build output.
mkdir "$T/src"
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$T/src"
else
	tar --exclude='./build*' -cf - . | tar -xf - -C "$T/src"
fi
# What is beside the checkout already (other work may leave its own .deb
# files there): the build must add nothing to it.
beside() { ls -d ../*procnotify*.deb ../*procnotify*.changes ../*procnotify*.buildinfo 2>/dev/null; }
BESIDE=$(beside)
(cd "$T/src" && DEB_BUILD_OPTIONS="parallel=2 nocheck" dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1
rc=$?
[ $rc = 0 ] || tail -20 "$T/build.log"
check "dpkg-buildpackage -us -uc -b succeeds" test $rc = 0
for p in procnotify libprocnotify1 libprocnotify-dev; do
	check "package $p is built" test -f "$T/${p}_${VERSION}_$ARCH.deb"
done
check "nothing is written beside the source tree" test "$(beside)" = "$BESIDE"
# The symbols file lists every exported function: one it lacks gives a
# package that uses it a dependency on a library that may not have it
# (22 were missing: the rules, enforcement, ECS and later store calls).
gensymbols() { grep -A30 'dpkg-gensymbols: warning' "$T/build.log"; }
check "dpkg-gensymbols: the symbols file is the library's exports" test -z "$(gensymbols)"

lintian --tag-display-limit 0 "$T/procnotify_${VERSION}_$ARCH.changes" >"$T/lintian" 2>&1
grep -E '^[EW]: ' "$T/lintian"
check "lintian: no error" test "$(grep -c '^E: ' "$T/lintian")" = 0
echo "lintian: $(grep -c '^W: ' "$T/lintian") warnings"

R=$T/root
for p in procnotify libprocnotify1 libprocnotify-dev; do dpkg-deb -x "$T/${p}_${VERSION}_$ARCH.deb" "$R"; done
check "the unpacked binary reports its version" test "$("$R/usr/sbin/procnotify" --version)" = "procnotify $VERSION"
check "the unpacked library has its SONAME link" test "$(readlink "$R/usr/lib/$MA/libprocnotify.so.1")" = "libprocnotify.so.$VERSION"
check "the unit is in the package" test -f "$R/lib/systemd/system/procnotify.service"
check "the rsyslog examples are in the package, not in /etc/rsyslog.d" \
	test -f "$R/usr/share/doc/procnotify/examples/rsyslog/procnotify-edge.conf" -a ! -e "$R/etc/rsyslog.d"
check "the config is a conffile" grep -qx /etc/procnotify/procnotify.conf \
	<(dpkg-deb --ctrl-tarfile "$T/procnotify_${VERSION}_$ARCH.deb" | tar -xOf - ./conffiles)
if is_root; then
	(while :; do /bin/true; sleep 0.1; done) & loop=$!
	"$R/usr/sbin/procnotify" --json -d 1 -o "$T/events.jsonl" 2>"$T/run.err"; rc=$?
	kill "$loop"; wait "$loop" 2>/dev/null
	check "the unpacked binary monitors for a second (exit 0)" test "$rc" = 0
	check "... and reports events" test "$(grep -c '"type":"exec"' "$T/events.jsonl")" -gt 0
else
	skip "the unpacked binary's monitor run: needs root"
fi

export PKG_CONFIG_SYSROOT_DIR=$R
PKG_CONFIG_LIBDIR=$R/usr/lib/$MA/pkgconfig:$(pkg-config --variable pc_path pkg-config)
export PKG_CONFIG_LIBDIR
make -s -C examples O="$T" CC=gcc >"$T/ex.log" 2>&1
check "the example builds against the unpacked -dev package (shared and static)" \
	test $? = 0 -a -x "$T/watch" -a -x "$T/watch-static"
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
check "the example runs with the unpacked library" \
	test "$(LD_LIBRARY_PATH=$R/usr/lib/$MA "$T/watch" --version)" = "header $VERSION library $VERSION"
check "... and it is the unpacked one it loads" \
	grep -q "$R/usr/lib/$MA/libprocnotify.so.1" <(LD_LIBRARY_PATH=$R/usr/lib/$MA ldd "$T/watch")
finish
