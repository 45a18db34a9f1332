"""Build the objects a conversion touched, with the real Kbuild.

One configured output directory (O=) per tree, kept in the cache; objects
are built with a single `make -k` call per pass so Kbuild's start-up is paid
once.  Each object is compiled afresh (its .o removed first) so that every
warning is seen; the compiler's diagnostics are parsed per source file.

Every kernel make of the toolkit (these objects, the runtime and KUnit
kernels) runs with make_env(): when Debian's ccache is installed, gcc goes
through it, with its cache in the toolkit's cache directory, so that the
same source compiled the same way twice (a bisect build after make convert,
a control kernel after the converted one, a second run) is compiled once.
"""

import hashlib
import os
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CONFIG = "allmodconfig"
# Debian's ccache: gcc, cc, ... in this directory are ccache.  Put first on
# PATH, the compiler is still called "gcc" in every command line Kbuild
# records and in CONFIG_CC_VERSION_TEXT, so turning ccache on or off does
# not make Kbuild rebuild an O= directory.
CCACHE_MASQUERADE = Path("/usr/lib/ccache")


@dataclass(frozen=True)
class CrossArch:
    """An architecture make convert builds besides the host's x86_64:
    Debian's cross compiler for it (package gcc-<prefix without the
    dash>) and what its allmodconfig is told (KCONFIG_ALLCONFIG)."""
    prefix: str
    allconfig: str = ""


CROSS_ARCHES: dict[str, CrossArch] = {
    # 32-bit dma_addr_t and pointers against the u64 sge.addr, with the
    # software devices' virtual-DMA paths compiled: allmodconfig alone
    # takes HIGHMEM4G and PAE (a 64-bit dma_addr_t, no INFINIBAND_VIRT_DMA)
    "i386": CrossArch("i686-linux-gnu-",
                      "CONFIG_NOHIGHMEM=y\n# CONFIG_X86_PAE is not set\n"),
    # the common architecture whose DMA is not coherent
    "arm64": CrossArch("aarch64-linux-gnu-"),
}


class BuildError(Exception):
    """The tree cannot be configured or built at all; one line of text."""


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int
    column: int
    severity: str  # warning or error
    message: str

    def key(self) -> tuple[str, str, str]:
        """What identifies a diagnostic across a change that moves lines."""
        return (self.file, self.severity, self.message)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: " \
               f"{self.message}"


@dataclass
class ObjectResult:
    obj: str
    source: str
    built: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


_DIAG = re.compile(r"^(?P<file>[^:\s][^:]*):(?P<line>\d+):(?P<col>\d+): "
                   r"(?P<sev>warning|error|fatal error): (?P<msg>.*)$")
_COMPILING = re.compile(r"^\s+CC(?: \[M\])?\s+(?P<target>\S+\.o)$")
_FAILED = re.compile(r"\[[^\]]*?:\s*(?P<target>\S+\.[oi])\] Error \d+")


def object_of(source: str) -> str:
    return source[:-2] + ".o" if source.endswith(".c") else source


def parse_diagnostics(output: str, srctree: Path) -> list[Diagnostic]:
    prefixes = [str(srctree) + "/", str(srctree.resolve()) + "/"]
    found = []
    for line in output.splitlines():
        match = _DIAG.match(line.strip())
        if not match:
            continue
        path = match["file"]
        for prefix in prefixes:
            path = path.removeprefix(prefix)
        path = os.path.normpath(path)
        severity = "error" if "error" in match["sev"] else "warning"
        found.append(Diagnostic(path, int(match["line"]), int(match["col"]),
                                severity, match["msg"].strip()))
    return found


def failed_targets(output: str) -> set[str]:
    return {m["target"] for m in _FAILED.finditer(output)}



