"""The x86_64 guest kernels that make runtime-test and make kunit boot.

Each variant is tinyconfig plus config fragments, everything built in, in
a build directory of its own under the cache that is kept between runs
(Kbuild rebuilds what changed; ccache keeps what another directory or an
earlier run compiled the same way):

- converted: runtime/runtime.config (RDMA core, rxe, siw, NVMe-oF host
  and target over RDMA, SRP initiator and target with LIO, RNBD over RTRS,
  RDS, brd, configfs, a serial console);
- debug: the same plus runtime/debug.config (KASAN, lockdep, list/sg and
  DMA-API debugging) and the core series' KUnit suite, built in but off
  (runtime/kunit.config): make kunit boots this kernel with kunit.py, the
  runtime test boots it without, so one build serves both.

The debug variant is also built with kernel changes that are not part of
the series (TEST_PATCHES): runtime/rxe-real-dma.patch, never posted,
gives rxe a real_dma parameter that makes it map through the DMA API of a
platform device, so that with swiotlb=force every map, sync and unmap of
the ULPs reaches dma-direct, swiotlb and DMA-API debugging; and three
fixes, each to be posted on its own, without which SRP, NFS/RDMA and
SMC-R cannot run that way at all: runtime/ib_srpt-sync.patch,
runtime/svcrdma-sync.patch and runtime/smc-wr-sync.patch.  The fixes
for NVMe-oF, iSER and SMB Direct are in the series itself
(kernel-patches/ulp-fixes/, which make convert applies before the
rules, because the conversion of those ULPs builds on them): a converted
tree has them, the base gets them here.  It is
built from a worktree of its own (source_dir()) with the patches
applied; the work branch is never touched.  A patch the tree has
already is left out; where a patch does not apply, the kernel is built
without it and says so.

The base control kernel of make runtime-test is a variant's fragments
without the KUnit ones (the base tree has no suite), built from the base.
"""

import hashlib
import json
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import apply
import build
import ulp_fixes

HERE = Path(__file__).resolve().parent
RUNTIME_FRAGMENT = HERE / "runtime" / "runtime.config"
DEBUG_FRAGMENT = HERE / "runtime" / "debug.config"
KUNIT_BOOT_FRAGMENT = HERE / "runtime" / "kunit.config"
# The series' own kunitconfig: what its suite needs (it is posted with it).
KUNITCONFIG = HERE.parent / "kernel-patches" / "kunit" / "rdma_sge.kunitconfig"
VARIANTS = ("converted", "debug")
KUNIT_VARIANT = "debug"
RXE_REAL_DMA_PATCH = HERE / "runtime" / "rxe-real-dma.patch"
# a fix for 6.12's ib_srpt that only bouncing shows (its own message)
SRPT_SYNC_PATCH = HERE / "runtime" / "ib_srpt-sync.patch"
# and for 6.12's svcrdma (the pages of a Read chunk)
SVCRDMA_SYNC_PATCH = HERE / "runtime" / "svcrdma-sync.patch"
# and for 6.12's SMC-R (its work-request buffers, never synced)
SMC_WR_SYNC_PATCH = HERE / "runtime" / "smc-wr-sync.patch"
# the fixes that are to be posted (checkpatch --strict clean)
FIX_PATCHES = (SRPT_SYNC_PATCH, SVCRDMA_SYNC_PATCH, SMC_WR_SYNC_PATCH)
# how far back a tree's history is looked through for a test patch
HISTORY_DEPTH = 1000
# the series' own fixes come first: the base needs them as much as the
# converted tree, which has them already
TEST_PATCHES: dict[str, tuple[Path, ...]] = {
    "debug": (RXE_REAL_DMA_PATCH, *ulp_fixes.fix_patches(), *FIX_PATCHES)}


class KernelError(Exception):
    """The guest kernel cannot be configured or built; one line of text."""


