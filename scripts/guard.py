"""make check: the ib_dma_* calls and local_dma_lkey uses a change adds.

A change is a range of commits in a kernel repository (base..head) or
patches (a file, a directory of *.patch, an mbox) applied to a kernel tree.
Only the files the change touches are read, before and after, into a
scratch directory; the user's tree, index and branches are never written.

Uses are counted per function (as the audit's spatch rule names it) and
wrapper, not per line: a function moved within or between files, or a
line moved inside a function, adds nothing.  A function whose count grows
is reported with each of its uses after the change.
"""

import json
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import leftovers
import maintainers
import sites
import spatch
import tree as kernel_tree


class CheckError(Exception):
    """Bad input; one line of text."""


@dataclass(frozen=True)
class Use:
    file: str
    line: int
    use: str  # the wrapper called, or "local_dma_lkey"
    function: str  # "?" when spatch could not tell

    def key(self) -> tuple[str, str, str]:
        """What a use is counted under: (function, wrapper), a known
        function being the same function wherever it moved to; a use
        outside any function spatch named counts under its file."""
        return (self.function, self.file if self.function == "?" else "",
                self.use)


@dataclass
class Change:
    """One (function, wrapper) whose count changed."""
    function: str
    use: str
    before: int
    after: int
    file: str
    subsystem: str
    lines: list[int] = field(default_factory=list)  # after (or before)

    @property
    def delta(self) -> int:
        return self.after - self.before


@dataclass
class CheckResult:
    what: str  # "RANGE base..head" or "PATCH path (n patches)"
    files: list[str]
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)

    @property
    def adds(self) -> int:
        return sum(c.delta for c in self.added)


def uses_in(root: Path, files: list[str], cache_dir: Path | None,
            jobs: int | None = None) -> list[Use]:
    """Every wrapper call and lkey use in files (relative to root), each
    with its function from the audit rule."""
    files = [f for f in files if (root / f).is_file()
             and f != sites.WRAPPER_HEADER]
    found = sites.grep_sites(root, files)
    if not found:
        return []
    runner = spatch.SpatchRunner(leftovers.AUDIT_RULE, options=[
        *spatch.DEFAULT_OPTIONS, "-D", "report"], cache_dir=cache_dir,
        jobs=jobs)
    where: dict[tuple[str, int, int], str] = {}
    for result in runner.run(root, sorted({s.path for s in found})).values():
        for key, match in leftovers.report_matches(result.stdout,
                                                   leftovers._SITE_LINE):
            where[key] = match["where"].removeprefix("struct ").strip()
    return [Use(s.path, s.line, s.name,
                where.get((s.path, s.line, s.column), "?")) for s in found]


def compare(before: list[Use], after: list[Use], owners=None
            ) -> tuple[list[Change], list[Change]]:
    """(added, removed): the (function, wrapper) pairs whose count grew or
    shrank, each with the lines of its uses on the side that has them."""
    count_before = Counter(u.key() for u in before)
    count_after = Counter(u.key() for u in after)
    added, removed = [], []
    for key in sorted(set(count_before) | set(count_after)):
        old, new = count_before[key], count_after[key]
        if old == new:
            continue
        side = after if new > old else before
        mine = [u for u in side if u.key() == key]
        file = mine[0].file
        change = Change(function=key[0], use=key[2], before=old, after=new,
                        file=file,
                        subsystem=owners.subsystem(file) if owners else "",
                        lines=sorted(u.line for u in mine))
        (added if new > old else removed).append(change)
    return added, removed


# Inputs -----------------------------------------------------------------

_DIFF_PATHS = re.compile(r"^(?:diff --git a/\S+ b/|--- a/|\+\+\+ b/)(\S+)",
                         re.M)


def _c_files(paths) -> list[str]:
    return sorted({p for p in paths if p.endswith((".c", ".h"))})


def range_files(kernel: kernel_tree.KernelTree, spec: str
                ) -> tuple[str, str, list[str]]:
    """(base, head, touched C files) of base..head in the kernel's repo."""
    if not kernel.is_git:
        raise CheckError(f"RANGE needs a git repository; {kernel.root} is "
                         "not one")
    if spec.count("..") != 1 or "..." in spec:
        raise CheckError(f"RANGE={spec}: expected base..head")
    base, head = (part or "HEAD" for part in spec.split(".."))
    for rev in (base, head):
        done = kernel.git("rev-parse", "--verify", "-q", f"{rev}^{{commit}}",
                          check=False)
        if done.returncode != 0:
            raise CheckError(f"RANGE={spec}: {rev} is not a commit in "
                             f"{kernel.root}")
    diff = kernel.git("diff", "--name-only", "--no-renames", base, head)
    return base, head, _c_files(diff.stdout.split())