def stop_process_group(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the process group of proc (started with
    start_new_session), SIGKILL it if it is still there after grace
    seconds, and reap proc."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    for f in (proc.stdout, proc.stderr):
        if f is not None:
            f.close()


def make_env(ccache_dir: Path | None, environ=None) -> dict[str, str]:
    """The environment of a kernel make: environ (default: this process's)
    with gcc through ccache, its cache in ccache_dir, when ccache_dir is
    given and Debian's ccache is installed."""
    env = dict(os.environ if environ is None else environ)
    if ccache_dir is None or not (CCACHE_MASQUERADE / "gcc").exists():
        return env
    path = [p for p in env.get("PATH", "").split(os.pathsep)
            if p and Path(p) != CCACHE_MASQUERADE]
    env["PATH"] = os.pathsep.join([str(CCACHE_MASQUERADE), *path])
    env["CCACHE_DIR"] = str(ccache_dir)
    return env


class KernelBuild:
    def __init__(self, srctree: Path, out: Path, jobs: int | None = None,
                 config: str = DEFAULT_CONFIG, log=print,
                 ccache_dir: Path | None = None, arch: str | None = None,
                 cross_compile: str | None = None, allconfig: str = ""):
        self.srctree = srctree
        self.out = out
        self.jobs = jobs or os.cpu_count() or 1
        self.config = config
        self.log = log
        self.env = make_env(ccache_dir)
        self.arch = arch
        self.cross_compile = cross_compile
        self.allconfig = allconfig

    def make(self, *args: str, check: bool = False,
             timeout: int | None = None, on_line=None
             ) -> subprocess.CompletedProcess:
        """Run make in the O= directory; on_line sees each output line as
        it comes (stdout and stderr merged then)."""
        cmd = ["make", "-C", str(self.srctree), f"O={self.out}",
               *([f"ARCH={self.arch}"] if self.arch else []),
               *([f"CROSS_COMPILE={self.cross_compile}"]
                 if self.cross_compile else []),
               f"-j{self.jobs}", *args]
        try:
            # make and its compilers in a process group of their own, so
            # an interrupted or timed-out run stops all of them: an
            # orphaned make would go on writing into the O= directory
            # under the next run.
            proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE if on_line is None
                else subprocess.STDOUT,
                text=True, errors="replace", start_new_session=True,
                env=self.env)
        except FileNotFoundError as exc:
            raise BuildError("make not found: install make and gcc") from exc
        try:
            if on_line is None:
                out, err = proc.communicate(timeout=timeout)
                return subprocess.CompletedProcess(cmd, proc.returncode,
                                                   out, err)
            lines = []
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                on_line(line.rstrip("\n"))
            proc.wait()
            return subprocess.CompletedProcess(cmd, proc.returncode,
                                               "".join(lines), "")
        except BaseException:
            stop_process_group(proc)
            raise

    def configure(self) -> bool:
        """Configure and prepare once; True if it had to be done now."""
        stamp = self.out / ".rdma-sge-configured"
        wanted = self.config + (f"\n{self.allconfig}" if self.allconfig
                                else "")
        if stamp.exists() and stamp.read_text() == wanted and \
                (self.out / ".config").exists():
            return False
        self.out.mkdir(parents=True, exist_ok=True)
        for cc in (f"{self.cross_compile or ''}gcc", "make"):
            if shutil.which(cc) is None:
                raise BuildError(f"{cc} not found: install it (make deps)")
        start = time.monotonic()
        told = []
        if self.allconfig:
            fragment = self.out / "rdma-sge.allconfig"
            fragment.write_text(self.allconfig)
            told = [f"KCONFIG_ALLCONFIG={fragment}"]
        result = self.make(self.config, *told)
        if result.returncode != 0:
            raise BuildError(f"make {self.config} failed: "
                             f"{_last_line(result)}")
        result = self.make("prepare")
        if result.returncode != 0:
            raise BuildError(f"make prepare failed: {_last_line(result)}")
        stamp.write_text(wanted)
        self.log(f"configured {self.out} ({self.config}, prepare) in "
                 f"{time.monotonic() - start:.0f}s")
        return True

    def build(self, sources: list[str], extra: tuple[str, ...] = ("W=1",),
              preprocess: bool = False, afresh: bool = True
              ) -> dict[str, ObjectResult]:
        """Compile each source's object, afresh (every warning seen) or
        only where Kbuild finds it out of date (whether it builds is all
        that is asked); optionally also its .i."""
        targets = []
        for source in sources:
            obj = object_of(source)
            if afresh:
                (self.out / obj).unlink(missing_ok=True)
            targets.append(obj)
            if preprocess:
                (self.out / (source[:-2] + ".i")).unlink(missing_ok=True)
                targets.append(source[:-2] + ".i")
        wanted = {object_of(source) for source in sources}
        compiled: list[str] = []

        def progress(line: str) -> None:
            m = _COMPILING.match(line)
            if m and m["target"] in wanted and m["target"] not in compiled:
                compiled.append(m["target"])
                self.log(f"compiled {len(compiled)}/{len(wanted)} objects: "
                         f"{m['target']}")
        result = self.make("-k", *extra, *targets, on_line=progress)
        output = result.stdout + "\n" + result.stderr
        diagnostics = parse_diagnostics(output, self.srctree)
        failed = failed_targets(output)
        results = {}
        for source in sources:
            obj = object_of(source)
            built = obj not in failed and (self.out / obj).exists()
            mine = [d for d in diagnostics if d.file == source or
                    d.file.endswith(".h")]
            results[source] = ObjectResult(obj, source, built, mine)
        if result.returncode != 0 and not failed and \
                not any(r.built for r in results.values()):
            raise BuildError(f"make failed: {_last_line(result)}")
        return results

    def preprocessed(self, source: str) -> Path:
        return self.out / (source[:-2] + ".i")


