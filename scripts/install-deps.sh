#!/bin/bash
# Install what the toolkit needs and is missing, from Debian's packages.
# Usage: scripts/install-deps.sh GROUP...   (groups: audit test kernel build
# kunit guest runtime)
# Quiet when everything is there; one line per package group it installs.
set -euo pipefail

want=()
need() {  # need CHECK PACKAGE: queue PACKAGE unless CHECK succeeds
	if ! eval "$1" >/dev/null 2>&1; then
		want+=("$2")
	fi
}

for group in "$@"; do
	case "$group" in
	audit)
		need "command -v /usr/bin/python3" python3
		need "command -v git" git
		need "command -v spatch" coccinelle
		need "command -v xz" xz-utils
		;;
	test)
		need "command -v /usr/bin/python3" python3
		need "/usr/bin/python3 -c 'import pytest'" python3-pytest
		# checkpatch.pl's SPDX check (scripts/spdxcheck.py)
		need "/usr/bin/python3 -c 'import ply'" python3-ply
		need "/usr/bin/python3 -c 'import git'" python3-git
		# test_runtime_test.py lists the initramfs with cpio(1)
		need "command -v cpio" cpio
		# golden tests run in parallel
		need "/usr/bin/python3 -c 'import xdist'" python3-pytest-xdist
		;;
	kernel)
		need "test -f /usr/src/linux-source-6.12.tar.xz" linux-source-6.12
		;;
	build)
		need "command -v gcc" gcc
		need "command -v make" make
		need "command -v flex" flex
		need "command -v bison" bison
		need "command -v bc" bc
		need "test -f /usr/include/libelf.h" libelf-dev
		need "test -f /usr/include/openssl/ssl.h" libssl-dev
		need "command -v perl" perl
		# the same source compiled the same way twice is compiled once
		need "test -x /usr/lib/ccache/gcc" ccache
		# make convert's layout stage reads struct layouts with pahole
		need "command -v pahole" dwarves
		# make convert runs the kernel's sparse (make C=2) on what it touched
		need "command -v sparse" sparse
		# make convert also builds for i386 and arm64 (build.CROSS_ARCHES)
		need "command -v i686-linux-gnu-gcc" gcc-i686-linux-gnu
		need "command -v aarch64-linux-gnu-gcc" gcc-aarch64-linux-gnu
		;;
	kunit)
		need "command -v qemu-system-x86_64" qemu-system-x86
		;;
	runtime)
		need "command -v qemu-system-x86_64" qemu-system-x86
		;&  # and the guest's userland
	guest)
		# what the runtime test's initramfs is made of
		need "test -x /bin/busybox && ! ldd /bin/busybox" busybox-static
		need "test -x /usr/bin/rdma" iproute2
		need "command -v ldd" libc-bin
		# the guest's test programs, built static
		need "command -v gcc" gcc
		need "test -f /usr/lib/x86_64-linux-gnu/libc.a" libc6-dev
		# the Debian root file system of the NFS/RDMA test (guest_rootfs.py)
		need "command -v mmdebstrap" mmdebstrap
		;;
	*)
		echo "install-deps.sh: unknown group '$group'" >&2
		exit 2
		;;
	esac
done

[ ${#want[@]} -eq 0 ] && exit 0
# De-duplicate, keep order.
mapfile -t want < <(printf '%s\n' "${want[@]}" | awk '!seen[$0]++')

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "missing packages: ${want[*]} (install them as root with apt-get)" >&2
	exit 1
fi
echo "installing missing packages: ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends "${want[@]}" >/tmp/rdma-sge-apt.log 2>&1; then
	apt-get update -q >>/tmp/rdma-sge-apt.log 2>&1 || true
	if ! apt-get install -y -q --no-install-recommends "${want[@]}" >>/tmp/rdma-sge-apt.log 2>&1; then
		echo "could not install ${want[*]}: $(tail -n 1 /tmp/rdma-sge-apt.log) (log: /tmp/rdma-sge-apt.log)" >&2
		exit 1
	fi
fi
