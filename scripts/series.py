"""make series: the patch series a maintainer posts, from the work branch.

git format-patch of base..rdma-sge/work (the core series, then one
conversion per subsystem) into reports/<tree>/series/, with a cover letter
filled from the core series' own cover letter and from what make convert
measured, To/Cc per patch from the tree's scripts/get_maintainer.pl,
checkpatch.pl --strict on every patch, and optionally a build of the
touched objects after each patch in turn (bisectability).  More than
MAX_PATCHES patches are split into batches, one per maintainer tree.
"""

import json
import os
import re
import subprocess
import textwrap
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import apply
import build
import commit
import convert
import leftovers
import providers
import runtime_test
import maintainers
import tree
import ulps
import ulp_fixes

MAX_PATCHES = 15
# To: the maintainers (M:) of the files a patch touches; Cc: the lists (L:)
# and reviewers (R:).  No roles or statistics in the output (they are not
# addresses), no git history (--git-fallback would add whoever touched the
# files recently, and Debian's tree has no history at all).
GET_MAINTAINER_COMMON = ["--no-rolestats", "--no-git", "--no-git-fallback",
                         "--no-multiline", "--separator", "\n"]
GET_MAINTAINER_TO = ["--m", "--nor", "--nol", "--nos"]
GET_MAINTAINER_CC = ["--nom", "--r", "--l", "--nos"]
_TOTAL = re.compile(r"^total: (\d+) errors, (\d+) warnings, (?:(\d+) checks, )?"
                    r"\d+ lines checked", re.M)


class SeriesError(Exception):
    """Stops make series; the text is the one line shown."""


@dataclass
class Commit:
    sha: str
    subject: str
    files: list[str]
    core: bool = False


@dataclass
class Batch:
    tree: str  # the maintainer tree (MAINTAINERS T:) that takes it
    commits: list[Commit]


@dataclass
class Checkpatch:
    errors: int
    warnings: int
    checks: int


@dataclass
class SeriesResult:
    out_dir: Path
    batches: list[tuple[Batch, list[Path]]] = field(default_factory=list)
    recipients: dict[str, tuple[list[str], list[str]]] = field(
        default_factory=dict)
    checkpatch: dict[str, Checkpatch] = field(default_factory=dict)
    not_checked: list[str] = field(default_factory=list)
    bisect: list[tuple[str, list[str]]] | None = None  # (patch, broken srcs)
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def first_broken(self) -> str | None:
        for patch, broken in self.bisect or []:
            if broken:
                return patch
        return None


def _git(work: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(work), *args], check=True,
                          capture_output=True, text=True).stdout


# -------------------------------------------------------------- the input

def converted_branch(kernel: tree.KernelTree, cache: Path,
                     reports: Path) -> tuple[Path, str, list[Commit]]:
    """The work tree, the base commit and the commits to post."""
    try:
        last = convert.last_run(kernel, cache, reports)
    except convert.ConvertError as exc:
        raise SeriesError(str(exc)) from exc
    work, series_tip, base = last.work, last.series_tip, last.base
    core = last.core
    branch = _git(work, "rev-parse", "--abbrev-ref", "HEAD").strip()
    if branch != tree.WORK_BRANCH or subprocess.run(
            ["git", "-C", str(work), "merge-base", "--is-ancestor",
             series_tip, "HEAD"], capture_output=True).returncode != 0:
        raise SeriesError(f"{work} is not the work branch make convert "
                          "left: run `make convert` again")
    commits = []
    for line in _git(work, "log", "--reverse", "--format=%H %s",
                     f"{base}..HEAD").splitlines():
        sha, subject = line.split(" ", 1)
        files = _git(work, "diff-tree", "--no-commit-id", "--name-only",
                     "-r", sha).split()
        commits.append(Commit(sha, subject, files,
                              core=len(commits) < core))
    if not commits:
        raise SeriesError(f"nothing on {tree.WORK_BRANCH} above the base: "
                          "run `make convert` first")
    return work, base, commits


