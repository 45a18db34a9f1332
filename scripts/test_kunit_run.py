"""Tests for kunit_run.py, and the real make kunit on the default tree
(marked kernel and kunit: it builds a kernel, minutes the first time)."""

import io
import json
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

import guest_kernel
import kunit_run
from conftest import CACHE, CLI, REPORTS

PASS_OUTPUT = """\
[12:00:00] Configuring KUnit Kernel ...
[12:00:05] ============ rdma_sge (13 subtests) ============
[12:00:05] [PASSED] sge_test_sw_map_single
[12:00:05] ============== [PASSED] rdma_sge ===============
[12:00:05] Testing complete. Ran 13 tests: passed: 13
"""

FAIL_OUTPUT = """\
[12:00:05] [FAILED] sge_test_hw_map_single
[12:00:05] Testing complete. Ran 13 tests: passed: 12, failed: 1
"""

# What the suite's range and part tests logged on purpose until they
# stopped warning (the 2026-12-04 run of make kunit): any such line now
# fails the run.
RANGE_WARNING = ("[    3.1] WARNING: CPU: 0 PID: 42 at "
                 "drivers/infiniband/core/sge.c:152 "
                 "rdma_sync_sge_range_for_cpu+0x3a/0x60\n")
PART_WARNING = ("[    3.3] WARNING: CPU: 0 PID: 73 at "
                "drivers/infiniband/core/sge.c:221 "
                "rdma_sge_part+0x4f/0x123\n")


DMA_DEBUG_WARNING = ("[    3.2] WARNING: CPU: 0 PID: 42 at kernel/dma/debug.c:1025 "
                     "check_unmap+0x1c0/0x900\n")


def fake_tree(tmp_path: Path, output: str, log: str, code: int) -> Path:
    """A directory with a stand-in tools/testing/kunit/kunit.py that prints
    output, writes log to BUILD_DIR/test.log and exits with code."""
    tree = tmp_path / "tree"
    script = tree / "tools/testing/kunit/kunit.py"
    script.parent.mkdir(parents=True)
    script.write_text(textwrap.dedent(f"""\
        import sys
        args = sys.argv[1:]
        build = [a.split("=", 1)[1] for a in args if a.startswith("--build_dir=")][0]
        open(build + "/test.log", "w").write({log!r})
        open(build + "/args", "w").write("\\n".join(args))
        sys.stdout.write({output!r})
        sys.exit({code})
        """))
    return tree


def test_command_line(tmp_path):
    cmd = kunit_run.kunit_command(tmp_path / "linux", tmp_path / "build")
    assert cmd[0] == kunit_run.PYTHON
    assert cmd[1] == str(tmp_path / "linux/tools/testing/kunit/kunit.py")
    # the kernel is built already (the debug guest kernel): boot it
    assert cmd[2] == "exec"
    assert "--arch=x86_64" in cmd
    assert f"--build_dir={tmp_path / 'build'}" in cmd
    assert f"--kunitconfig={kunit_run.KUNITCONFIG}" in cmd
    assert cmd[-1] == "rdma_sge"
    assert not any(a.startswith("--qemu_config") for a in cmd)
    cmd = kunit_run.kunit_command(tmp_path, tmp_path,
                                  qemu_config=tmp_path / "q.py")
    assert f"--qemu_config={tmp_path / 'q.py'}" in cmd


def test_kunitconfig_enables_suite_and_dma_debug():
    lines = kunit_run.KUNITCONFIG.read_text().splitlines()
    for option in ("CONFIG_KUNIT=y", "CONFIG_INFINIBAND=y",
                   "CONFIG_INFINIBAND_SGE_KUNIT_TEST=y",
                   "CONFIG_DMA_API_DEBUG=y", "CONFIG_DMA_API_DEBUG_SG=y",
                   "CONFIG_DEBUG_FS=y", "CONFIG_GART_IOMMU=y"):
        assert option in lines


