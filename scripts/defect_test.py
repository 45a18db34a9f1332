"""make defect-test: proof that the runtime test catches DMA-API misuse
that the software RDMA devices cannot see.

The debug guest kernel of make runtime-test is built once more with known
defects injected into the converted ULPs (runtime/defects/*.patch, one
per ULP, never posted): a sync past the end of a mapping, an unmap with
another size than the map's, a missing sync for the CPU.  rxe alone never
reaches the DMA API, so its run over those ULPs must pass; rxe_dma (rxe
through the DMA API and swiotlb, runtime_test.py) must fail each ULP, one
boot per defect (a failure ends a guest's run), two guests at a time.  A
defect that rxe_dma lets through, or one that plain rxe already fails
on, is reported and makes the command fail.

The defects are applied to the debug kernel's own source (a worktree of
the toolkit's cache) and built in its build directory, so only the
changed objects compile; the source is restored afterwards.  Its stamp
is removed while the defects are in, so an interrupted run leaves a
source that the next make runtime-test checks out again.
"""

import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import guest_kernel
import runtime_test
import tree

DEFECTS_DIR = Path(__file__).resolve().parent / "runtime" / "defects"
# ULP (init.sh's name) -> the defect injected into it
DEFECTS = {
    "nvme": DEFECTS_DIR / "nvme-rdma-sync-outside-the-mapping.patch",
    "srp": DEFECTS_DIR / "srp-unmap-with-another-size.patch",
    "nfs": DEFECTS_DIR / "svcrdma-no-sync-for-cpu.patch",
}
VARIANT = "debug"
PLAIN_RUN = "rxe"
# How long the NFS mount of the rxe_dma boot with svcrdma's defect may
# take (init.sh's rdmanfswait=): the server never answers the call it
# cannot read, so the mount only ends when it is killed.  A sound mount
# takes seconds under TCG; the plain rxe boot keeps init.sh's 180 s.
NFS_DEFECT_WAIT = 60
# what in a failed run's console says why (first match wins)
EVIDENCE = re.compile(
    r"DMA-API: \S+ \S+: (?!cacheline tracking).*|BUG: KASAN: .*"
    r"|RUNTIME \w+: FAIL .*")


class DefectError(Exception):
    """Stops make defect-test; the text is the one line shown."""


@dataclass
class Outcome:
    ulp: str
    defect: str                 # the patch's file name
    plain: str                  # PASS, FAIL, ... of the ULP on rxe
    real_dma: str               # the same on rxe_dma
    evidence: str               # what the failing rxe_dma run said

    @property
    def caught(self) -> bool:
        return self.plain == "PASS" and self.real_dma == "FAIL"


@dataclass
class DefectResult:
    outcomes: list[Outcome] = field(default_factory=list)
    build_seconds: float = 0.0
    boots: list[runtime_test.Run] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.outcomes) and all(o.caught for o in self.outcomes)


def evidence(console: str) -> str:
    """The first line of a failed run's console that says why."""
    m = EVIDENCE.search(console)
    return re.sub(r"^\[[^]]*\] *", "", m[0]).strip()[:200] if m else ""


def outcomes(plain: runtime_test.Run,
             real_dma: dict[str, tuple[runtime_test.Run, str]]
             ) -> list[Outcome]:
    """One row per defect: the ULP on the rxe run over every defect's
    ULP, and on its own rxe_dma run (with the console's evidence)."""
    return [Outcome(ulp, DEFECTS[ulp].name,
                    runtime_test.ulp_status(plain, ulp),
                    runtime_test.ulp_status(run, ulp), why)
            for ulp, (run, why) in real_dma.items()]


def report_txt(result: DefectResult) -> str:
    lines = [f"injected defects (scripts/runtime/defects/), {VARIANT} "
             f"kernel rebuilt with them in {result.build_seconds:.0f}s:"]
    rows = [["ULP", "defect", PLAIN_RUN, runtime_test.REAL_DMA_RUN]]
    rows += [[o.ulp, o.defect, o.plain, o.real_dma] for o in result.outcomes]
    lines += runtime_test.columns(rows)
    for o in result.outcomes:
        if o.evidence:
            lines.append(f"  {o.ulp} on {runtime_test.REAL_DMA_RUN}: "
                         f"{o.evidence}")
    missed = [o for o in result.outcomes if not o.caught]
    lines.append("every defect caught: rxe passes, rxe_dma fails" if
                 not missed else "NOT CAUGHT: " + ", ".join(
                     f"{o.ulp} ({o.defect}: {PLAIN_RUN} {o.plain}, "
                     f"{runtime_test.REAL_DMA_RUN} {o.real_dma})"
                     for o in missed))
    return "\n".join(lines) + "\n"


def _git(where: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(where), *args],
                          capture_output=True, text=True)


