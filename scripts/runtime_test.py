"""make runtime-test: boot the converted kernel and move data over NVMe-oF.

The guest kernels (guest_kernel.py: the converted one and its debug
variant with KASAN, lockdep, list/sg and DMA-API debugging, booted with
panic_on_warn=1) are built from the work branch of make convert.  Each
boots under QEMU x86_64 (TCG) once per software RDMA device, rxe and siw,
with an initramfs made here from Debian's busybox-static and iproute2 (ip,
rdma and their libraries) and the guest's own test programs (runtime/*.c,
built static with the host's gcc), whose /init (runtime/init.sh) sets up
an NVMe-oF target over RDMA on a RAM disk, connects to it, writes, reads
back and compares, does the same over SRP and RNBD, and over NFSv3 on
RDMA with nfs-utils from a Debian root file system appended to the
initramfs (guest_rootfs.py); on rxe it also moves RDS messages over
rds_rdma (runtime/rds_check.c) and an AF_SMC stream over SMC-R
(runtime/smc_check.c); then it scans dmesg.

The debug kernel boots a third time, as rxe_dma: rxe with its test-only
real_dma mode (guest_kernel.TEST_PATCHES) and swiotlb=force, so that the
ULPs' maps, syncs and unmaps reach dma-direct and are bounced: a missing
or short sync shows as stale data, a wrong unmap or sync size as a DMA-API
debugging report.  rxe and siw alone never reach the DMA API.

A kernel that fails is the cue for the control: the same variant built
from the tree's base (without the core series and the conversion) runs the
same test, which tells a conversion bug (the base passes) from a broken
environment (the base fails too).  Asked for as a variant ("base"), the
control of the converted kernel runs whatever happens.
"""

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import guest_kernel
import guest_rootfs
import tree
import ulp_fixes

HERE = Path(__file__).resolve().parent / "runtime"
GUEST_INIT = HERE / "init.sh"
# the guest's kernel log checks, which init.sh sources from /log_checks.sh
GUEST_LOG_CHECKS = HERE / "log_checks.sh"
DEVICES = ("rxe", "siw")
# the boot in which rxe maps through the DMA API, where the patch applied
REAL_DMA_RUN = "rxe_dma"
BINARIES = ("/bin/busybox", "/usr/sbin/ip", "/usr/bin/rdma")
# the guest's test programs: path in the initramfs -> source
PROGRAMS = {"bin/rds_check": HERE / "rds_check.c",
            "bin/smc_check": HERE / "smc_check.c"}
RESULT = re.compile(r"RUNTIME (\w+): (PASS|FAIL)(.*)$", re.M)
# a ULP's own line: "RUNTIME <run> <ULP>: PASS|FAIL|NOT RUNNABLE <why>"
ULP_RESULT = re.compile(r"^RUNTIME (\w+) (\w+): (PASS|FAIL|NOT RUNNABLE) ?(.*)$",
                        re.M)
# the ULPs the guest tests, in its order (init.sh's names): what runs
ULP_TESTS = {
    "nvme": "NVMe-oF (nvme-rdma, nvmet-rdma)",
    "srp": "SRP (ib_srp, ib_srpt)",
    "rnbd": "RNBD over RTRS (rtrs-clt, rtrs-srv)",
    "nfs": "NFS/RDMA (xprtrdma, svcrdma)",
    "iser": "iSER (ib_iser, ib_isert)",
    "smb": "SMB Direct (cifs, ksmbd)",
    "smc": "SMC-R (net/smc)",
    "rds": "RDS (rds_rdma)",
}
# the ULPs (ulps.ULPS names) whose code each test moves data over
ULP_CODE = {
    "nvme": ("nvme-rdma", "nvmet-rdma"),
    "srp": ("srp", "srpt"),
    "rnbd": ("rtrs",),
    "nfs": ("xprtrdma",),
    "iser": ("iser", "isert"),
    "smb": ("smb-client", "smb-server"),
    "smc": ("smc",),
    "rds": ("rds",),
}
# the converted ULPs the guest does not test (ulps.ULPS names): label, why
NOT_COVERED = {
    "ipoib": ("IPoIB", "not runnable: rxe and siw have no InfiniBand link "
              "layer"),
    "9p": ("9p over RDMA (net/9p)", "not runnable: no 9p server speaks "
           "RDMA"),
}
QEMU_TIMEOUT = 600