def batches(commits: list[Commit], owners, max_patches: int = MAX_PATCHES
            ) -> list[Batch]:
    """One series if it is small; else the core series plus the
    conversions its tree takes, then one batch per other maintainer tree."""
    core_tree = _tree_of(commits[0].files, owners) if commits else ""
    if len(commits) <= max_patches:
        return [Batch(core_tree, list(commits))]
    grouped: dict[str, list[Commit]] = {}
    for c in commits:
        key = core_tree if c.core else _tree_of(c.files, owners)
        grouped.setdefault(key, []).append(c)
    out = [Batch(core_tree, grouped.pop(core_tree, []))]
    out += [Batch(t, cs) for t, cs in grouped.items()]
    return out


def _tree_of(files: list[str], owners) -> str:
    counts = Counter()
    for f in files:
        for t in owners.trees(f):
            counts[t] += 1
    return counts.most_common(1)[0][0] if counts else "(no T: entry)"


# ------------------------------------------------------------ the cover

def _core_cover() -> tuple[str, str]:
    """Subject and body of the core series' cover letter."""
    text = (apply.PATCHES_DIR / "0000-cover-letter.patch").read_text()
    subject = re.search(r"^Subject: (?:\[[^\]]*\] )?(.*(?:\n .*)*)", text,
                        re.M)[1].replace("\n ", " ")
    body = text.split("\n\n", 1)[1]
    body = re.split(r"^\S.* \(\d+\):$", body, maxsplit=1, flags=re.M)[0]
    # What is said of the core patches alone does not fit the whole posting.
    paragraphs = [p for p in body.strip().split("\n\n")
                  if not p.startswith(("The series is against",
                                       "The new files are listed"))]
    return subject, "\n\n".join(paragraphs)


def before_after(work: Path, base_tip: str, owners) -> list[tuple[str, int,
                                                                  int]]:
    """Sites (wrapper calls + lkey uses) per ULP subsystem, at the core
    series' tip and at the head of the work branch."""
    def count(rev: str) -> Counter:
        out = subprocess.run(
            ["git", "-C", str(work), "grep", "-lP",
             r"\bib_dma_\w+\s*\(|local_dma_lkey", rev, "--", *ulps.PATHS],
            capture_output=True, text=True).stdout.split()
        per = Counter()
        for item in out:
            path = item.split(":", 1)[1]
            text = _git(work, "show", f"{rev}:{path}")
            calls, lkeys = commit.count_sites({path: text})
            per[owners.subsystem(path)] += calls + lkeys
        return per
    before, after = count(base_tip), count("HEAD")
    return [(s, before[s], after[s]) for s in sorted(before)]


def fix_commits(commits: list[Commit]) -> list[Commit]:
    """The commits that are kernel-patches/ulp-fixes/ patches."""
    subjects = {apply.patch_subject(p) for p in ulp_fixes.fix_patches()}
    return [c for c in commits if not c.core and c.subject in subjects]


