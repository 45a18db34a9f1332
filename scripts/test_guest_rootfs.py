"""The runtime guest's Debian root file system: the tar to cpio
conversion, read back by cpio(1), and the cache."""

import io
import os
import stat
import subprocess
import tarfile

import pytest

import guest_rootfs


def add(tar: tarfile.TarFile, name: str, kind=tarfile.REGTYPE,
        data: bytes = b"", mode=0o644, **extra) -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.uid = extra.pop("uid", 0)
    for attr, value in extra.items():
        setattr(info, attr, value)
    tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


@pytest.fixture
def rootfs_tar(tmp_path):
    """Shaped after mmdebstrap's output: ./-relative names, a merged /usr
    with symlinks, a hard link, a setuid binary, a device node."""
    path = tmp_path / "rootfs.tar"
    with tarfile.open(path, "w") as tar:
        add(tar, "./", tarfile.DIRTYPE, mode=0o755)
        add(tar, "./usr/", tarfile.DIRTYPE, mode=0o755)
        add(tar, "./usr/sbin/", tarfile.DIRTYPE, mode=0o755)
        add(tar, "./sbin", tarfile.SYMTYPE, linkname="usr/sbin")
        add(tar, "./usr/sbin/rpc.nfsd", data=b"\x7fELF nfsd" * 1000,
            mode=0o755)
        add(tar, "./usr/sbin/rpc.statd", tarfile.LNKTYPE,
            linkname="./usr/sbin/rpc.nfsd")
        add(tar, "./usr/sbin/mount.nfs", data=b"mount", mode=0o4755)
        add(tar, "./etc/", tarfile.DIRTYPE, mode=0o755)
        add(tar, "./etc/odd", data=b"123")  # not a multiple of 4
        add(tar, "./var/", tarfile.DIRTYPE, mode=0o755)
        add(tar, "./var/lib/", tarfile.DIRTYPE, mode=0o755)
        add(tar, "./var/lib/nfs/", tarfile.DIRTYPE, mode=0o755, uid=104)
        add(tar, "./dev/", tarfile.DIRTYPE, mode=0o755)
        add(tar, "./dev/null", tarfile.CHRTYPE, mode=0o666, devmajor=1,
            devminor=3)
    return path


def test_tar_becomes_a_cpio_under_the_prefix(rootfs_tar, tmp_path):
    cpio = tmp_path / "rootfs.cpio"
    with open(cpio, "wb") as out:
        count = guest_rootfs.tar_to_cpio(rootfs_tar, out)
    assert cpio.stat().st_size % 4 == 0
    listing = subprocess.run(["cpio", "-t", "--quiet"], stdin=open(cpio, "rb"),
                             capture_output=True, text=True, check=True)
    names = listing.stdout.split()
    assert len(names) == count
    assert all(n == "debian" or n.startswith("debian/") for n in names)
    # the device node is left out: the guest mounts devtmpfs there
    assert "debian/dev" in names and "debian/dev/null" not in names
    out = tmp_path / "x"
    out.mkdir()
    subprocess.run(["cpio", "-idm", "--quiet", "--no-absolute-filenames"],
                   stdin=open(cpio, "rb"), cwd=out, check=True)
    root = out / "debian"
    assert os.readlink(root / "sbin") == "usr/sbin"
    nfsd = root / "usr/sbin/rpc.nfsd"
    assert nfsd.read_bytes() == b"\x7fELF nfsd" * 1000
    # the hard link carries its target's data
    assert (root / "usr/sbin/rpc.statd").read_bytes() == nfsd.read_bytes()
    assert stat.S_IMODE((root / "usr/sbin/mount.nfs").stat().st_mode) \
        == 0o4755
    assert (root / "etc/odd").read_bytes() == b"123"
    assert (root / "var/lib/nfs").stat().st_uid == 104


def test_the_key_follows_the_package_list():
    base = guest_rootfs.key()
    assert guest_rootfs.key(packages=("netbase", "nfs-kernel-server")) \
        == guest_rootfs.key(packages=("nfs-kernel-server", "netbase"))
    assert guest_rootfs.key(packages=(*guest_rootfs.PACKAGES, "fio")) != base
    assert guest_rootfs.key(suite="trixie") != base


def test_a_cached_rootfs_is_not_built_again(tmp_path, monkeypatch):
    # no mmdebstrap on PATH: a build would fail, the cache answers
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    cached = tmp_path / f"rootfs-{guest_rootfs.key()}.cpio"
    cached.write_bytes(b"070701")
    rootfs = guest_rootfs.build(tmp_path, log=lambda _: None)
    assert rootfs.cpio == cached and not rootfs.built
    cached.unlink()
    with pytest.raises(guest_rootfs.RootfsError,
                       match="mmdebstrap not found"):
        guest_rootfs.build(tmp_path, log=lambda _: None)


@pytest.mark.kernel
def test_the_real_root_file_system():
    """mmdebstrap from the apt sources this machine has, into the tests'
    cache where make runtime-test finds it: (in make test this runs in the
    group of kernel tests that needs no converted tree, beside the other
    group's builds, so the runtime test does not wait for it).  What the
    guest runs from it is there, under /debian."""
    from conftest import CACHE
    rootfs = guest_rootfs.build(CACHE / "runtime", log=lambda m: None)
    assert rootfs.cpio.name == f"rootfs-{guest_rootfs.key()}.cpio"
    assert rootfs.cpio.stat().st_size % 4 == 0
    listing = subprocess.run(["cpio", "-t", "--quiet"],
                             stdin=open(rootfs.cpio, "rb"),
                             capture_output=True, text=True, check=True)
    names = set(listing.stdout.split())
    for tool in ("usr/sbin/rpc.nfsd", "usr/sbin/rpc.mountd",
                 "usr/sbin/exportfs", "usr/sbin/rpcbind",
                 "usr/sbin/mount.nfs"):
        assert f"debian/{tool}" in names, tool
    assert not any(n.startswith("debian/usr/share/man/") and
                   n.count("/") > 4 for n in names)
    # no temporary file of the build is left beside it
    assert sorted(p.name for p in rootfs.cpio.parent.glob("rootfs-*")) \
        == [rootfs.cpio.name]
