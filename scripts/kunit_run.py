"""Run the rdma_sge KUnit suite with the kernel's kunit.py under QEMU.

The kernel tree must already have the series applied (see apply.py) and
the kernel must be built in BUILD_DIR with the suite in it: make kunit
builds the debug guest kernel of make runtime-test (guest_kernel.py), which
has the suite built in and off, so one kernel build serves both; `kunit.py
exec` boots it with kunit.enable=1 and parses the results.  kunit.py's
output is streamed as it comes; afterwards the full kernel log
(BUILD_DIR/test.log) is searched for warnings (the suite triggers none on
purpose), oopses and dma-debug errors.

Usage: python3 scripts/kunit_run.py --tree KERNEL_WORKTREE --build-dir DIR
"""

import argparse
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from guest_kernel import KUNITCONFIG

SUITE = "rdma_sge"
ARCH = "x86_64"
# kunit.py needs Debian's python (the one that has its dependencies' stdlib);
# a pyenv python earlier on PATH works too, but this one is always there.
PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
# Seconds kunit.py waits for the tests once the kernel boots.
TEST_TIMEOUT = 600

FATAL_RE = re.compile(r"(BUG: |Oops|Kernel panic|general protection fault|"
                      r"UBSAN: |KASAN: |kernel BUG at )")
SUMMARY_RE = re.compile(r"Testing complete\. .*")


@dataclass
class KunitResult:
    passed: bool
    returncode: int
    summary: str                 # kunit.py's "Testing complete. ..." line
    log: Path                    # the kernel's console log
    seconds: float
    unexpected: list[str] = field(default_factory=list)


def kunit_command(tree: Path, build_dir: Path,
                  kunitconfig: Path = KUNITCONFIG,
                  timeout: int = TEST_TIMEOUT,
                  qemu_config: Path | None = None,
                  suite: str | None = SUITE) -> list[str]:
    """The kunit.py command line that boots the kernel built in build_dir
    and runs the suite."""
    cmd = [PYTHON, str(Path(tree) / "tools/testing/kunit/kunit.py"), "exec",
           f"--arch={ARCH}", f"--kunitconfig={Path(kunitconfig).resolve()}",
           f"--build_dir={Path(build_dir).resolve()}",
           f"--timeout={timeout}"]
    if qemu_config is not None:
        cmd.append(f"--qemu_config={Path(qemu_config).resolve()}")
    if suite:
        cmd.append(suite)
    return cmd


def scan_log(text: str) -> list[str]:
    """Lines of a kernel log that show a problem: any warning (the suite
    triggers none on purpose, so that it can run with KUNIT_ALL_TESTS and
    panic_on_warn), oopses, BUGs, panics, sanitizer reports."""
    return [line.strip() for line in text.splitlines()
            if FATAL_RE.search(line) or
            ("WARNING:" in line and " at " in line)]


def run_kunit(tree: Path, build_dir: Path, kunitconfig: Path = KUNITCONFIG,
              timeout: int = TEST_TIMEOUT,
              qemu_config: Path | None = None,
              out: TextIO = sys.stdout) -> KunitResult:
    """Run the suite on the kernel built in build_dir, streaming kunit.py's
    output to out."""
    tree = Path(tree).resolve()
    build_dir = Path(build_dir).resolve()
    if not (tree / "tools/testing/kunit/kunit.py").is_file():
        raise FileNotFoundError(f"{tree} has no tools/testing/kunit/kunit.py")
    build_dir.mkdir(parents=True, exist_ok=True)
    log = build_dir / "test.log"
    if log.exists():
        log.unlink()

    cmd = kunit_command(tree, build_dir, kunitconfig, timeout, qemu_config)
    print("$ " + " ".join(cmd), file=out, flush=True)
    start = time.monotonic()
    summary = ""
    with subprocess.Popen(cmd, cwd=tree, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                          text=True, errors="replace") as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            out.write(line)
            out.flush()
            m = SUMMARY_RE.search(line)
            if m:
                summary = m.group(0).strip()
    seconds = time.monotonic() - start

    unexpected = scan_log(log.read_text(errors="replace")) \
        if log.exists() else []
    for line in unexpected:
        print(f"unexpected in kernel log: {line}", file=out)
    passed = proc.returncode == 0 and bool(summary) and not unexpected
    print(f"kunit: {'PASS' if passed else 'FAIL'} in {seconds:.0f}s "
          f"(log: {log})", file=out, flush=True)
    return KunitResult(passed, proc.returncode, summary, log, seconds,
                       unexpected)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, required=True,
                        help="kernel tree with the series applied")
    parser.add_argument("--build-dir", type=Path, required=True,
                        help="where the kernel with the suite is built")
    parser.add_argument("--kunitconfig", type=Path, default=KUNITCONFIG)
    parser.add_argument("--timeout", type=int, default=TEST_TIMEOUT)
    parser.add_argument("--qemu-config", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        result = run_kunit(args.tree, args.build_dir, args.kunitconfig,
                           args.timeout, args.qemu_config)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