def cover_text(commits: list[Commit], table, leftovers_json: Path,
               convert_json: Path, kunit_txt: Path, runtime_txt: Path,
               batch: Batch, nbatches: int, index: int) -> tuple[str, str]:
    core_subject, core_body = _core_cover()
    provider_commits = [c for c in commits if not c.core and c.files and all(
        providers.provider_of(f) for f in c.files)]
    fixes = fix_commits(commits)
    conversions = [c for c in commits if not c.core
                   and c not in provider_commits and c not in fixes]
    subject = ("RDMA: build ib_sge in the core, move the ULPs off ib_dma_*"
               if any(c.core for c in commits) else
               f"Convert to the RDMA core's ib_sge builders ({batch.tree})")
    lines = []
    if any(c.core for c in commits):
        lines += [core_body, ""]
    else:
        lines += [textwrap.fill(
            f"This batch converts {len(conversions)} upper-layer "
            "protocol(s) to the ib_sge builder helpers that batch 1 of "
            "this posting adds to the RDMA core (\"" + core_subject +
            "\"); it applies on top of that batch.", 72), ""]
    if fixes:
        lines += [textwrap.fill(
            f"{len(fixes)} patch(es) fix how a ULP maps, syncs or unmaps "
            "a buffer today, before this series, or prepare that code for "
            "the helpers (each commit message says which, what goes wrong "
            "and how it was found): they come first in their ULP and apply "
            "without the core series, the fixes are worth taking on their "
            "own, and the conversion of that ULP builds on them.", 72),
            ""]
        lines += [f"  {c.subject}" for c in fixes] + [""]
    if conversions:
        lines += [textwrap.fill(
            f"The {len(conversions)} conversion patch(es) after the core "
            "ones were generated with semantic patches (Coccinelle), one "
            "per subsystem: each replaces the map, its error check, the "
            "hand-filled addr/length/lkey and the matching syncs and unmaps "
            "of a buffer by the helpers, or leaves that buffer alone. "
            "Please review them as hand-written patches.", 72), ""]
    if provider_commits:
        names = sorted({providers.provider_of(f).rstrip("/").rsplit(
            "/", 1)[-1] for c in provider_commits for f in c.files})
        lines += [textwrap.fill(
            f"{len(provider_commits)} patch(es) move hardware providers "
            f"({', '.join(names)}) off the ib_dma_* wrappers: they call "
            "the DMA API on their own dma_device, which is exactly what "
            "the wrappers did for a device registered with one (each "
            "commit message names the registration that shows it).", 72),
            ""]
    if table:
        total_b = sum(b for _, b, _ in table)
        total_a = sum(a for _, _, a in table)
        width = max(len(s) for s, _, _ in table)
        lines += ["ib_dma_* calls and local_dma_lkey uses in the ULPs, "
                  "before and after:", ""]
        for s, b, a in table:
            lines.append(f"  {s:<{width}}  {b:4d} -> {a:4d}")
        lines += [f"  {'total':<{width}}  {total_b:4d} -> {total_a:4d}", ""]
    if leftovers_json.exists():
        data = json.loads(leftovers_json.read_text())

        def reason_of(site: dict) -> str:
            text = site.get("category") or site.get("reason") or \
                "not classified"
            if text.startswith(leftovers.MISMATCH_PREFIX):
                return "pre-existing DMA-API mismatch (listed below)"
            return text
        reasons = Counter(reason_of(s) for s in data["sites"]
                          if s.get("area") == "ulp")
        if reasons:
            lines += ["What is left in the ULPs, and why:", ""]
            for reason, n in reasons.most_common():
                lines.append(f"  {n:4d}  {reason}")
            lines.append("")
        if data.get("mismatches"):
            lines += ["DMA-API mismatches the ULPs have today, which the "
                      "conversion leaves alone (each is worth a fix of its "
                      "own):", ""]
            for m in data["mismatches"]:
                lines += textwrap.wrap(f"{m['file']}:{m['line']}: "
                                       f"{m['text']}", 72,
                                       initial_indent="  - ",
                                       subsequent_indent="    ")
            lines.append("")
    record = json.loads(convert_json.read_text()) \
        if convert_json.exists() else None
    left_out = record.get("left_out", {}) if record else {}
    if record:
        # the structs of this batch's files: another tree's maintainer
        # reviews another batch
        touched = {f for c in commits for f in c.files}
        layout = [change for change in record.get("layout", [])
                  if change["file"] in touched]
        if layout:
            lines += ["Structs whose layout the conversion changes (pahole, "
                      "before -> after):", ""]
            for change in layout:
                lines += textwrap.wrap(
                    layout_text(change), 72, initial_indent="  - ",
                    subsequent_indent="    ")
            lines.append("")
    if any(c.core for c in commits):
        for name, why in sorted(left_out.items()):
            lines += textwrap.wrap(
                f"Left out of this posting: the core series' patch {name} "
                f"({why}).", 72, break_on_hyphens=False,
                break_long_words=False) + [""]
    lines += ["Testing:"]
    if record:
        builds = record["builds"]
        built = sum(b["built"] for b in builds)
        new = sum(len(b["new_warnings"]) for b in builds)
        uncompiled = sum(len(b["uncompiled_lines"]) for b in builds)
        lines.append(f"  - the {len(builds)} objects the conversion touches "
                     f"built under allmodconfig with W=1: {built} built, "
                     f"{new} new warnings, {uncompiled} changed lines the "
                     "compiler did not see")
        core = record.get("core_builds", [])
        if core:
            lines.append("  - the core series' own objects ("
                         + ", ".join(Path(b["source"]).stem + ".o"
                                     for b in core)
                         + ") built with W=1: "
                         + f"{sum(b['built'] for b in core)} built, "
                         + f"{sum(len(b['new_warnings']) for b in core)} "
                         "warnings")
        built_for = {b["arch"] for b in record.get("arch_builds", [])}
        for arch in (a for a in build.CROSS_ARCHES if a in built_for):
            mine = [b for b in record["arch_builds"] if b["arch"] == arch]
            lines.append(
                f"  - these objects and the core series' built for {arch} "
                f"too (allmodconfig, W=1): {sum(b['built'] for b in mine)}/"
                f"{len(mine)} built, "
                f"{sum(len(b['new_warnings']) for b in mine)} new warnings")
        for arch, why in sorted(record.get("arch_skipped", {}).items()):
            lines.append(f"  - NOT built for {arch}: {why}")
        if convert.NO_CHECKERS in record.get("checkers", []):
            lines.append("  - sparse and coccicheck: NOT run "
                         "(make convert --no-checkers)")
        elif "checkers" in record:
            ran = " ".join(record["checkers"])
            sparse_new = sum(len(b.get("sparse_new", [])) for b in builds)
            cocci_new = len(record.get("coccicheck_new", []))
            lines.append(
                "  - sparse (make C=2): "
                + ("not run" if "not installed" in ran else
                   f"{sparse_new or 'no'} new warnings")
                + "; scripts/coccinelle in report mode on the changed "
                f"files: {cocci_new or 'no'} new findings")
    if any("KUnit" in why for why in left_out.values()):
        lines.append("  - KUnit suite: left out on this tree (above)")
    elif kunit_txt.exists():
        lines.append(f"  - KUnit: {kunit_txt.read_text().strip()}")
    else:
        lines.append("  - KUnit suite of patch 2 (rdma_sge): not run for "
                     "this posting")
    runtime_json = runtime_txt.with_suffix(".json")
    names = {ulps.ulp_of(f) for c in conversions for f in c.files} - {None}
    if names and runtime_json.exists():
        lines.append(textwrap.fill(
            "at run time, the subsystems of this batch (data written, read "
            "back and compared over each ULP under QEMU; rxe_dma is rxe "
            "mapping through the DMA API with swiotlb=force):", 72,
            initial_indent="  - ", subsequent_indent="    "))
        lines += [textwrap.fill(line, 72, initial_indent="    - ",
                                subsequent_indent="      ")
                  for line in runtime_test.lines_for_ulps(
                      json.loads(runtime_json.read_text()), names)]
    if runtime_txt.exists():
        lines.append("  - make runtime-test:")
        lines += [f"    {line}" for line in
                  runtime_txt.read_text().strip().splitlines()]
    else:
        lines.append("  - no runtime test (NVMe-oF, SRP, RNBD, NFS/RDMA, "
                     "iSER, RDS over rxe/siw) yet")
    if nbatches > 1:
        lines += ["", f"This is batch {index} of {nbatches}, for "
                  f"{batch.tree}."]
    return subject, "\n".join(lines).rstrip() + "\n"