class RuntimeError_(Exception):
    """Stops make runtime-test; the text is the one line shown."""


@dataclass
class Run:
    kernel: str  # converted, debug; base, base-debug: their controls
    device: str  # the run: rxe, siw, or rxe_dma (rxe through the DMA API)
    passed: bool
    detail: str
    seconds: float
    log: Path
    # ULP -> (PASS, FAIL or NOT RUNNABLE, why), as the guest said
    ulps: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class RuntimeResult:
    runs: list[Run] = field(default_factory=list)
    builds: dict[str, float] = field(default_factory=dict)
    # the variants whose control ran on the base
    controls: list[str] = field(default_factory=list)
    # what could not run, and why (one line each)
    not_run: list[str] = field(default_factory=list)
    # kernel -> the patches outside the series it was built with
    patched: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.runs) and all(r.passed for r in self.runs)


# --------------------------------------------------------- initramfs

def libraries(binary: str) -> list[str]:
    """The shared libraries (and loader) a dynamic binary needs."""
    done = subprocess.run(["ldd", binary], capture_output=True, text=True)
    if done.returncode != 0:  # static: "not a dynamic executable"
        return []
    libs = []
    for line in done.stdout.splitlines():
        m = re.search(r"(/\S+)\s+\(0x", line)
        if m:
            libs.append(m[1])
    return libs