def work_tree_build(work: Path, cache: Path, jobs: int | None = None,
                    log=print, arch: str | None = None) -> KernelBuild:
    """The build of a work tree that make convert and make series share:
    allmodconfig in cache/kbuild/<work tree name>, ccache in cache/ccache;
    for one of CROSS_ARCHES, in cache/kbuild/<work tree name>-<arch> with
    its cross compiler."""
    if arch is None:
        return KernelBuild(work, cache / "kbuild" / work.name, jobs=jobs,
                           log=log, ccache_dir=cache / "ccache")
    cross = CROSS_ARCHES[arch]
    return KernelBuild(work, cache / "kbuild" / f"{work.name}-{arch}",
                       jobs=jobs, log=log, ccache_dir=cache / "ccache",
                       arch=arch, cross_compile=cross.prefix,
                       allconfig=cross.allconfig)


def cross_compiler_missing(arch: str) -> str:
    """Why arch cannot be built here ("" when it can)."""
    gcc = f"{CROSS_ARCHES[arch].prefix}gcc"
    if shutil.which(gcc) is None:
        return (f"{gcc} is not installed (Debian's gcc-{gcc[:-4]}: "
                "scripts/install-deps.sh build installs it)")
    return ""


def new_diagnostics(baseline: list[Diagnostic],
                    converted: list[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics of the converted build that the baseline did not have
    (compared without line numbers, as a multiset)."""
    left = Counter(d.key() for d in baseline)
    new = []
    for diag in converted:
        if left[diag.key()] > 0:
            left[diag.key()] -= 1
        else:
            new.append(diag)
    return new


def compiler_version(prefix: str = "") -> str:
    """gcc's version line: build results hold for this compiler only."""
    try:
        done = subprocess.run([f"{prefix}gcc", "--version"],
                              capture_output=True, text=True)
    except OSError:
        return ""
    return done.stdout.splitlines()[0] if done.stdout else ""


def compilers() -> str:
    """The version lines of gcc and of the cross compilers installed."""
    return "; ".join(v for v in [compiler_version()] + [
        compiler_version(a.prefix) for a in CROSS_ARCHES.values()] if v)


def config_id(build: KernelBuild) -> str:
    config = build.out / ".config"
    return hashlib.sha256(config.read_bytes()).hexdigest()[:16] \
        if config.exists() else "none"


def _last_line(result: subprocess.CompletedProcess) -> str:
    lines = [l for l in (result.stderr + result.stdout).splitlines()
             if l.strip()]
    errors = [l for l in lines if "error" in l.lower()]
    return (errors or lines or [f"exit {result.returncode}"])[0 if errors
                                                              else -1].strip()