def layout_text(change: dict) -> str:
    """One line of convert.json's layout record, as the stage prints it."""
    before, after = change.get("before"), change.get("after")
    if not before or not after:
        return f"struct {change['struct']}: {change.get('note', '')}"
    text = (f"struct {change['struct']}: {before['size']} -> "
            f"{after['size']} bytes, {before['cachelines']} -> "
            f"{after['cachelines']} cache lines")
    if change.get("flags"):
        text += " (" + "; ".join(change["flags"]) + ")"
    return text


def fill_cover(path: Path, subject: str, body: str) -> None:
    text = path.read_text()
    text = text.replace("*** SUBJECT HERE ***", subject, 1)
    text = text.replace("*** BLURB HERE ***", body.rstrip(), 1)
    path.write_text(text)


# --------------------------------------------------------- recipients

def get_maintainer(kernel_root: Path, patch: Path, options: list[str]
                   ) -> list[str]:
    result = subprocess.run(
        ["perl", "scripts/get_maintainer.pl", *GET_MAINTAINER_COMMON,
         *options, str(patch)], cwd=kernel_root, capture_output=True,
        text=True)
    if result.returncode != 0:
        raise SeriesError(f"get_maintainer.pl failed on {patch.name}: "
                          f"{result.stderr.strip().splitlines()[-1:]}")
    return [a.strip() for a in result.stdout.splitlines() if "@" in a]


