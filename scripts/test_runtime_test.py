"""Tests for runtime_test.py; the real boot (three kernels, minutes) is
marked kernel and runtime."""

import gzip
import subprocess
import sys

import pytest

import runtime_test
from conftest import CACHE, TOOLKIT


def test_fragment_options_and_what_did_not_take(tmp_path):
    fragment = tmp_path / "f.config"
    fragment.write_text("# comment\nCONFIG_A=y\n# CONFIG_B is not set\n"
                        "CONFIG_C=n\nCONFIG_D=64\n")
    wanted = runtime_test.fragment_options(fragment)
    assert wanted == {"CONFIG_A": "y", "CONFIG_B": "n", "CONFIG_C": "n",
                      "CONFIG_D": "64"}
    final = "CONFIG_A=y\nCONFIG_C=y\n# CONFIG_B is not set\nCONFIG_D=64\n"
    assert runtime_test.missing_options(final, wanted) == [
        "CONFIG_C=n (got y)"]
    assert runtime_test.missing_options("", {"CONFIG_A": "y"}) == [
        "CONFIG_A=y (got n)"]


def test_the_shipped_fragments_ask_for_what_the_issue_needs():
    base = runtime_test.fragment_options(runtime_test.CONFIG_FRAGMENT)
    for option in ("CONFIG_RDMA_RXE", "CONFIG_RDMA_SIW", "CONFIG_NVME_RDMA",
                   "CONFIG_NVME_TARGET_RDMA", "CONFIG_BLK_DEV_RAM",
                   "CONFIG_CONFIGFS_FS", "CONFIG_DEVTMPFS",
                   "CONFIG_SERIAL_8250_CONSOLE"):
        assert base[option] == "y", option
    assert "=m" not in runtime_test.CONFIG_FRAGMENT.read_text()
    debug = runtime_test.fragment_options(runtime_test.DEBUG_FRAGMENT)
    assert debug["CONFIG_KASAN"] == "y"
    assert debug["CONFIG_SLUB_TINY"] == "n"  # tinyconfig's, blocks KASAN
    assert debug["CONFIG_PROVE_LOCKING"] == "y"
    assert debug["CONFIG_DEBUG_SG"] == "y"


def test_initramfs_is_a_cpio_with_init_tools_and_libraries(tmp_path):
    image = runtime_test.make_initramfs(tmp_path / "i.cpio.gz")
    listing = subprocess.run(["cpio", "-t", "--quiet"],
                             input=gzip.decompress(image.read_bytes()),
                             capture_output=True, check=True).stdout.decode()
    names = set(listing.split())
    assert {"init", "bin/busybox", "bin/sh", "bin/dd", "usr/bin/rdma",
            "usr/sbin/ip"} <= names
    for lib in runtime_test.libraries("/usr/bin/rdma"):
        assert lib.lstrip("/") in names, lib
    assert any("libmnl" in n for n in names)
    extracted = tmp_path / "x"
    extracted.mkdir()
    subprocess.run(["cpio", "-id", "--quiet"], cwd=extracted, check=True,
                   input=gzip.decompress(image.read_bytes()))
    assert (extracted / "init").read_bytes() == \
        runtime_test.GUEST_INIT.read_bytes()
    assert (extracted / "bin/sh").is_symlink()


def test_parse_result_lines_and_crashes():
    ok = "boot\nRUNTIME rxe: PASS\n"
    assert runtime_test.parse_result(ok, "rxe") == (True, "")
    bad = "RUNTIME siw: FAIL 4k block 17 differs\n"
    assert runtime_test.parse_result(bad, "siw") == (False,
                                                     "4k block 17 differs")
    assert runtime_test.parse_result(ok, "siw")[0] is False
    # the console's first line starts with the firmware's escape codes
    first = "Booting from ROM..\x1bc\x1b[2JRUNTIME rxe: FAIL no KASAN\n"
    assert runtime_test.parse_result(first, "rxe") == (False, "no KASAN")
    panic = "Kernel panic - not syncing: panic_on_warn set ...\n"
    assert runtime_test.parse_result(panic, "rxe") == (
        False, "Kernel panic - not syncing: panic_on_warn set ...")


def test_debug_boots_with_panic_on_warn(tmp_path):
    plain = runtime_test.qemu_command(tmp_path / "bz", tmp_path / "i",
                                      "rxe", False)
    debug = runtime_test.qemu_command(tmp_path / "bz", tmp_path / "i",
                                      "siw", True)
    assert "panic_on_warn=1" not in plain[plain.index("-append") + 1]
    append = debug[debug.index("-append") + 1]
    assert "panic_on_warn=1" in append and "rdmadev=siw" in append
    assert "rdmadebug=1" in append


def test_runtime_test_before_convert_is_one_clear_error(kernel_shaped,
                                                        tmp_path):
    result = subprocess.run(
        [sys.executable, str(TOOLKIT / "scripts/rdma_sge.py"), "--kernel",
         str(kernel_shaped), "--cache", str(tmp_path / "c"), "--reports",
         str(tmp_path / "r"), "runtime-test"], capture_output=True,
        text=True)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "run `make convert` first" in lines[0]


@pytest.mark.kernel
@pytest.mark.runtime
def test_make_runtime_test_on_the_default_tree(default_tree):
    """Three kernels (converted, base control, debug) built from the work
    branch, each booted on rxe and on siw: every run passes."""
    convert = subprocess.run(
        [sys.executable, str(TOOLKIT / "scripts/rdma_sge.py"), "--cache",
         str(CACHE), "convert"], capture_output=True, text=True,
        timeout=3600)
    assert convert.returncode == 0, convert.stdout[-2000:]
    result = subprocess.run(
        [sys.executable, str(TOOLKIT / "scripts/rdma_sge.py"), "--cache",
         str(CACHE), "runtime-test"], capture_output=True, text=True,
        timeout=5400)
    out = result.stdout + result.stderr
    for variant in ("converted", "base", "debug"):
        for device in ("rxe", "siw"):
            assert f"{variant} kernel, {device}: PASS" in out, out[-4000:]
    assert result.returncode == 0, out[-4000:]