def cpio_newc(entries: list[tuple[str, int, bytes]]) -> bytes:
    """A newc cpio archive of (path, mode, data) entries; directories have
    a mode with S_IFDIR and no data, symlinks S_IFLNK and the target."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate(entries + [("TRAILER!!!", 0,
                                                         b"")], 1):
        out += guest_rootfs.newc_header(ino, mode, 0, 0, 0, len(data),
                                        name.encode() + b"\0")
        out += b"\0" * (-len(out) % 4)
        out += data
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


def guest_program(source: Path, out_dir: Path) -> Path:
    """source built static with the host's gcc (-Wall -Werror), once per
    content of the source."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    binary = out_dir / f"{source.stem}-{digest}"
    if binary.exists():
        return binary
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = binary.with_suffix(".partial")
    done = subprocess.run(["gcc", "-static", "-O2", "-Wall", "-Wextra",
                           "-Werror", "-o", str(partial), str(source)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        first = next((line for line in done.stderr.splitlines()
                      if "error" in line), done.stderr.strip()[:200])
        raise RuntimeError_(f"cannot build the guest program {source.name}: "
                            f"{first} (gcc and libc6-dev: make runtime-test "
                            "installs them)")
    partial.replace(binary)
    return binary


def make_initramfs(path: Path) -> Path:
    """busybox + ip + rdma + their libraries + the test programs + /init,
    gzip'ed newc cpio."""
    for binary in BINARIES:
        if not Path(binary).exists():
            raise RuntimeError_(f"{binary} is missing: install busybox-static "
                                "and iproute2 (make runtime-test does)")
    programs = {name: guest_program(source, path.parent / "programs")
                for name, source in PROGRAMS.items()}
    entries: list[tuple[str, int, bytes]] = []
    dirs = ["bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc", "sys",
            "tmp", "etc", "lib", "lib64", "lib/x86_64-linux-gnu"]
    entries += [(d, 0o040755, b"") for d in dirs]
    entries.append(("init", 0o100755, GUEST_INIT.read_bytes()))
    entries.append(("log_checks.sh", 0o100644,
                    GUEST_LOG_CHECKS.read_bytes()))
    for applet in ("sh", "mount", "mkdir", "echo", "cat", "dd", "cmp",
                   "sleep", "dmesg", "grep", "tail", "reboot", "ln", "[", "test",
                   "sed", "awk", "sort", "uniq", "chroot", "umount",
                   "timeout"):
        entries.append((f"bin/{applet}", 0o120777, b"busybox"))
    for name, binary in programs.items():
        entries.append((name, 0o100755, binary.read_bytes()))
    seen = set()
    for binary in BINARIES:
        entries.append((binary.lstrip("/"), 0o100755,
                        Path(binary).read_bytes()))
        for lib in libraries(binary):
            real = Path(lib).resolve()
            for name in {lib, str(real)}:
                if name in seen:
                    continue
                seen.add(name)
                parent = str(Path(name).parent).lstrip("/")
                if parent not in dirs:
                    dirs.append(parent)
                    entries.append((parent, 0o040755, b""))
                entries.append((name.lstrip("/"), 0o100755,
                                real.read_bytes()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(cpio_newc(entries), compresslevel=6))
    return path


def with_rootfs(busybox: Path, rootfs: Path, out: Path) -> Path:
    """The busybox initramfs (gzip'ed) followed by the root file system's
    uncompressed cpio: the kernel unpacks one archive after the other."""
    partial = out.with_suffix(".partial")
    with open(partial, "wb") as dest:
        data = busybox.read_bytes()
        dest.write(data + b"\0" * (-len(data) % 4))
        with open(rootfs, "rb") as src:
            shutil.copyfileobj(src, dest, 1 << 20)
    partial.replace(out)
    return out


# -------------------------------------------------------------- QEMU

def qemu_command(kernel: Path, initramfs: Path, run: str,
                 debug: bool, only: tuple[str, ...] = (),
                 nfs_wait: int | None = None) -> list[str]:
    """run: rxe, siw, or rxe_dma (rxe in its real_dma mode); only: the
    ULPs to move data over (init.sh's rdmaonly=), all when empty;
    nfs_wait: seconds the NFS mount may take (init.sh's rdmanfswait=,
    180 when None)."""
    device = "rxe" if run == REAL_DMA_RUN else run
    append = (f"console=ttyS0 panic=-1 oops=panic rdmadev={device} "
              "brd.rd_nr=4 brd.rd_size=32768 quiet")
    if only:
        append += f" rdmaonly={','.join(only)}"
    if nfs_wait is not None:
        append += f" rdmanfswait={nfs_wait}"
    if debug:
        append += " rdmadebug=1"
    if run == REAL_DMA_RUN:
        # no panic_on_warn: the guest sorts DMA-API debugging's reports
        # (init.sh) and needs room in the log for all of them
        append += (" rdmarealdma=1 rdma_rxe.real_dma=1 swiotlb=force"
                   " log_buf_len=8M")
    elif debug:
        append += " panic_on_warn=1"
    return ["qemu-system-x86_64", "-machine", "q35", "-accel", "tcg",
            "-cpu", "max", "-smp", "2",
            # the Debian root file system is unpacked into RAM (170 MB)
            "-m", "1536" if not debug else "2560",
            "-nographic", "-no-reboot", "-nodefaults", "-serial", "stdio",
            "-kernel", str(kernel), "-initrd", str(initramfs),
            "-append", append]


def parse_result(console: str, device: str) -> tuple[bool, str]:
    for m in RESULT.finditer(console):
        if m[1] == device:
            return m[2] == "PASS", m[3].strip()
    if "Kernel panic" in console:
        panic = re.search(r"Kernel panic.*", console)
        return False, panic[0] if panic else "kernel panic"
    return False, "no result line from the guest (timeout or crash)"


def parse_ulps(console: str, device: str) -> dict[str, tuple[str, str]]:
    """Each ULP's own result lines of one run; a FAIL stands over
    anything the same ULP said before it."""
    ulps: dict[str, tuple[str, str]] = {}
    for m in ULP_RESULT.finditer(console):
        if m[1] == device and ulps.get(m[2], ("",))[0] != "FAIL":
            ulps[m[2]] = (m[3], m[4].strip())
    return ulps


def ulp_status(run: "Run", ulp: str) -> str:
    """What one run says of a ULP: its own line's status, else "not
    reached" (the run failed before it) or "no result" (it passed
    without a word of it)."""
    status, _ = run.ulps.get(ulp, ("", ""))
    return status or ("no result" if run.passed else "not reached")


def columns(rows: list[list[str]]) -> list[str]:
    """Rows of cells as aligned text lines, indented by two."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(cell.ljust(w) for cell, w in
                             zip(row, widths)).rstrip() for row in rows]


def ulp_table(runs: list["Run"]) -> list[str]:
    """ULP x run, one table per kernel, the reasons as numbered notes:
    PASS, FAIL, NOT RUNNABLE [n], "not reached" (the run failed before
    it) or "no result" (the run passed without a word of it)."""
    lines: list[str] = []
    notes: list[str] = []
    for kernel in dict.fromkeys(r.kernel for r in runs):
        mine = [r for r in runs if r.kernel == kernel]
        rows = [["ULP", *(r.device for r in mine)]]
        for ulp, label in ULP_TESTS.items():
            row = [label]
            for r in mine:
                status = ulp_status(r, ulp)
                if status == "NOT RUNNABLE":
                    why = r.ulps[ulp][1]
                    if why not in notes:
                        notes.append(why)
                    status += f" [{notes.index(why) + 1}]"
                row.append(status)
            rows.append(row)
        lines.append(f"{kernel} kernel:")
        lines += columns(rows)
    lines += [f"  [{i}] {why}" for i, why in enumerate(notes, 1)]
    lines += [f"not covered: {label}: {why}"
              for label, why in NOT_COVERED.values()]
    return lines


def runtime_json(result: "RuntimeResult") -> dict:
    """What runtime.json keeps of a run, for make series."""
    return {"runs": [{"kernel": r.kernel, "device": r.device,
                      "passed": r.passed,
                      "ulps": {u: list(s) for u, s in r.ulps.items()}}
                     for r in result.runs],
            "patched": result.patched}


def lines_for_ulps(record: dict, names: set[str]) -> list[str]:
    """For the ULPs `names` (ulps.ULPS names) of one batch: what each test
    of their code said on each run of the kernel that was tested (debug
    if it ran, else converted; never a base control), and the ones no
    test covers.  record: runtime.json."""
    runs = record.get("runs", [])
    kernels = [k for k in dict.fromkeys(r["kernel"] for r in runs)
               if not k.startswith("base")]
    kernel = "debug" if "debug" in kernels else (kernels or [""])[0]
    mine = [r for r in runs if r["kernel"] == kernel]
    lines = []
    for test, label in ULP_TESTS.items():
        if not names & set(ULP_CODE[test]) or not mine:
            continue
        by_status: dict[tuple[str, str], list[str]] = {}
        for r in mine:
            status, why = r["ulps"].get(test, ("", ""))
            status = status or ("no result" if r["passed"]
                                else "not reached")
            why = why if status == "NOT RUNNABLE" else ""
            by_status.setdefault((status, why), []).append(r["device"])
        parts = [f"{'not runnable' if status == 'NOT RUNNABLE' else status}"
                 f" on {', '.join(devices)}" + (f": {why}" if why else "")
                 for (status, why), devices in by_status.items()]
        lines.append(f"{label}, {kernel} kernel: {'; '.join(parts)}")
    tested = {n for test in ULP_TESTS if mine for n in ULP_CODE[test]}
    for name in sorted(names - tested):
        label, why = NOT_COVERED.get(name, (name, "no runtime test"))
        lines.append(f"{label}: not tested at run time: {why}")
    return lines


def two_at_a_time(boots: list, boot_one, jobs: int) -> dict:
    """boot_one(b) for each of boots, started in that order (the longest
    first), at most two guests at a time (and no more than jobs): one
    QEMU under TCG keeps about one core busy.  b -> its result."""
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, 2))) as pool:
        return dict(zip(boots, pool.map(boot_one, boots)))


def boot(kernel: Path, initramfs: Path, device: str, debug: bool,
         log_path: Path, only: tuple[str, ...] = (),
         nfs_wait: int | None = None) -> tuple[bool, str, float, dict]:
    start = time.monotonic()
    try:
        done = subprocess.run(qemu_command(kernel, initramfs, device, debug,
                                           only, nfs_wait),
                              capture_output=True, text=True,
                              errors="replace", timeout=QEMU_TIMEOUT,
                              stdin=subprocess.DEVNULL)
        console = done.stdout + done.stderr
    except subprocess.TimeoutExpired as exc:
        console = (exc.stdout or b"").decode(errors="replace") \
            if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        console += f"\n(timeout after {QEMU_TIMEOUT}s)\n"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text(console)
    passed, detail = parse_result(console, device)
    return (passed, detail, time.monotonic() - start,
            parse_ulps(console, device))


# ------------------------------------------------------------ driver

def base_checkout(kernel: tree.KernelTree, cache: Path, work: Path,
                  base: str) -> Path:
    """A worktree of the tree's base commit for the control kernel."""
    try:
        return guest_kernel.detached_worktree(
            work, cache / "runtime" / f"{work.name}-base-src", base)
    except guest_kernel.KernelError as exc:
        raise RuntimeError_(str(exc)) from exc


def guest_initramfs(cache: Path, log=print) -> Path:
    """The guest's initramfs: busybox, the tools and test programs, and
    the Debian root file system (built once, kept in the cache)."""
    busybox = make_initramfs(cache / "runtime" / "initramfs.cpio.gz")
    try:
        rootfs = guest_rootfs.build(cache / "runtime", log=log)
    except guest_rootfs.RootfsError as exc:
        raise RuntimeError_(str(exc)) from exc
    if rootfs.built:
        log(f"[rootfs] {rootfs.cpio} built in {rootfs.seconds:.0f}s")
    initramfs = with_rootfs(busybox, rootfs.cpio,
                            cache / "runtime" / "initramfs-debian.cpio")
    log(f"[initramfs] {initramfs} ({initramfs.stat().st_size >> 20} MiB: "
        f"busybox {busybox.stat().st_size >> 10} KiB, the Debian root file "
        f"system {rootfs.cpio.stat().st_size >> 20} MiB)")
    return initramfs


def run(kernel: tree.KernelTree, cache: Path, reports: Path,
        variants=guest_kernel.VARIANTS, jobs: int = 2,
        log=print) -> RuntimeResult:
    import convert
    try:
        last = convert.last_run(kernel, cache, reports)
    except convert.ConvertError as exc:
        raise RuntimeError_(str(exc)) from exc
    work, base = last.work, last.base
    initramfs = guest_initramfs(cache, log)
    result = RuntimeResult()

    def build_and_boot(name: str, srctree: Path, variant: str,
                       kunit: bool) -> list[Run]:
        try:
            source = guest_kernel.variant_source(
                srctree, variant,
                guest_kernel.source_dir(cache, work.name, name))
        except guest_kernel.KernelError as exc:
            raise RuntimeError_(str(exc)) from exc
        log(f"[build {name} kernel] from {source.path}"
            + (f" with {', '.join(source.applied)}" if source.applied
               else ""))
        runs_wanted = list(DEVICES)
        if source.applied and not source.refused:
            runs_wanted.append(REAL_DMA_RUN)
        if source.applied:
            result.patched[name] = source.applied
        for patch in source.refused:
            why = (f"{REAL_DMA_RUN} on the {name} kernel: not run, a patch "
                   f"does not apply to this tree ({patch})")
            log(f"  {why}")
            result.not_run.append(why)
        start = time.monotonic()
        try:
            image = guest_kernel.build_kernel(
                source.path, guest_kernel.build_dir(cache, work.name, name),
                guest_kernel.fragments(variant, kunit=kunit), jobs=jobs,
                log=log, ccache_dir=cache / "ccache")
        except guest_kernel.KernelError as exc:
            raise RuntimeError_(str(exc)) from exc
        result.builds[name] = time.monotonic() - start

        def one(device: str) -> Run:
            log(f"[boot {name} kernel, {device}]")
            log_path = reports / kernel.name / "runtime" / \
                f"{name}-{device}.log"
            passed, detail, seconds, ulps = boot(
                image, initramfs, device, variant == "debug", log_path)
            log(f"  {name} {device}: {'PASS' if passed else 'FAIL'}"
                f"{' ' + detail if detail else ''} ({seconds:.0f}s, "
                f"log {log_path})")
            return Run(name, device, passed, detail, seconds, log_path, ulps)
        # the two longest first: siw moves data over fewer ULPs
        done = two_at_a_time(sorted(runs_wanted,
                                    key=lambda device: device == "siw"),
                             one, jobs)
        runs = [done[device] for device in runs_wanted]
        result.runs += runs
        return runs

    controls = ["converted"] if "base" in variants else []
    for variant in (v for v in variants if v != "base"):
        runs = build_and_boot(variant, work, variant, kunit=True)
        if not all(r.passed for r in runs) and variant not in controls:
            log(f"  the {variant} kernel failed: the control, the same test "
                f"on the unconverted base, tells a conversion bug from a "
                f"broken environment")
            controls.append(variant)
    for variant in controls:
        source = base_checkout(kernel, cache, work, base)
        result.controls.append(variant)
        build_and_boot("base" if variant == "converted" else
                       f"base-{variant}", source, variant, kunit=False)
    (reports / kernel.name / "runtime.txt").write_text(runtime_txt(result))
    (reports / kernel.name / "runtime.json").write_text(
        json.dumps(runtime_json(result), indent=1) + "\n")
    return result


def runtime_txt(result: RuntimeResult) -> str:
    lines = []
    for r in result.runs:
        lines.append(f"{r.kernel} kernel, {r.device}: "
                     f"{'PASS' if r.passed else 'FAIL'}"
                     f"{' ' + r.detail if r.detail else ''} "
                     f"({r.seconds:.0f}s)")
    for variant, seconds in result.builds.items():
        lines.append(f"build {variant}: {seconds:.0f}s")
    series_fixes = {p.name for p in ulp_fixes.fix_patches()}
    for kernel, patches in result.patched.items():
        extra = [p for p in patches if p not in series_fixes]
        fixes = [p for p in patches if p in series_fixes]
        if extra:
            lines.append(f"{kernel} kernel built with {', '.join(extra)} "
                         f"(not in the series; scripts/runtime/, README)")
        if fixes:
            lines.append(f"{kernel} kernel built with the series' fixes "
                         f"{', '.join(fixes)} (kernel-patches/ulp-fixes/)")
    lines += result.not_run
    if not result.controls:
        lines.append("control on the unconverted base: not run (it runs "
                     "when a converted kernel fails)")
    lines += ulp_table(result.runs)
    lines.append("let through: 6.12's own lockdep report on RDS's first "
                 "connect (debug kernel), the known cache-line overlaps "
                 "on rxe_dma of nvme-rdma's completions and of SMC-R's "
                 "buffers mapped once per link (README)")
    return "\n".join(lines) + "\n"


def environment_check() -> None:
    for command in ("qemu-system-x86_64", "ldd", "make", "gcc"):
        if shutil.which(command) is None:
            raise RuntimeError_(f"{command} not found: make runtime-test "
                                "installs it")
    os.environ.setdefault("LC_ALL", "C")