def add_headers(path: Path, to: list[str], cc: list[str]) -> None:
    """Put To:/Cc: in the patch's mail header (git send-email reads them)."""
    text = path.read_text()
    head, sep, rest = text.partition("\nSubject: ")
    head = re.sub(r"^(To|Cc): .*(?:\n\s+.*)*\n?", "", head, flags=re.M)
    for name, addrs in (("To", to), ("Cc", cc)):
        if addrs:
            head += f"\n{name}: " + ",\n    ".join(addrs)
    path.write_text(head + sep + rest)


# ---------------------------------------------------------- checkpatch

def parse_checkpatch(output: str) -> Checkpatch | None:
    m = _TOTAL.search(output)
    if not m:
        return None
    return Checkpatch(int(m[1]), int(m[2]), int(m[3] or 0))


_NEW_FILE = re.compile(r"^diff --git a/(\S+) b/\1\nnew file mode ", re.M)


def new_files_owned(kernel_root: Path, patch_text: str,
                    owners: maintainers.Maintainers | None = None) -> bool:
    """Whether the patch adds files and every one already has an owner in
    MAINTAINERS (a directory pattern such as drivers/infiniband/): then
    checkpatch's "does MAINTAINERS need updating?" has its answer, and an
    F: line for the file would repeat the directory's."""
    added = _NEW_FILE.findall(patch_text)
    if not added or not (kernel_root / "MAINTAINERS").exists():
        return False
    owners = owners or maintainers.Maintainers(kernel_root)
    return all(owners.owners(path) for path in added)


def has_history(work: Path, base: str) -> bool:
    """Whether the tree's history goes back before its base: a tree
    imported from a tarball (Debian's linux-source) has the base as its
    one root commit, and checkpatch cannot look up the commits a patch's
    Fixes: tags name."""
    return int(_git(work, "rev-list", "--count", base).strip()) > 1


def run_checkpatch(kernel_root: Path, patch: Path,
                   commit_ids: bool = True) -> tuple[str, Checkpatch]:
    env = dict(os.environ, PATH="/usr/bin:" + os.environ.get("PATH", ""))
    answered = new_files_owned(kernel_root, patch.read_text(
        errors="replace"))
    ignore = ["FILE_PATH_CHANGES"] if answered else []
    if not commit_ids:
        ignore.append("UNKNOWN_COMMIT_ID")
    result = subprocess.run(
        ["perl", "scripts/checkpatch.pl", "--strict", "--no-color",
         *(["--ignore", ",".join(ignore)] if ignore else []),
         "--showfile", str(patch)], cwd=kernel_root, capture_output=True,
        text=True, env=env)
    parsed = parse_checkpatch(result.stdout)
    if parsed is None:
        raise SeriesError(f"checkpatch.pl gave no result for {patch.name}: "
                          f"{(result.stderr or result.stdout).strip()[:200]}")
    return result.stdout + result.stderr, parsed


# ------------------------------------------------------------ bisect

def check_bisect(work: Path, commits: list[Commit], kbuild, log
                 ) -> list[tuple[str, list[str]]]:
    """Check out each commit in turn and build what the series touched so
    far; the work branch is checked out again afterwards."""
    out = []
    touched: list[str] = []
    try:
        for c in commits:
            touched += [f for f in c.files if f not in touched]
            _git(work, "checkout", "-q", "--detach", c.sha)
            present = [f for f in touched if (work / f).exists()]
            sources = convert._sources_to_build(work, present)
            # Kbuild rebuilds what the checkout changed; ccache has most of
            # it from make convert's builds of the same sources
            results = kbuild.build(sources, afresh=False) if sources else {}
            broken = sorted(s for s, r in results.items() if not r.built)
            log(f"  {c.sha[:12]} {c.subject}: {len(sources)} objects"
                + (f", BROKEN: {', '.join(broken)}" if broken else ""))
            out.append((c.subject, broken))
    finally:
        _git(work, "checkout", "-q", tree.WORK_BRANCH)
    return out


