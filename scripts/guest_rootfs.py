"""The runtime guest's Debian root file system.

What the busybox initramfs cannot hold, the user space of a ULP's server
and client (NFS/RDMA: nfs-utils and rpcbind), comes from Debian's packages:
mmdebstrap builds a minbase system with them from the apt sources this
machine reaches, into a tar; the tar becomes an uncompressed newc cpio
whose entries sit under /debian.  Appended to the busybox initramfs the
kernel unpacks both, and the guest's /init chroots into /debian for those
tests.  Uncompressed, because a TCG guest inflates 170 MB slower than it
copies it.

The cpio is cached under the runtime cache by a key of the suite, the
package list and the build options, and rebuilt only when one of them
changes.
"""

import hashlib
import os
import shutil
import stat
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

SUITE = "bookworm"
# nfs-kernel-server brings nfs-common (mount.nfs) and rpcbind; netbase the
# /etc/protocols and /etc/services that libtirpc looks names up in;
# open-iscsi the iSCSI initiator's iscsid and iscsiadm (iSER); ksmbd-tools
# ksmbd.mountd and ksmbd.adduser, cifs-utils mount.cifs (SMB Direct)
PACKAGES = ("nfs-kernel-server", "netbase", "open-iscsi", "ksmbd-tools",
            "cifs-utils")
# where the root file system sits in the guest's initramfs
PREFIX = "debian"
MMDEBSTRAP_OPTIONS = (
    "--variant=minbase",
    "--aptopt=APT::Install-Recommends \"false\"",
    *(f"--dpkgopt=path-exclude=/usr/share/{d}/*"
      for d in ("doc", "man", "locale", "info")),
)


class RootfsError(Exception):
    """The root file system cannot be built; one line of text."""


@dataclass
class Rootfs:
    cpio: Path
    built: bool       # False: taken from the cache
    seconds: float    # the build's time (0 when cached)


def key(suite: str = SUITE, packages=PACKAGES,
        options=MMDEBSTRAP_OPTIONS) -> str:
    """What the cached cpio depends on, as a short hash."""
    text = "\n".join([suite, *sorted(packages), *options, PREFIX])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def mmdebstrap_command(tar: Path, suite: str = SUITE,
                       packages=PACKAGES) -> list[str]:
    return ["mmdebstrap", *MMDEBSTRAP_OPTIONS,
            f"--include={','.join(packages)}", suite, str(tar)]


def newc_header(ino: int, mode: int, uid: int, gid: int, mtime: int,
                size: int, name: bytes) -> bytes:
    """A newc cpio header followed by name (NUL-terminated, unpadded)."""
    fields = (ino, mode, uid, gid, 1, mtime, size, 0, 0, 0, 0, len(name), 0)
    return ("070701" + "".join(f"{v:08X}" for v in fields)).encode() + name


def _pad(out: BinaryIO, written: int) -> int:
    pad = -written % 4
    out.write(b"\0" * pad)
    return written + pad


def tar_to_cpio(tar_path: Path, out: BinaryIO, prefix: str = PREFIX) -> int:
    """Writes tar_path's files, directories and symlinks as a newc cpio
    under prefix/ (hard links as copies; device nodes and fifos left out:
    the guest mounts devtmpfs); returns the number of entries."""
    written = 0
    count = 0
    ino = 0

    def entry(name: str, mode: int, uid: int, gid: int, mtime: int,
              data: bytes) -> None:
        nonlocal written, count, ino
        ino += 1
        encoded = name.encode() + b"\0"
        header = newc_header(ino, mode, uid, gid, mtime, len(data), encoded)
        out.write(header)
        written = _pad(out, written + len(header))
        out.write(data)
        written = _pad(out, written + len(data))
        count += 1

    entry(prefix, stat.S_IFDIR | 0o755, 0, 0, 0, b"")
    with tarfile.open(tar_path) as tar:
        for member in tar:
            name = member.name.removeprefix("./").rstrip("/")
            if not name:
                continue
            path = f"{prefix}/{name}"
            perm = member.mode & 0o7777
            if member.isdir():
                entry(path, stat.S_IFDIR | perm, member.uid, member.gid,
                      int(member.mtime), b"")
            elif member.issym():
                entry(path, stat.S_IFLNK | 0o777, member.uid, member.gid,
                      int(member.mtime), member.linkname.encode())
            elif member.isfile() or member.islnk():
                handle = tar.extractfile(member)
                data = handle.read() if handle else b""
                entry(path, stat.S_IFREG | perm, member.uid, member.gid,
                      int(member.mtime), data)
    header = newc_header(ino + 1, 0, 0, 0, 0, 0, b"TRAILER!!!\0")
    out.write(header)
    _pad(out, written + len(header))
    return count


def build(cache: Path, log=print) -> Rootfs:
    """The cached cpio for the current key, built when missing."""
    cpio = cache / f"rootfs-{key()}.cpio"
    if cpio.exists():
        return Rootfs(cpio, False, 0.0)
    if shutil.which("mmdebstrap") is None:
        raise RootfsError("mmdebstrap not found: make runtime-test installs "
                          "it (Debian package mmdebstrap)")
    cache.mkdir(parents=True, exist_ok=True)
    # names of this process's own: make test builds it in the other
    # group of kernel tests, which may still be at it when the runtime
    # test wants it
    tar = cache / f"rootfs-{key()}.{os.getpid()}.tar"
    partial = cpio.with_suffix(f".{os.getpid()}.partial")
    start = time.monotonic()
    log(f"[rootfs] mmdebstrap {SUITE} with {', '.join(PACKAGES)}")
    done = subprocess.run(mmdebstrap_command(tar), capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        tar.unlink(missing_ok=True)
        lines = [line for line in done.stderr.splitlines()
                 if line.startswith("E:")] or done.stderr.splitlines()[-1:]
        raise RootfsError(f"mmdebstrap failed: {lines[0] if lines else ''}")
    try:
        with open(partial, "wb") as out:
            tar_to_cpio(tar, out)
        partial.replace(cpio)
    finally:
        tar.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    for stale in cache.glob("rootfs-*.cpio"):
        if stale != cpio:
            stale.unlink()
    return Rootfs(cpio, True, time.monotonic() - start)