def _show(kernel: kernel_tree.KernelTree, rev: str, path: str
          ) -> bytes | None:
    done = subprocess.run(["git", "-c", f"safe.directory={kernel.root}",
                           "-C", str(kernel.root), "show",
                           f"{rev}:{path}"], capture_output=True)
    return done.stdout if done.returncode == 0 else None


def _write(root: Path, path: str, content: bytes | None) -> None:
    if content is None:
        return
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


def patch_files(source: Path, scratch: Path) -> list[Path]:
    """The patches in source, in order: a directory's *.patch files, an
    mbox split with git mailsplit, or one plain diff."""
    if source.is_dir():
        found = sorted(source.glob("*.patch"))
        if not found:
            raise CheckError(f"PATCH={source}: no *.patch file in it")
        return found
    if not source.is_file():
        raise CheckError(f"PATCH={source} does not exist")
    text = source.read_bytes()
    if text.startswith(b"From "):
        out = scratch / "mbox"
        out.mkdir()
        done = subprocess.run(["git", "mailsplit", "-o" + str(out),
                               str(source)], capture_output=True, text=True)
        if done.returncode != 0:
            raise CheckError(f"PATCH={source}: git mailsplit failed: "
                             f"{done.stderr.strip()}")
        return sorted(out.iterdir())
    return [source]


def apply_patches(kernel: kernel_tree.KernelTree, patches: list[Path],
                  source: Path, before: Path, after: Path) -> list[str]:
    """Copy every file the patches touch from the kernel tree into before
    and after, and apply the patches, in order, to after."""
    touched: set[str] = set()
    for patch in patches:
        text = patch.read_text(errors="replace")
        touched.update(_DIFF_PATHS.findall(text))
    if not touched:
        raise CheckError(f"PATCH={source}: no diff in it")
    for path in sorted(touched):
        original = kernel.root / path
        if original.is_file():
            for side in (before, after):
                _write(side, path, original.read_bytes())
    for patch in patches:
        done = subprocess.run(["git", "apply", "--whitespace=nowarn",
                               str(patch.resolve())], cwd=after,
                              capture_output=True, text=True)
        if done.returncode != 0:
            first = (done.stderr.strip().splitlines() or ["?"])[0]
            raise CheckError(f"PATCH={source}: {patch.name} does not apply "
                             f"to {kernel.root}: {first}")
    return _c_files(touched)


def check(kernel: kernel_tree.KernelTree, cache: Path,
          range_spec: str | None = None, patch: str | None = None,
          jobs: int | None = None) -> CheckResult:
    if bool(range_spec) == bool(patch):
        raise CheckError("give one of RANGE=base..head or PATCH=file|dir|mbox")
    scratch = Path(tempfile.mkdtemp(prefix="rdma-sge-check-"))
    try:
        before, after = scratch / "before", scratch / "after"
        before.mkdir()
        after.mkdir()
        if range_spec:
            base, head, files = range_files(kernel, range_spec)
            for path in files:
                _write(before, path, _show(kernel, base, path))
                _write(after, path, _show(kernel, head, path))
            what = f"RANGE {range_spec}"
        else:
            source = Path(patch).expanduser()
            patches = patch_files(source, scratch)
            files = apply_patches(kernel, patches, source, before, after)
            what = f"PATCH {source} ({len(patches)} patch" \
                   f"{'es' if len(patches) != 1 else ''})"
        cache_dir = cache / "spatch-results"
        old = uses_in(before, files, cache_dir, jobs)
        new = uses_in(after, files, cache_dir, jobs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    added, removed = compare(old, new, maintainers.Maintainers(kernel.root))
    return CheckResult(what=what, files=files, added=added, removed=removed)


# Reports ----------------------------------------------------------------

def _line(change: Change, verb: str) -> str:
    lines = ",".join(str(n) for n in change.lines)
    return (f"{change.file}:{lines}: {change.use} — {change.function} — "
            f"{change.subsystem} — {verb} {abs(change.delta)} "
            f"({change.before} -> {change.after})")


def check_txt(result: CheckResult) -> str:
    out = [f"make check {result.what}: {len(result.files)} C file(s) "
           f"touched; {result.adds} ib_dma_*/local_dma_lkey use(s) added, "
           f"{sum(-c.delta for c in result.removed)} removed"]
    out += [_line(c, "adds") for c in result.added]
    out += [_line(c, "removes") for c in result.removed]
    return "\n".join(out) + "\n"


def check_json(result: CheckResult) -> str:
    data = {"what": result.what, "files": result.files,
            "totals": {"added": result.adds,
                       "removed": sum(-c.delta for c in result.removed)},
            "added": [asdict(c) for c in result.added],
            "removed": [asdict(c) for c in result.removed]}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
