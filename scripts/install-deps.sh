#!/bin/sh
# Installs what procnotify needs to build and test on Debian 12, as root.
# Idempotent: apt-get skips what is already there.
set -eu
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (sudo $0)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# fapolicyd is a peer of `make bench`, which starts and stops it itself. Its
# package enables and starts the service with its default rule, which
# denies every exec on the host: mask the unit before it is installed.
mkdir -p /etc/systemd/system
[ -e /etc/systemd/system/fapolicyd.service ] || ln -s /dev/null /etc/systemd/system/fapolicyd.service
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	make gcc g++ libc6-dev clang llvm libclang-rt-14-dev pkg-config \
	libbpf-dev bpftool libelf-dev zlib1g-dev \
	libsqlite3-dev sqlite3 unicode-data libseccomp-dev chromium \
	python3 util-linux procps valgrind time gcovr \
	libbpf-tools forkstat fapolicyd \
	mingw-w64 wine wine64 \
	systemd groff-base dpkg-dev debhelper lintian logrotate \
	rsyslog rsyslog-relp >/dev/null
echo "install-deps.sh: build and test dependencies are installed"