def test_scan_log_any_warning_is_a_problem():
    assert kunit_run.scan_log("boot\nok\n") == []
    assert kunit_run.scan_log("boot\n" + RANGE_WARNING + PART_WARNING) == \
        [RANGE_WARNING.strip(), PART_WARNING.strip()]


def test_scan_log_reports_other_problems():
    log = (DMA_DEBUG_WARNING +
           "[    4.0] BUG: kernel NULL pointer dereference, address: 0\n"
           "[    0.1] DMA-API: debugging enabled by kernel config\n")
    problems = kunit_run.scan_log(log)
    assert len(problems) == 2
    assert "kernel/dma/debug.c" in problems[0]
    assert problems[1].startswith("[    4.0] BUG:")


def test_run_passes_and_streams(tmp_path):
    tree = fake_tree(tmp_path, PASS_OUTPUT, "boot\n", 0)
    out = io.StringIO()
    result = kunit_run.run_kunit(tree, tmp_path / "build", out=out)
    assert result.passed
    assert result.summary == "Testing complete. Ran 13 tests: passed: 13"
    assert "[PASSED] sge_test_sw_map_single" in out.getvalue()
    assert "kunit: PASS" in out.getvalue()
    assert result.log == (tmp_path / "build/test.log").resolve()
    args = (tmp_path / "build/args").read_text().splitlines()
    assert args[0] == "exec" and args[-1] == "rdma_sge"


def test_run_fails_on_failed_test(tmp_path):
    tree = fake_tree(tmp_path, FAIL_OUTPUT, "", 1)
    result = kunit_run.run_kunit(tree, tmp_path / "build", out=io.StringIO())
    assert not result.passed
    assert result.returncode == 1
    assert "failed: 1" in result.summary


def test_run_fails_on_a_warning(tmp_path):
    tree = fake_tree(tmp_path, PASS_OUTPUT, RANGE_WARNING + DMA_DEBUG_WARNING,
                     0)
    out = io.StringIO()
    result = kunit_run.run_kunit(tree, tmp_path / "build", out=out)
    assert not result.passed
    assert len(result.unexpected) == 2
    assert "unexpected in kernel log" in out.getvalue()


def test_run_fails_without_summary(tmp_path):
    tree = fake_tree(tmp_path, "[12:00:00] Building ...\n", "", 0)
    result = kunit_run.run_kunit(tree, tmp_path / "build", out=io.StringIO())
    assert not result.passed


def test_main_missing_kunit_py(tmp_path, capsys):
    assert kunit_run.main(["--tree", str(tmp_path),
                           "--build-dir", str(tmp_path / "b")]) == 2
    assert "kunit.py" in capsys.readouterr().err


@pytest.mark.kernel
@pytest.mark.kunit
def test_make_kunit_on_the_default_tree(converted, default_tree):
    """The real thing: make kunit on the work branch of the default tree
    (after make convert, so that the debug guest kernel it builds, minutes
    the first time, is the one make runtime-test boots), kunit.py exec
    under QEMU x86_64."""
    result = subprocess.run([*CLI, "kunit"], capture_output=True, text=True,
                            timeout=3600)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert "kunit.py exec --arch=x86_64" in out, out[:2000]
    summary = re.search(r"Testing complete\. Ran (\d+) tests: passed: (\d+)"
                        r"(.*)", out)
    assert summary, out[-3000:]
    ran, passed = int(summary[1]), int(summary[2])
    assert ran == passed >= 13, summary[0]
    assert "failed" not in summary[3] and "crashed" not in summary[3]
    # the suite ran on the debug guest kernel, with KASAN and lockdep
    work = json.loads((REPORTS / default_tree.name /
                       "convert.json").read_text())["worktree"]
    log = guest_kernel.build_dir(CACHE, Path(work).name, "debug") / "test.log"
    text = log.read_text(errors="replace")
    assert "KernelAddressSanitizer initialized" in text
    assert "Lock dependency validator" in text