def apply_defects(source: Path, patches) -> list[Path]:
    """git apply each patch to source in turn; on a refusal the ones
    already in are taken out again and the refusal is the error."""
    applied: list[Path] = []
    for patch in patches:
        done = _git(source, "apply", str(patch))
        if done.returncode != 0:
            remove_defects(source, applied)
            why = (done.stderr or done.stdout).strip().splitlines()
            raise DefectError(f"{patch.name} does not apply to the converted "
                              f"tree: {why[0] if why else 'git apply failed'}")
        applied.append(patch)
    return applied


def remove_defects(source: Path, applied: list[Path]) -> bool:
    """Reverse the applied patches, last first; False if one would not."""
    return all(_git(source, "apply", "-R", str(p)).returncode == 0
               for p in reversed(applied))


def build_defect_kernel(work: Path, cache: Path, jobs: int, log) -> Path:
    """The debug kernel with every defect in, copied out of its build
    directory; the debug source is restored whatever happens."""
    try:
        source = guest_kernel.variant_source(
            work, VARIANT, guest_kernel.source_dir(cache, work.name, VARIANT))
    except guest_kernel.KernelError as exc:
        raise DefectError(str(exc)) from exc
    if source.refused or guest_kernel.RXE_REAL_DMA_PATCH.name not in \
            source.applied:
        raise DefectError("the debug kernel cannot map through the DMA API "
                          f"on this tree: {'; '.join(source.refused)}")
    stamp = source.path.with_name(source.path.name + ".stamp")
    recorded = stamp.read_text() if stamp.exists() else None
    stamp.unlink(missing_ok=True)
    applied: list[Path] = []
    try:
        applied = apply_defects(source.path, DEFECTS.values())
        try:
            image = guest_kernel.build_kernel(
                source.path, guest_kernel.build_dir(cache, work.name, VARIANT),
                guest_kernel.fragments(VARIANT), jobs=jobs, log=log,
                ccache_dir=cache / "ccache")
        except guest_kernel.KernelError as exc:
            raise DefectError(str(exc)) from exc
        kept = cache / "runtime" / f"{work.name}-defects" / "bzImage"
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(image, kept)
        return kept
    finally:
        if remove_defects(source.path, applied) and recorded is not None:
            stamp.write_text(recorded)


def run(kernel: tree.KernelTree, cache: Path, reports: Path, jobs: int = 2,
        log=print) -> DefectResult:
    import convert
    try:
        last = convert.last_run(kernel, cache, reports)
    except convert.ConvertError as exc:
        raise DefectError(str(exc)) from exc
    try:
        initramfs = runtime_test.guest_initramfs(cache, log)
    except runtime_test.RuntimeError_ as exc:
        raise DefectError(str(exc)) from exc
    result = DefectResult()
    start = time.monotonic()
    log(f"[build the {VARIANT} kernel with "
        f"{', '.join(p.name for p in DEFECTS.values())}]")
    image = build_defect_kernel(last.work, cache, jobs, log)
    result.build_seconds = time.monotonic() - start
    logs = reports / kernel.name / "runtime"

    def boot(device: str, only: tuple[str, ...]) -> tuple[runtime_test.Run,
                                                           str]:
        name = f"defects-{device}" + ("" if len(only) > 1 else
                                      f"-{only[0]}")
        log(f"[boot the kernel with the defects, {device}, "
            f"{' '.join(only)}]")
        log_path = logs / f"{name}.log"
        nfs_wait = NFS_DEFECT_WAIT if device == runtime_test.REAL_DMA_RUN \
            and only == ("nfs",) else None
        passed, detail, seconds, ulps = runtime_test.boot(
            image, initramfs, device, True, log_path, only=only,
            nfs_wait=nfs_wait)
        log(f"  {device} {' '.join(only)}: "
            f"{'PASS' if passed else 'FAIL'}"
            f"{' ' + detail if detail else ''} ({seconds:.0f}s, log "
            f"{log_path})")
        booted = runtime_test.Run("defects", device, passed, detail,
                                  seconds, log_path, ulps)
        result.boots.append(booted)
        console = log_path.read_text(errors="replace")
        return booted, "" if passed else evidence(console)

    # the longest first: a stale NFS call fails only when the mount is
    # killed
    wanted = sorted([(runtime_test.REAL_DMA_RUN, (ulp,)) for ulp in DEFECTS],
                    key=lambda b: b[1] != ("nfs",))
    wanted.insert(1, (PLAIN_RUN, tuple(DEFECTS)))
    done = runtime_test.two_at_a_time(wanted, lambda b: boot(*b), jobs)
    plain, _ = done[(PLAIN_RUN, tuple(DEFECTS))]
    real_dma = {ulp: done[(runtime_test.REAL_DMA_RUN, (ulp,))]
                for ulp in DEFECTS}
    result.outcomes = outcomes(plain, real_dma)
    (reports / kernel.name / "runtime-defects.txt").write_text(
        report_txt(result))
    return result