def fragments(variant: str, kunit: bool = True) -> list[Path]:
    """The config fragments of a variant; kunit=False leaves the suite out
    (for a tree without the core series)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown guest kernel variant {variant!r}")
    out = [KUNITCONFIG, KUNIT_BOOT_FRAGMENT] \
        if variant == "debug" and kunit else []
    # the runtime test's fragments come last and win where the suite's
    # kunitconfig says otherwise (IPV6: off there to stay small, but
    # rnbd-server's listener needs it on siw, runtime.config)
    out.append(RUNTIME_FRAGMENT)
    if variant == "debug":
        out.append(DEBUG_FRAGMENT)
    return out


def build_dir(cache: Path, work_name: str, variant: str) -> Path:
    """Where a variant of the kernel of work tree work_name is built."""
    return cache / "runtime" / f"{work_name}-{variant}"


def source_dir(cache: Path, work_name: str, name: str) -> Path:
    """Where the source of a kernel with test patches is checked out."""
    return cache / "runtime" / f"{work_name}-{name}-src"


@dataclass
class Source:
    path: Path                 # the tree to build
    applied: tuple[str, ...]   # the test patches in it (file names)
    refused: tuple[str, ...]   # "<patch>: <git apply's first error>"
    present: tuple[str, ...] = ()  # test patches the tree has already


def variant_source(checkout: Path, variant: str, path: Path) -> Source:
    """The source tree of a variant: checkout itself when the variant has
    no test patches, else a detached worktree of checkout's HEAD at path
    with the patches applied (redone only when the commit or a patch
    changed, so Kbuild does not rebuild what did not change)."""
    patches = TEST_PATCHES.get(variant, ())
    if not patches:
        return Source(checkout, (), ())
    commit = _git(checkout, "rev-parse", "HEAD").strip()
    key = commit + "".join(
        hashlib.sha256(patch.read_bytes()).hexdigest() for patch in patches)
    stamp = path.with_name(path.name + ".stamp")
    if (path / ".git").exists() and stamp.exists():
        try:
            recorded = json.loads(stamp.read_text())
            if recorded["key"] == key:
                return Source(path, tuple(recorded["applied"]), (),
                              tuple(recorded.get("present", ())))
        except (ValueError, KeyError, TypeError):
            pass  # an unreadable stamp: check out and apply again
    stamp.unlink(missing_ok=True)
    detached_worktree(checkout, path, commit)
    applied, refused, present = [], [], []
    # a commit of the branch (a converted tree: the series' fixes, which
    # the rules may have converted since) or the same change
    subjects = set(_git(path, "log", f"-{HISTORY_DEPTH}",
                        "--format=%s").splitlines())
    for patch in patches:
        subject = apply.patch_subject(patch)
        if subject and subject in subjects:
            present.append(patch.name)
            continue
        done = subprocess.run(["git", "-C", str(path), "apply", str(patch)],
                              capture_output=True, text=True)
        if done.returncode == 0:
            applied.append(patch.name)
        elif subprocess.run(["git", "-C", str(path), "apply", "--check",
                             "--reverse", str(patch)],
                            capture_output=True).returncode == 0:
            present.append(patch.name)
        else:
            refused.append(f"{patch.name}: {_tail(done)}")
    if not refused:  # a refusal is looked at again next time
        stamp.write_text(json.dumps({"key": key, "applied": applied,
                                     "present": present}))
    return Source(path, tuple(applied), tuple(refused), tuple(present))


def detached_worktree(repo: Path, path: Path, commit: str) -> Path:
    """A worktree of repo's repository at path, checked out (forced) at
    commit, made if it is not there."""
    # a worktree deleted by hand is still registered until pruned
    _git(repo, "worktree", "prune")
    if (path / ".git").exists():
        _git(path, "checkout", "-q", "--force", "--detach", commit)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        _git(repo, "worktree", "add", "-q", "--detach", str(path), commit)
    return path


def _git(where: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(where), *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise KernelError(f"git {args[0]} in {where} failed: "
                          f"{_tail(done)}")
    return done.stdout


def fragment_options(path: Path) -> dict[str, str]:
    """CONFIG_X -> value ("y", "n", a number) of a config fragment."""
    out = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^(CONFIG_\w+)=(.*)$", line.strip())
        if m:
            out[m[1]] = m[2]
        m = re.match(r"^# (CONFIG_\w+) is not set$", line.strip())
        if m:
            out[m[1]] = "n"
    return out


def missing_options(config_text: str, wanted: dict[str, str]) -> list[str]:
    """Fragment options the final .config does not have as asked (a
    dependency left unmet: Kconfig drops such options silently)."""
    have = {}
    for line in config_text.splitlines():
        m = re.match(r"^(CONFIG_\w+)=(.*)$", line)
        if m:
            have[m[1]] = m[2]
    missing = []
    for option, value in wanted.items():
        got = have.get(option, "n")
        if value != got:
            missing.append(f"{option}={value} (got {got})")
    return missing


def build_kernel(srctree: Path, out: Path, config: list[Path],
                 jobs: int = 2, log=print,
                 ccache_dir: Path | None = None) -> Path:
    """tinyconfig + the config fragments, then bzImage, in out."""
    out.mkdir(parents=True, exist_ok=True)
    kbuild = build.KernelBuild(srctree, out, jobs=jobs, log=log,
                               ccache_dir=ccache_dir, arch="x86_64")
    wanted: dict[str, str] = {}
    for fragment in config:
        wanted.update(fragment_options(fragment))
    stamp = out / ".rdma-sge-config"
    key = json.dumps(wanted, sort_keys=True)
    if not stamp.exists() or stamp.read_text() != key:
        done = kbuild.make("tinyconfig")
        if done.returncode != 0:
            raise KernelError(f"make tinyconfig failed: {_tail(done)}")
        merged = subprocess.run(
            [str(srctree / "scripts/kconfig/merge_config.sh"), "-m", "-O",
             str(out), str(out / ".config"), *map(str, config)],
            cwd=srctree, capture_output=True, text=True)
        if merged.returncode != 0:
            raise KernelError(f"merge_config.sh failed: {_tail(merged)}")
        done = kbuild.make("olddefconfig")
        if done.returncode != 0:
            raise KernelError(f"make olddefconfig failed: {_tail(done)}")
        missing = missing_options((out / ".config").read_text(), wanted)
        if missing:
            raise KernelError("the guest kernel config did not take: "
                              + ", ".join(missing[:8]))
        stamp.write_text(key)
    start = time.monotonic()
    done = kbuild.make("bzImage")
    if done.returncode != 0:
        raise KernelError(f"kernel build in {out} failed: {_tail(done)}")
    log(f"  built {out / 'arch/x86/boot/bzImage'} in "
        f"{time.monotonic() - start:.0f}s")
    return out / "arch/x86/boot/bzImage"


def _tail(done: subprocess.CompletedProcess) -> str:
    lines = (done.stderr or done.stdout).strip().splitlines()
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or ["(no output)"])[-1][:300]