# -------------------------------------------------------------- driver

def make_series(kernel: tree.KernelTree, cache: Path, reports: Path,
                version: int | None = None, prefix: str = "PATCH",
                check_bisect_build: bool = False, jobs: int | None = None,
                log=print) -> SeriesResult:
    start = time.monotonic()
    work, base, commits = converted_branch(kernel, cache, reports)
    owners = maintainers.Maintainers(work)
    out_dir = reports / kernel.name / "series"
    result = SeriesResult(out_dir)
    old = sorted(out_dir.glob("**/*.patch")) if out_dir.exists() else []
    for p in old:
        p.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = batches(commits, owners)
    core_tip = next((c.sha for c in reversed(commits) if c.core), base)
    table = before_after(work, core_tip, owners)
    fixes = fix_commits(commits)
    log(f"{len(commits)} patches on {tree.WORK_BRANCH} above {base[:12]} "
        f"({sum(c.core for c in commits)} core, {len(fixes)} fixes, "
        f"{sum(not c.core for c in commits) - len(fixes)} conversions); "
        f"{len(plan)} batch(es)" + (f"; replaced {len(old)} old patch "
                                    "files" if old else ""))
    report_dir = reports / kernel.name
    for index, batch in enumerate(plan, 1):
        target = out_dir if len(plan) == 1 else \
            out_dir / f"batch-{index}-{_slug(batch.tree)}"
        target.mkdir(parents=True, exist_ok=True)
        args = ["format-patch", "-q", "--cover-letter", "--no-signature",
                "-o", str(target), f"--subject-prefix={prefix}",
                f"--base={base}"]
        if version:
            args.append(f"-v{version}")
        files = _format_batch(work, args, batch, base, core_tip,
                              len(plan) > 1)
        subject, body = cover_text(
            batch.commits, table if index == 1 else
            [row for row in table if _in_batch(row[0], batch, owners)],
            report_dir / "leftovers.json", report_dir / "convert.json",
            report_dir / "kunit.txt", report_dir / "runtime.txt",
            batch, len(plan), index)
        fill_cover(files[0], subject, body)
        result.batches.append((batch, files))
    result.stages["format-patch"] = time.monotonic() - start

    start = time.monotonic()
    has_gm = (work / "scripts/get_maintainer.pl").exists()
    has_cp = (work / "scripts/checkpatch.pl").exists()
    if not has_gm:
        result.not_checked.append("recipients: the tree has no "
                                  "scripts/get_maintainer.pl")
    if not has_cp:
        result.not_checked.append("style: the tree has no "
                                  "scripts/checkpatch.pl")
    commit_ids = has_history(work, base)
    if has_cp and not commit_ids:
        result.not_checked.append(
            "the commits that Fixes: tags name: the tree has no history "
            f"before its base {base[:12]}")
    checkpatch_out = []

    def check_one(patch: Path):
        """Recipients written into the patch, then its checkpatch; one
        patch file per call, so patches are checked side by side."""
        to: list[str] = []
        cc: list[str] = []
        if has_gm:
            to = get_maintainer(work, patch, GET_MAINTAINER_TO)
            cc = [a for a in get_maintainer(work, patch, GET_MAINTAINER_CC)
                  if a not in to]
            add_headers(patch, to, cc)
        return to, cc, (run_checkpatch(work, patch, commit_ids) if has_cp
                        else None)

    for batch, files in result.batches:
        cover, patches = files[0], files[1:]
        union_to: list[str] = []
        union_cc: list[str] = []
        with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1
                                ) as pool:
            checked = list(pool.map(check_one, patches))
        for patch, (to, cc, style) in zip(patches, checked):
            if has_gm:
                result.recipients[patch.name] = (to, cc)
                union_to += [a for a in to if a not in union_to]
                union_cc += [a for a in cc if a not in union_cc]
            if style is not None:
                text, parsed = style
                result.checkpatch[patch.name] = parsed
                checkpatch_out.append(f"### {patch.name}\n{text}")
        if has_gm:
            union_cc = [a for a in union_cc if a not in union_to]
            add_headers(cover, union_to, union_cc)
            result.recipients[cover.name] = (union_to, union_cc)
    result.stages["recipients and checkpatch"] = time.monotonic() - start
    if has_cp:
        (out_dir / "checkpatch.txt").write_text("\n".join(checkpatch_out))
    if has_gm:
        (out_dir / "recipients.txt").write_text(recipients_txt(result))

    if check_bisect_build:
        start = time.monotonic()
        kbuild = build.work_tree_build(work, cache, jobs,
                                       log=lambda m: log("  " + m))
        kbuild.configure()
        result.bisect = check_bisect(work, commits, kbuild, log)
        result.stages["bisect build"] = time.monotonic() - start
    (out_dir / "series.txt").write_text(summary_txt(result))
    return result


def _format_batch(work: Path, args: list[str], batch: Batch, base: str,
                  core_tip: str, split: bool) -> list[Path]:
    """format-patch one batch: the branch itself when there is one batch;
    else the batch's commits picked onto the base (batch 1, with the core
    series) or onto the core series' tip (the others), on a detached HEAD
    of the work tree, which is checked out on the branch again after."""
    out = Path(args[args.index("-o") + 1])
    if not split:
        _git(work, *args, f"{base}..{batch.commits[-1].sha}")
        return sorted(out.glob("*.patch"))
    start = base if batch.commits[0].core else core_tip
    args = [a if not a.startswith("--base=") else f"--base={start}"
            for a in args]
    try:
        _git(work, "checkout", "-q", "--detach", start)
        for c in batch.commits:
            _git(work, *tree.TOOLKIT_IDENTITY, "cherry-pick",
                 "--allow-empty", "--keep-redundant-commits", c.sha)
        _git(work, *args, f"{start}..HEAD")
    finally:
        subprocess.run(["git", "-C", str(work), "cherry-pick", "--abort"],
                       capture_output=True)
        _git(work, "checkout", "-q", "--force", tree.WORK_BRANCH)
    return sorted(out.glob("*.patch"))


def _in_batch(subsystem: str, batch: Batch, owners) -> bool:
    return any(owners.subsystem(f) == subsystem
               for c in batch.commits for f in c.files)


def _slug(text: str) -> str:
    text = re.sub(r"^git ", "", text)
    text = re.sub(r"^\S+://[^/]+/(pub/scm/)?", "", text)
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:40] or "tree"


def recipients_txt(result: SeriesResult) -> str:
    lines = []
    for name, (to, cc) in result.recipients.items():
        lines.append(name)
        lines += [f"  To: {a}" for a in to]
        lines += [f"  Cc: {a}" for a in cc]
    return "\n".join(lines) + "\n"


def summary_txt(result: SeriesResult) -> str:
    lines = []
    for index, (batch, files) in enumerate(result.batches, 1):
        lines.append(f"batch {index}: {len(files) - 1} patches for "
                     f"{batch.tree}")
        for f in files:
            cp = result.checkpatch.get(f.name)
            note = (f"  checkpatch: {cp.errors} errors, {cp.warnings} "
                    f"warnings, {cp.checks} checks" if cp else "")
            lines.append(f"  {f.relative_to(result.out_dir)}{note}")
    total = Checkpatch(*(sum(getattr(c, k) for c in
                             result.checkpatch.values())
                         for k in ("errors", "warnings", "checks")))
    if result.checkpatch:
        lines.append(f"checkpatch --strict: {total.errors} errors, "
                     f"{total.warnings} warnings, {total.checks} checks in "
                     f"{len(result.checkpatch)} patches")
    for item in result.not_checked:
        lines.append(f"not checked: {item}")
    if result.bisect is not None:
        lines.append("bisect build: " + (
            f"first broken patch: {result.first_broken}"
            if result.first_broken else
            f"every one of {len(result.bisect)} patches builds"))
    return "\n".join(lines) + "\n"
