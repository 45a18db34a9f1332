"""make convert: the whole job, on the toolkit's work branch.

Stages: work tree, apply the core series, run the conversion rules, commit
per subsystem, build the touched objects (baseline at the series' tip,
then the conversion with W=1), check that every changed line was compiled,
audit what is left, write the reports.
"""

import contextlib
import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import apply
import build
import checkers
import cocci_convert
import commit
import compiled_lines
import layout_stage
import struct_layout
import leftovers
import maintainers
import providers
import tree
import ulp_fixes
import wrapper_removal

TOOLKIT = Path(__file__).resolve().parent.parent


class ConvertError(Exception):
    """Stops the run; the text is the one line shown."""


@dataclass
class BuildRecord:
    source: str
    subsystem: str
    built: bool
    baseline_warnings: list[str] = field(default_factory=list)
    new_warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    uncompiled_lines: list[int] = field(default_factory=list)
    # sparse (make C=2) warnings the conversion adds to this object
    sparse_new: list[str] = field(default_factory=list)
    # "" for the host's x86_64 build, else one of build.CROSS_ARCHES;
    # whether the object built before (None: no baseline, because it built
    # without a diagnostic after or is new)
    arch: str = ""
    baseline_built: bool | None = None


@dataclass
class ConvertResult:
    work: tree.WorkTree
    series_tip: str
    commits: list[tuple[str, str]] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)
    builds: list[BuildRecord] = field(default_factory=list)
    # the core series' and the converted objects built for the other
    # architectures, and the architectures that could not be built (why)
    arch_builds: list[BuildRecord] = field(default_factory=list)
    arch_skipped: dict[str, str] = field(default_factory=dict)
    # the core series' own objects (the API and its KUnit test), W=1
    core_builds: list[BuildRecord] = field(default_factory=list)
    # core patches on the branch, and those left out (name -> why)
    core_patches: int = 0
    left_out: dict[str, str] = field(default_factory=dict)
    uncompiled: dict[str, list[int]] = field(default_factory=dict)
    before: leftovers.Audit | None = None
    after: leftovers.Audit | None = None
    spatch_errors: dict[str, str] = field(default_factory=dict)
    # ULP -> (rule, field or sge family, why the rule left it alone)
    kept: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    # provider -> what proves it uses the DMA API, or why its ib_dma_*
    # calls stay
    providers_converted: dict[str, str] = field(default_factory=dict)
    providers_kept: dict[str, str] = field(default_factory=dict)
    # the last patch: the wrappers it deleted, or why it is not there
    wrappers_deleted: list[str] = field(default_factory=list)
    wrappers_kept: str = ""
    # the fixes of pre-existing mismatches applied before the rules
    # (kernel-patches/ulp-fixes/), or why one was not
    fixes: list[ulp_fixes.Outcome] = field(default_factory=list)
    # every struct whose members the conversion changed, as compiled
    layout: list[layout_stage.LayoutChange] = field(default_factory=list)
    # what the kernel's checkers say (which ran, on what) and the
    # coccicheck findings the conversion adds
    checkers: list[str] = field(default_factory=list)
    coccicheck_new: list[str] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)
    nothing_to_do: bool = False
    stale_rules: bool = False   # the branch's conversion is by other rules
    new_commits: int = 0
    head: str = ""
    compiler: str = ""
    builds_reused: bool = False


class Stages:
    def __init__(self, log):
        self.log = log
        self.times: dict[str, float] = {}

    def run(self, name: str, func, *args, **kwargs):
        self.log(f"[{name}]")
        start = time.monotonic()
        try:
            return func(*args, **kwargs)
        finally:
            self.times[name] = time.monotonic() - start


def _git(work: Path, *args: str, check: bool = True) -> str:
    result = tree.run_whole(["git", "-C", str(work), *args])
    if check and result.returncode != 0:
        message = (result.stderr.strip() or result.stdout.strip())
        raise ConvertError(f"git {args[0]} failed in {work}: "
                           f"{message.splitlines()[-1] if message else ''}")
    return result.stdout


@dataclass
class LastRun:
    """What an earlier make convert left: its work tree, the tip of the
    core series on the work branch and the base below the series."""
    work: Path
    series_tip: str
    base: str
    core: int  # patches of the core series on the branch
    left_out: dict[str, str]  # core patches left out on this tree, and why


def last_run(kernel: tree.KernelTree, cache: Path, reports: Path) -> LastRun:
    """Find the work branch make convert left, or say to run it."""
    record = reports / kernel.name / "convert.json"
    work = tree.work_tree_path(kernel, cache)
    if not record.exists() or not (work / ".git").exists():
        raise ConvertError(f"no converted work branch for {kernel.root}: "
                           "run `make convert` first")
    data = json.loads(record.read_text())
    series_tip = data["series_tip"]
    core = data.get("core_patches") or len(
        apply.series_patches(apply.PATCHES_DIR))
    base = _git(work, "rev-parse", f"{series_tip}~{core}").strip()
    return LastRun(work, series_tip, base, core, data.get("left_out", {}))


def _rules_mark(work: Path) -> Path:
    """Where the work tree records which rules made its conversion
    commits: a file of its own git directory, gone with the worktree."""
    return Path(_git(work, "rev-parse", "--path-format=absolute",
                     "--git-path", "rdma-sge-rules").strip())


def _made_by(work: Path) -> list[str] | None:
    try:
        return _rules_mark(work).read_text().split()
    except OSError:
        return None


def has_conversion(work: Path, series_tip: str) -> bool:
    return bool(_git(work, "rev-list", f"{series_tip}..HEAD").strip())


def rules_changed(work: Path, series_tip: str, fingerprint: str) -> bool:
    """The branch has conversion commits that other rules made.  (No
    record, as after an older toolkit: not known, so not changed.)"""
    if not has_conversion(work, series_tip):
        return False
    made_by = _made_by(work)
    return made_by is not None and made_by != [series_tip, fingerprint]


def mark_rules(work: Path, series_tip: str, fingerprint: str,
               fresh: bool) -> None:
    """Record that the commits after series_tip are what these rules make:
    after a run that started at the series tip (fresh), or one that found
    them made by the same rules."""
    if fresh or _made_by(work) == [series_tip, fingerprint]:
        _rules_mark(work).write_text(f"{series_tip} {fingerprint}\n")


def clean_leftovers_of_an_interrupted_run(work: Path, log,
                                          branch: str | None = None) -> None:
    git_dir = Path(_git(work, "rev-parse", "--absolute-git-dir").strip())
    if (git_dir / "rebase-apply").exists():
        _git(work, "am", "--abort", check=False)
        log("  aborted the git am an interrupted run left behind")
    if (git_dir / "rebase-merge").exists():
        _git(work, "rebase", "--abort", check=False)
        log("  aborted the rebase an interrupted run left behind")
    if _git(work, "status", "--porcelain").strip():
        _git(work, "reset", "-q", "--hard", "HEAD")
        _git(work, "clean", "-q", "-fd")
        log("  discarded uncommitted changes an interrupted run left in the "
            "work tree")
    if branch and _git(work, "symbolic-ref", "-q", "HEAD",
                       check=False).strip() != f"refs/heads/{branch}":
        _git(work, "checkout", "-q", branch)
        log(f"  checked {branch} out again (an interrupted run had left "
            "another commit checked out)")


def convert(kernel: tree.KernelTree, cache: Path, reports: Path,
            jobs: int | None = None, log=print,
            arches: tuple[str, ...] | None = None,
            run_checkers: bool = True) -> ConvertResult:
    """arches: the architectures besides x86_64 to build for (default
    all of build.CROSS_ARCHES); run_checkers: whether sparse and
    coccicheck run."""
    arches = tuple(build.CROSS_ARCHES) if arches is None else arches
    check_arches(arches)
    stages = Stages(log)
    work = stages.run("work tree", tree.prepare_work_tree, kernel, cache,
                      lambda m: log("  " + m))
    clean_leftovers_of_an_interrupted_run(work.path, log, work.branch)
    signer = commit.identity(kernel.root)
    if signer is None:
        signer = ("rdma-sge toolkit", "rdma-sge-toolkit@localhost")
        log("  note: git has no user.name/user.email here; the commits are "
            "signed off by a placeholder: set them and run again before "
            "posting")

    # A patch an earlier run left out of this work branch (its KUnit test
    # does not build on this tree) stays out until the branch is new.
    left_out = {} if work.created else _left_out_last_time(
        reports / kernel.name / "convert.json")

    def do_apply():
        try:
            result = apply.apply_series(
                work.path, git_options=["-c", f"user.name={signer[0]}",
                                        "-c", f"user.email={signer[1]}"],
                leave_out=frozenset(left_out))
        except apply.ApplyError as exc:
            raise ConvertError(str(exc)) from exc
        log(f"  {result.message}")
        return result
    applied = stages.run("apply core series", do_apply)
    series_tip = applied.commits[-1]

    result = ConvertResult(work=work, series_tip=series_tip)
    kbuild = build.work_tree_build(work.path, cache, jobs,
                                   log=lambda m: log("  " + m))
    result.core_builds = stages.run(
        "build core series", build_core_series, work.path, series_tip,
        len(applied.commits), kbuild, log)
    result.left_out = dict(left_out)
    result.core_patches = len(applied.commits)
    for record in result.core_builds:
        if not record.built and is_test_source(record.source) and \
                (work.path / record.source).exists():
            name, series_tip = _leave_out(work, series_tip,
                                          result.core_patches, record.source,
                                          applied.patches)
            reason = record.errors[0] if record.errors else "does not build"
            result.left_out[name] = f"its KUnit test does not build on " \
                                    f"this tree: {reason}"
            result.core_patches -= 1
            result.series_tip = series_tip
            log(f"  left {name} out of the work branch: "
                f"{result.left_out[name]}")

    fingerprint = cocci_convert.rules_fingerprint(
        cocci_convert.rule_files() + [cocci_convert.PROVIDER_RULE]
        + ulp_fixes.fix_patches())
    fresh = not has_conversion(work.path, series_tip)
    result.stale_rules = rules_changed(work.path, series_tip, fingerprint)

    def do_fixes():
        if result.stale_rules:
            return []
        outcomes = ulp_fixes.apply_fixes(
            work.path, series_tip, ["-c", f"user.name={signer[0]}",
                                    "-c", f"user.email={signer[1]}"])
        for o in outcomes:
            log(f"  {o.patch}: {o.why}")
        return outcomes
    result.fixes = stages.run("apply ULP fixes", do_fixes)

    def do_convert():
        if result.stale_rules:
            # what the rules that made those commits left, and why
            result.kept = _kept_last_time(reports / kernel.name /
                                          "convert.json")
            log("  the conversion commits on this branch were made by other "
                "rules (the toolkit changed since): not converting on top of "
                "them; `make clean-work` and `make convert` convert again "
                "from the series tip")
            return []
        files = [str(f) for f in cocci_convert.scope_files(work.path)]
        log(f"  {len(files)} ULP files mention a wrapper or the lkey")
        run = cocci_convert.run_rules(
            work.path, [Path(f) for f in files], jobs=jobs or 2,
            cache_dir=cache / "spatch-convert",
            progress=lambda done, total, ulp: log(
                f"  spatch: {done}/{total} ULPs ({ulp})"))
        for name, text in run.errors.items():
            first = text.strip().splitlines()[0] if text.strip() else ""
            log(f"  left unchanged, spatch failed: {name}: {first[:200]}")
        result.spatch_errors = dict(run.errors)
        result.kept = dict(run.kept)
        changed = sorted(str(p) for p in run.changed)
        log(f"  {len(changed)} files changed")
        return changed
    changed = stages.run("convert (spatch)", do_convert)

    # at the series' tip: a re-run still knows what it converted
    found_providers = {p.directory: p for p in providers.providers(
        work.path, series_tip)}

    def do_providers():
        if result.stale_rules:
            return []
        files = []
        for provider in found_providers.values():
            why = provider.why_not()
            if why:
                result.providers_kept[provider.name] = why
                log(f"  {provider.name}: its ib_dma_* calls stay: {why}")
                continue
            result.providers_converted[provider.name] = "; ".join(
                f"ib_register_device() at {r.where()} passes "
                f"{r.dma_device}" for r in provider.registrations)
            files.extend(Path(f) for f in provider.wrapper_files)
        if not files:
            return []
        run = cocci_convert.run_rules(
            work.path, files, jobs=jobs or 2,
            rules=[cocci_convert.PROVIDER_RULE],
            cache_dir=cache / "spatch-convert")
        for name, text in run.errors.items():
            first = text.strip().splitlines()[0] if text.strip() else ""
            log(f"  left unchanged, spatch failed: {name}: {first[:200]}")
        result.spatch_errors.update(run.errors)
        done = sorted(str(p) for p in run.changed)
        log(f"  {len(done)} provider files changed")
        return done
    changed = changed + stages.run("convert providers (spatch)",
                                   do_providers)

    owners = maintainers.Maintainers(work.path)
    rules = [r.name for r in cocci_convert.rule_files()]

    def do_commit():
        groups = commit.group_files(kernel.root, changed, owners)
        for group in groups:
            diff = _git(work.path, "diff", "--", *group.files)
            before = commit.count_sites({
                f: _git(work.path, "show", f"HEAD:{f}") for f in group.files})
            after = commit.count_sites({
                f: (work.path / f).read_text(errors="replace")
                for f in group.files})
            provider = found_providers.get(
                providers.provider_of(group.files[0]) or "")
            if provider is not None:
                text = commit.provider_message(
                    group, provider.name, diff, before, after,
                    result.providers_converted[provider.name],
                    cocci_convert.PROVIDER_RULE.name, signer)
            else:
                text = commit.message(group, diff, before, after, rules,
                                      signer)
            _git(work.path, "add", "-f", "--", *group.files)
            done = tree.run_whole(["git", "-C", str(work.path),
                                   "-c", f"user.name={signer[0]}",
                                   "-c", f"user.email={signer[1]}",
                                   "commit", "-q", "-F", "-"], input=text)
            if done.returncode != 0:
                raise ConvertError(f"git commit failed in {work.path}: "
                                   f"{done.stderr.strip()[-300:]}")
            sha = _git(work.path, "rev-parse", "HEAD").strip()
            result.commits.append((sha, text.splitlines()[0]))
            log(f"  {sha[:12]} {text.splitlines()[0]}")
        if not groups:
            existing = _git(work.path, "rev-list", "--count",
                            f"{series_tip}..HEAD").strip()
            if result.stale_rules:
                log(f"  {existing} conversion commit(s) made by other rules "
                    f"on {work.branch}, left as they are")
            else:
                log(f"  nothing to convert: the rules change nothing; "
                    f"{existing} conversion commit(s) already on "
                    f"{work.branch}")
            result.nothing_to_do = True
    stages.run("commit per subsystem", do_commit)
    if not result.stale_rules:
        mark_rules(work.path, series_tip, fingerprint, fresh)
    result.new_commits = len(result.commits)
    result.commits = _commits_since(work.path, series_tip)

    converted = _git(work.path, "diff", "--name-only", series_tip,
                     "HEAD").split()
    sources = _sources_to_build(work.path, converted)

    result.head = _git(work.path, "rev-parse", "HEAD").strip()
    result.compiler = build.compilers()
    reused = _reusable_builds(reports / kernel.name / "convert.json",
                              result, sources, arches, run_checkers)
    if reused is not None:
        _reuse_builds(reused, result, kernel, work, series_tip, cache,
                      stages, jobs, log)
        last = json.loads((reports / kernel.name / "convert.json").read_text())
        result.checkers = last["checkers"]
        result.coccicheck_new = last.get("coccicheck_new", [])
    else:
        _build_and_check(result, kernel, work, series_tip, sources, owners,
                         kbuild, cache, stages, jobs, log, arches,
                         run_checkers)

    failed = {r.source for r in result.builds if not r.built} | \
        arch_regressions(result)
    if failed:
        stages.run("drop commits that break the build", _drop_commits,
                   work.path, series_tip, failed, result, log)

    result.after = stages.run("audit", _audit, work, kernel, cache, jobs)
    leftovers.attach_kept(result.after, result.kept, work.path)
    if not result.stale_rules:
        stages.run("delete the wrappers", _delete_wrappers, result, kbuild,
                   signer, log, _arch_builds_of(result, cache, jobs, log))
    result.stages = stages.times
    out_dir = reports / kernel.name
    written = write_reports(result, kernel, out_dir)
    for path in written:
        log(f"wrote {path}")
    return result


def _arch_builds_of(result: ConvertResult, cache: Path, jobs: int | None,
                    log) -> list[build.KernelBuild]:
    """The other architectures' builds of this run's work tree, those it
    built (configured already)."""
    built = {r.arch for r in result.arch_builds} - set(result.arch_skipped)
    return [build.work_tree_build(result.work.path, cache, jobs, arch=arch,
                                  log=lambda m, arch=arch: log(
                                      f"  {arch}: {m}"))
            for arch in build.CROSS_ARCHES if arch in built]


def _delete_wrappers(result: ConvertResult, kbuild: build.KernelBuild,
                     signer: tuple[str, str], log,
                     arch_builds: Sequence[build.KernelBuild] = ()) -> None:
    """The seed's last patch, once the audit finds no call of a wrapper
    left: delete them, commit, and build the files it touches and the core
    series' objects (W=1) on x86_64 and on each other architecture this
    run built; a deletion that does not build on one of them comes off the
    branch again."""
    work = result.work.path
    removal = wrapper_removal.assess(result.after.sites)
    if not removal.possible:
        result.wrappers_kept = (f"{len(removal.blockers)} call(s) of the "
                                "wrappers block it (wrapper-users.txt)")
        log(f"  not deleting the wrappers: {result.wrappers_kept}")
        return
    try:
        names = wrapper_removal.delete_wrappers(work)
    except wrapper_removal.DefinitionError as exc:
        _git(work, "checkout", "-q", "--", ".")
        result.wrappers_kept = str(exc)
        log(f"  not deleting the wrappers: {exc}")
        return
    if not names:
        log("  the wrappers are already gone")
        return
    _git(work, "add", "-f", "--", *wrapper_removal.deletion_files(work))
    done = tree.run_whole(["git", "-C", str(work),
                           "-c", f"user.name={signer[0]}",
                           "-c", f"user.email={signer[1]}",
                           "commit", "-q", "-F", "-"],
                          input=wrapper_removal.deletion_message(names,
                                                                 signer))
    if done.returncode != 0:
        raise ConvertError(f"git commit failed in {work}: "
                           f"{done.stderr.strip()[-300:]}")
    sources = sorted({wrapper_removal.VIRT_MAP_SOURCE,
                      *(r.source for r in result.core_builds)})
    for each in (kbuild, *arch_builds):
        # on another architecture, the core objects that built there before
        # (one that did not is no doing of the deletion's)
        mine = sources if not each.cross_compile else sorted(
            {wrapper_removal.VIRT_MAP_SOURCE,
             *(r.source for r in result.arch_builds
               if r.arch == each.arch and r.built and r.source in sources)})
        try:
            each.configure()  # done already, unless its directory went
            built = each.build(mine)
            broken = [f"{s}: {r.errors[0] if r.errors else 'fails'}"
                      for s, r in built.items() if not r.built]
        except build.BuildError as exc:
            broken = [str(exc)]
        if broken:
            _git(work, "reset", "-q", "--hard", "HEAD~1")
            result.wrappers_kept = (
                "the deletion does not build"
                + (f" on {each.arch}" if each.cross_compile else "")
                + f": {broken[0]}")
            log(f"  took the deletion off again: {result.wrappers_kept}")
            return
    result.wrappers_deleted = names
    result.commits = _commits_since(work, result.series_tip)
    result.head = _git(work, "rev-parse", "HEAD").strip()
    arches = ", ".join(["x86_64", *(b.arch for b in arch_builds)])
    log(f"  deleted {len(names)} wrapper(s); {', '.join(sources)} build "
        f"({arches})")


def is_test_source(source: str) -> bool:
    return source.endswith(("_kunit.c", "_test.c"))


def build_core_series(work: Path, series_tip: str, patches: int,
                      kbuild: build.KernelBuild, log) -> list[BuildRecord]:
    """Build the core series' own objects in the allmodconfig build, before
    anything is converted: a tree where the API does not build stops here
    with the compiler's first error; a KUnit test that does not build is
    reported and does not stop the conversion."""
    sources = sorted(f for f in _git(work, "diff", "--name-only",
                                     f"{series_tip}~{patches}",
                                     series_tip).split() if f.endswith(".c"))
    if not sources:
        return []
    kbuild.configure()
    built = kbuild.build(sources)
    records = []
    for source in sources:
        r = built[source]
        records.append(BuildRecord(
            source=source, subsystem="core series", built=r.built,
            new_warnings=[str(d) for d in r.warnings],
            errors=[str(d) for d in r.errors]))
        log(f"  {r.obj}: " + ("built" if r.built else "DOES NOT BUILD") +
            f", {len(r.warnings)} warning(s) (W=1)")
    for record in records:
        if record.built:
            continue
        first = record.errors[0] if record.errors else \
            f"make could not build {record.source[:-2]}.o"
        if not is_test_source(record.source):
            raise ConvertError(f"the core series does not build on this "
                               f"tree, nothing converted: {first}")
    return records


def _left_out_last_time(record: Path) -> dict[str, str]:
    try:
        return dict(json.loads(record.read_text()).get("left_out", {}))
    except (OSError, ValueError):
        return {}


def _kept_last_time(record: Path) -> dict[str, list]:
    try:
        return {ulp: [tuple(r) for r in reasons] for ulp, reasons in
                json.loads(record.read_text()).get("kept", {}).items()}
    except (OSError, ValueError):
        return {}


def _leave_out(work: tree.WorkTree, series_tip: str, patches: int,
               source: str, applied: list[Path]) -> tuple[str, str]:
    """Take the core series' commit that adds source off the work branch
    (the commits above it touch other files and stay); its patch's name
    and the new tip of the core series."""
    core_base = _git(work.path, "rev-parse",
                     f"{series_tip}~{patches}").strip()
    core = _git(work.path, "rev-list", "--reverse",
                f"{core_base}..{series_tip}").split()
    adding = _git(work.path, "log", "--format=%H", "--diff-filter=A",
                  f"{core_base}..{series_tip}", "--", source).split()
    if not adding:
        raise ConvertError(f"{source} does not build, and no commit of the "
                           "core series adds it")
    sha = adding[0]
    name = applied[core.index(sha)].name
    _git(work.path, "rebase", "-q", "--onto", f"{sha}~1", sha, work.branch)
    remaining = len(core) - 1
    tip = core_base if remaining == 0 else _git(
        work.path, "rev-list", "--reverse",
        f"{core_base}..HEAD").split()[remaining - 1]
    return name, tip


def _reusable_builds(record: Path, result: ConvertResult,
                     sources: list[str], arches: tuple[str, ...],
                     run_checkers: bool = True
                     ) -> tuple[list[dict], list[dict], list[dict],
                                dict[str, str]] | None:
    """The build (and layout) records of the last run, when this run
    converted nothing
    and the last one built this very HEAD on the same series tip, with the
    same compiler and objects, and dropped nothing: building again would
    compile the same sources the same way."""
    if not result.nothing_to_do or not record.exists():
        return None
    try:
        last = json.loads(record.read_text())
    except ValueError:
        return None
    if (last.get("head") != result.head or
            last.get("series_tip") != result.series_tip or
            last.get("compiler") != result.compiler or
            last.get("dropped") or "checkers" not in last or
            (NO_CHECKERS in last["checkers"]) == run_checkers or
            sorted(r.get("source") for r in last.get("builds", []))
            != sources or "arch_builds" not in last or
            last.get("arch_skipped", {}) != arches_skipped(arches) or
            {r.get("arch") for r in last["arch_builds"]} !=
            set(build.CROSS_ARCHES) - set(last.get("arch_skipped", {}))):
        return None
    return last["builds"], last.get("layout", []), last["arch_builds"], \
        last.get("arch_skipped", {})


def _reuse_builds(records: tuple[list[dict], list[dict], list[dict],
                                 dict[str, str]],
                  result: ConvertResult,
                  kernel: tree.KernelTree, work: tree.WorkTree,
                  series_tip: str, cache: Path, stages: Stages,
                  jobs: int | None, log) -> None:
    records, layouts, arch_records, arch_skipped = records
    log(f"  nothing new since the last run built {result.head[:12]}: its "
        f"results for {len(records)} objects stand (`make clean-work` "
        "builds from scratch)")
    result.builds_reused = True
    result.builds = [BuildRecord(**r) for r in records]
    result.arch_builds = [BuildRecord(**r) for r in arch_records]
    result.arch_skipped = dict(arch_skipped)
    result.layout = [_layout_change(d) for d in layouts]
    result.uncompiled = {r.source: r.uncompiled_lines for r in result.builds
                         if r.uncompiled_lines}

    def do_audit_at_tip():
        with _at_commit(work, series_tip):
            return _audit(work, kernel, cache, jobs)
    result.before = stages.run("audit at the series' tip", do_audit_at_tip)


@contextlib.contextmanager
def _at_commit(work: tree.WorkTree, sha: str):
    """The work tree at sha for the block, then on the work branch again."""
    _git(work.path, "checkout", "-q", "--detach", sha)
    try:
        yield
    finally:
        _git(work.path, "checkout", "-q", work.branch)


def _audit(work: tree.WorkTree, kernel: tree.KernelTree, cache: Path,
           jobs: int | None) -> leftovers.Audit:
    return leftovers.run_audit(work.path, kernel.name, kernel.version, True,
                               cache / "spatch-results", jobs=jobs)


def _layout_change(d: dict) -> layout_stage.LayoutChange:
    layouts = {k: layout_stage.Layout(**{**v, "members": {
        m: tuple(x) for m, x in v["members"].items()}}) if v else None
        for k, v in (("before", d.get("before")), ("after", d.get("after")))}
    return layout_stage.LayoutChange(
        d["struct"], d["file"], d["members"], layouts["before"],
        layouts["after"], d.get("flags", []), d.get("note", ""))


def _struct_changes(work: Path, series_tip: str
                    ) -> dict[tuple[str, str], list[str]]:
    """(struct, file) -> members the conversion changed, of every struct
    in a changed file."""
    changes = {}
    for f in _git(work, "diff", "--name-only", series_tip, "HEAD").split():
        if not f.endswith((".c", ".h")):
            continue
        old = _git(work, "show", f"{series_tip}:{f}", check=False)
        new = (work / f).read_text(errors="replace")
        for struct, members in layout_stage.struct_changes(old,
                                                           new).items():
            changes[(struct, f)] = members
    return changes


NO_CHECKERS = "sparse and coccicheck: not run (--no-checkers)"


def _build_and_check(result: ConvertResult, kernel: tree.KernelTree,
                     work: tree.WorkTree, series_tip: str,
                     sources: list[str], owners, kbuild: build.KernelBuild,
                     cache: Path, stages: Stages, jobs: int | None,
                     log, arches: tuple[str, ...],
                     run_checkers: bool = True) -> None:
    """Converted build with W=1 (and on the other architectures), sparse
    and coccicheck, a baseline build at the series' tip of the objects
    that have something to compare, the layout of every struct the
    conversion changed, and the check that every changed line reached the
    compiler."""
    changes = _struct_changes(work.path, series_tip)
    scratch = cache / "layout" / work.path.name
    shutil.rmtree(scratch, ignore_errors=True)
    before: dict = {}
    after: dict = {}
    run_sparse = run_checkers and checkers.sparse_available()
    sparse_before: dict = {}
    sparse_after: dict = {}

    def read(source: str) -> str:
        return (work.path / source).read_text(errors="replace")

    def do_tip():
        with _at_commit(work, series_tip):
            result.before = _audit(work, kernel, cache, jobs)
    stages.run("audit at the series' tip", do_tip)

    def do_build():
        kbuild.configure()
        return kbuild.build(sources, preprocess=True) if sources else {}
    built = stages.run("build converted (W=1)", do_build)

    core_sources = [r.source for r in result.core_builds if r.built]
    arch_builds, result.arch_skipped = stages.run(
        f"build for {', '.join(arches) or 'no other architecture'} (W=1)",
        build_other_arches, work, series_tip, result.core_patches,
        core_sources, sources, owners, cache, jobs, log, arches)
    result.arch_builds = arch_builds

    def do_checkers():
        if run_sparse:
            sparse_after.update(checkers.sparse(
                kbuild, [s for s in sources if built[s].built],
                cache / "sparse"))
            result.checkers.append(
                f"sparse ({checkers.sparse_version()}, make C=2) on "
                f"{len(sparse_after)} object(s) after; at the series' tip "
                "those with a warning")
        else:
            result.checkers.append("sparse: not installed, not run")
        result.coccicheck_new = [str(f) for f in _coccicheck_new(
            work.path, series_tip, cache, jobs)]
        rules = checkers.report_rules(work.path)
        result.checkers.append(
            f"coccicheck: {len(rules)} rules of scripts/coccinelle in report "
            "mode on the changed files after; at the series' tip the rules "
            "that found something")
    if run_checkers:
        stages.run("sparse and coccicheck", do_checkers)
    else:
        result.checkers.append(NO_CHECKERS)

    def do_baseline():
        # only what has a diagnostic after, or fails, needs comparing
        needed = needs_baseline(built, sparse_after)
        measure = changes and layout_stage.available()
        base: dict[str, build.ObjectResult] = {}
        if needed or measure:
            with _at_commit(work, series_tip):
                base = kbuild.build(needed) if needed else {}
                if run_sparse and needed:
                    sparse_before.update(checkers.sparse(
                        kbuild, [s for s in needed if base[s].built],
                        cache / "sparse"))
                if measure:
                    # with the compiler command of the converted build
                    layout_stage.measure(changes, sources, read, kbuild,
                                         scratch, "before", before)
        log(f"  baseline: {len(base)} of {len(sources)} objects built at "
            "the series' tip (those with a diagnostic or an error after)")
        return base
    baseline = stages.run("build baseline", do_baseline)

    def do_layout():
        if changes and layout_stage.available():
            layout_stage.measure(changes, sources, read, kbuild, scratch,
                                 "after", after)
        packed = {(struct, f) for struct, f in changes
                  if struct_layout.packed({f: read(f)}, struct)}
        result.layout = layout_stage.compare(changes, before, after, packed)
        for change in result.layout:
            log(f"  {change.line()}")
    stages.run("layout", do_layout)

    for source in sources:
        result.builds.append(compared_record(
            source, owners.subsystem(source), baseline.get(source),
            built[source], sparse_new=[str(d) for d in build.new_diagnostics(
                sparse_before.get(source, []), sparse_after.get(source, []))],
            baseline_built=baseline[source].built
            if source in baseline else None))

    def do_compiled():
        diff = _git(work.path, "diff", "-U0", series_tip, "HEAD")
        added = compiled_lines.added_lines(diff)
        added = {f: l for f, l in added.items() if f.endswith((".c", ".h"))}
        preprocessed = {s: kbuild.preprocessed(s) for s in sources
                        if built[s].built}
        return compiled_lines.check(work.path, added, preprocessed)
    result.uncompiled = stages.run("changed lines compiled", do_compiled)
    for record in result.builds:
        record.uncompiled_lines = result.uncompiled.get(record.source, [])


def check_arches(arches) -> None:
    """ConvertError unless each of arches is one of build.CROSS_ARCHES."""
    unknown = [a for a in arches if a not in build.CROSS_ARCHES]
    if unknown:
        raise ConvertError(f"unknown architecture {unknown[0]!r} in "
                           f"--arches: choose from "
                           f"{', '.join(build.CROSS_ARCHES)}")


def arches_skipped(arches: tuple[str, ...]) -> dict[str, str]:
    """Why each of build.CROSS_ARCHES that will not be built is not: not
    asked for, or its cross compiler is missing."""
    skipped = {}
    for arch in build.CROSS_ARCHES:
        if arch not in arches:
            skipped[arch] = "not asked for (--arches)"
        elif build.cross_compiler_missing(arch):
            skipped[arch] = build.cross_compiler_missing(arch)
    return skipped


def build_other_arches(work: tree.WorkTree, series_tip: str, patches: int,
                       core_sources: list[str], sources: list[str], owners,
                       cache: Path, jobs: int | None, log,
                       arches: tuple[str, ...] = tuple(build.CROSS_ARCHES)
                       ) -> tuple[list[BuildRecord], dict[str, str]]:
    """The core series' objects and the converted ones, built (W=1) for
    each of build.CROSS_ARCHES whose cross compiler is installed, in its
    allmodconfig, each set in a make of its own (a header's warning is
    counted for every object of its make).  Objects with a diagnostic or
    that fail are built again for a baseline: the core ones on the tree
    before the series (a file the series adds has none), the converted
    ones at the series' tip."""
    records: list[BuildRecord] = []
    skipped: dict[str, str] = {}
    converted = [s for s in sources if s not in core_sources]
    not_built = arches_skipped(arches)
    for arch in build.CROSS_ARCHES:
        why = not_built.get(arch)
        if why:
            skipped[arch] = why
            log(f"  {arch}: not built: {why}")
            continue
        kbuild = build.work_tree_build(
            work.path, cache, jobs, arch=arch,
            log=lambda m, arch=arch: log(f"  {arch}: {m}"))
        try:
            records += _build_arch(kbuild, work, series_tip, patches,
                                   core_sources, converted, owners, arch)
        except build.BuildError as exc:
            skipped[arch] = f"the build failed: {exc}"
            log(f"  {arch}: not built: {skipped[arch]}")
            continue
        mine = [r for r in records if r.arch == arch]
        log(f"  {arch}: {sum(r.built for r in mine)}/{len(mine)} objects "
            f"built, {sum(len(r.new_warnings) for r in mine)} new "
            "warning(s)")
    return records, skipped


def _build_arch(kbuild: build.KernelBuild, work: tree.WorkTree,
                series_tip: str, patches: int, core_sources: list[str],
                converted: list[str], owners, arch: str
                ) -> list[BuildRecord]:
    kbuild.configure()
    built: dict[str, build.ObjectResult] = {}
    for group in (core_sources, converted):
        if group:
            built.update(kbuild.build(group))
    # The baseline only where there is something to compare: an object
    # that builds without a diagnostic has nothing new whatever it had.
    needed = set(needs_baseline(built))
    baseline: dict[str, build.ObjectResult] = {}
    core_needed = [s for s in core_sources if s in needed]
    if core_needed:
        with _at_commit(work, f"{series_tip}~{patches}"):
            existing = [s for s in core_needed if (work.path / s).exists()]
            if existing:
                baseline.update(kbuild.build(existing))
    converted_needed = [s for s in converted if s in needed]
    if converted_needed:
        with _at_commit(work, series_tip):
            baseline.update(kbuild.build(converted_needed))
    return [compared_record(
        source, "core series" if source in core_sources
        else owners.subsystem(source), baseline.get(source), built[source],
        arch=arch, baseline_built=baseline[source].built
        if source in baseline else None)
        for source in core_sources + converted]


def needs_baseline(built: dict[str, build.ObjectResult],
                   sparse: dict[str, list] | None = None) -> list[str]:
    """The sources whose build after the change has a diagnostic (of the
    compiler, or of sparse) or failed: only they need a baseline build to
    tell what is new."""
    sparse = sparse or {}
    return sorted(s for s, r in built.items()
                  if not r.built or r.diagnostics or sparse.get(s))


def compared_record(source: str, subsystem: str,
                    base: build.ObjectResult | None,
                    now: build.ObjectResult, **extra) -> BuildRecord:
    """An object's build record: its warnings that the baseline build (if
    any) did not have, and its errors."""
    new = build.new_diagnostics(base.diagnostics if base else [],
                                now.diagnostics)
    return BuildRecord(
        source=source, subsystem=subsystem, built=now.built,
        baseline_warnings=[str(d) for d in (base.warnings if base else [])],
        new_warnings=[str(d) for d in new if d.severity == "warning"],
        errors=[str(d) for d in now.errors], **extra)


def arch_regressions(result: ConvertResult) -> set[str]:
    """The converted sources that built on another architecture at the
    series' tip and do not build there after the conversion."""
    core = {r.source for r in result.core_builds}
    return {r.source for r in result.arch_builds
            if not r.built and r.baseline_built and r.source not in core}


def _coccicheck_new(work: Path, series_tip: str, cache: Path,
                    jobs: int | None) -> list[checkers.Finding]:
    """The kernel's coccinelle rules on the changed files after the
    conversion; the rules that find something there run on the same files
    at the series' tip too, and what the tip already had is not new."""
    files = [f for f in _git(work, "diff", "--name-only", series_tip,
                             "HEAD").split() if f.endswith((".c", ".h"))]
    rules = checkers.report_rules(work)
    cache_dir = cache / "coccicheck"
    after = checkers.coccicheck(work, work, files, rules, cache_dir,
                                jobs or 2)
    if not after:
        return []
    scratch = cache / "coccicheck-tip" / work.name
    shutil.rmtree(scratch, ignore_errors=True)
    for f in files:
        text = _git(work, "show", f"{series_tip}:{f}", check=False)
        (scratch / f).parent.mkdir(parents=True, exist_ok=True)
        (scratch / f).write_text(text)
    try:
        before = checkers.coccicheck(work, scratch, files,
                                     sorted({f.rule for f in after}),
                                     cache_dir, jobs or 2)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return checkers.new_findings(before, after)


def _sources_to_build(work: Path, changed: list[str]) -> list[str]:
    """The .c files changed, plus the .c files next to a changed header
    that include it."""
    sources = {f for f in changed if f.endswith(".c")}
    for header in (f for f in changed if f.endswith(".h")):
        directory = (work / header).parent
        name = Path(header).name
        for candidate in directory.glob("*.c"):
            text = candidate.read_text(errors="replace")
            if f'#include "{name}"' in text:
                sources.add(candidate.relative_to(work).as_posix())
    return sorted(sources)


def _drop_commits(work: Path, series_tip: str, failed: set[str],
                  result: ConvertResult, log) -> None:
    """Drop each conversion commit that touches a file that does not build.

    Conversion commits touch disjoint files, so dropping one never
    conflicts with the others."""
    while True:
        for sha, subject in _commits_since(work, series_tip):
            files = set(_git(work, "show", "--name-only", "--format=",
                             sha).split())
            if failed & files:
                _git(work, "rebase", "-q", "--onto", f"{sha}~1", sha,
                     result.work.branch)
                result.dropped.append((sha, subject))
                log(f"  dropped {sha[:12]} {subject}: "
                    f"{', '.join(sorted(failed & files))} does not build")
                break
        else:
            break
    result.commits = _commits_since(work, series_tip)


def _commits_since(work: Path, base: str) -> list[tuple[str, str]]:
    out = _git(work, "log", "--reverse", "--format=%H %s", f"{base}..HEAD")
    return [tuple(l.split(" ", 1)) for l in out.splitlines()]


def build_txt(result: ConvertResult) -> str:
    lines = ["# object  built  baseline-warnings  new-warnings  errors  "
             "uncompiled-changed-lines"]
    for r in result.core_builds + result.builds + result.arch_builds:
        where = f"{r.arch}:" if r.arch else ""
        before = "-" if r.baseline_built is None else \
            str(len(r.baseline_warnings))
        lines.append(f"{where}{r.source[:-2]}.o  "
                     f"{'yes' if r.built else 'NO'}  {before}  "
                     f"{len(r.new_warnings)}  "
                     f"{len(r.errors)}  "
                     f"{','.join(map(str, r.uncompiled_lines)) or '-'}")
        for w in r.new_warnings:
            lines.append(f"    new warning: {w}")
        for e in r.errors:
            lines.append(f"    error: {e}")
        for w in r.sparse_new:
            lines.append(f"    new sparse warning: {w}")
    for arch, why in sorted(result.arch_skipped.items()):
        lines.append(f"{arch}: not built: {why}")
    for path, missing in sorted(result.uncompiled.items()):
        if not path.endswith(".c"):
            lines.append(f"{path}: changed lines not compiled: "
                         f"{','.join(map(str, missing))}")
    for sha, subject in result.dropped:
        lines.append(f"dropped {sha[:12]} {subject}")
    for change in result.layout:
        lines.append(f"layout: {change.line()}")
    lines += [f"checker: {c}" for c in result.checkers]
    lines.append(checkers_line(result))
    lines += [f"    new coccicheck finding: {f}"
              for f in result.coccicheck_new]
    return "\n".join(lines) + "\n"


def checkers_line(result: ConvertResult) -> str:
    """One line for the reports and the cover letter."""
    sparse_new = sum(len(r.sparse_new) for r in result.builds)
    ran = " ".join(result.checkers)
    if NO_CHECKERS in result.checkers:
        return NO_CHECKERS
    sparse_text = ("sparse: not run" if "sparse:" in ran and
                   "not installed" in ran else
                   f"sparse: {sparse_new or 'no'} new warning"
                   f"{'s' if sparse_new != 1 else ''}")
    cocci = len(result.coccicheck_new)
    return (f"{sparse_text}; coccicheck: {cocci or 'no'} new finding"
            f"{'s' if cocci != 1 else ''}")


def summary_md(result: ConvertResult, kernel: tree.KernelTree) -> str:
    before = {r[0]: r for r in leftovers.summary_rows(result.before)}
    after = {r[0]: r for r in leftovers.summary_rows(result.after)}
    out = [f"# make convert: {kernel.name}", "",
           f"Work branch `{result.work.branch}` in "
           f"`{result.work.repository}`, checked out at "
           f"`{result.work.path}`; core series tip "
           f"{result.series_tip[:12]}.", ""]
    if result.stale_rules:
        out += ["**The conversion commits on this branch were made by other "
                "rules** (the toolkit changed since), and this run did not "
                "convert on top of them: what follows describes those "
                "commits. `make clean-work` and `make convert` convert "
                "again from the series tip.", ""]
    out += ["| subsystem | ib_dma_* calls before → after | local_dma_lkey "
            "before → after | build |", "|---|---|---|---|"]
    status: dict[str, str] = {}
    for r in result.builds:
        bad = (not r.built) or r.new_warnings or r.uncompiled_lines
        status.setdefault(r.subsystem, "ok")
        if bad:
            status[r.subsystem] = "FAILED" if not r.built else "warnings"
    for name in sorted(set(before) | set(after)):
        b = before.get(name, (name, 0, 0, 0, 0))
        a = after.get(name, (name, 0, 0, 0, 0))
        out.append(f"| {name} | {b[1]} → {a[1]} | {b[2]} → {a[2]} | "
                   f"{status.get(name, '-')} |")
    tb, ta = result.before.totals(), result.after.totals()
    out.append(f"| **total** | **{tb['calls']} → {ta['calls']}** | "
               f"**{tb['lkey_uses']} → {ta['lkey_uses']}** | |")
    ulp_before = sum(1 for s in result.before.sites
                     if s.area == "ulp" and s.kind in ("call", "lkey"))
    ulp_after = sum(1 for s in result.after.sites
                    if s.area == "ulp" and s.kind in ("call", "lkey"))
    if ulp_before:
        out += ["", f"ULP scope: {ulp_before} → {ulp_after} sites "
                f"({100 * (ulp_before - ulp_after) / ulp_before:.1f}% "
                "converted)."]
    if result.core_builds:
        out += ["", "Core series objects (allmodconfig, W=1): " + "; ".join(
            f"`{r.source[:-2]}.o` "
            + ("built" if r.built else "DOES NOT BUILD: " + (
                r.errors[0] if r.errors else "see build.txt"))
            + (f", {len(r.new_warnings)} warning(s)" if r.new_warnings
               else "") for r in result.core_builds) + "."]
    out += arch_lines(result)
    for name, why in sorted(result.left_out.items()):
        out += ["", f"Left out of the core series on this tree: `{name}`: "
                f"{why}."]
    if result.fixes:
        out += ["", "Fixes of pre-existing DMA-API mismatches, applied before "
                "the rules (kernel-patches/ulp-fixes/):"]
        out += [f"- {o.subject}: {o.why}"
                + (f" ({o.commit[:12]})" if o.commit else "")
                for o in result.fixes]
    if NO_CHECKERS in result.checkers:
        out += ["", "Static checkers: sparse and coccicheck not run "
                "(--no-checkers)."]
    elif result.checkers:
        out += ["", f"Static checkers: {checkers_line(result)} (new only, "
                "against the series' tip)."]
        for r in result.builds:
            out += [f"- sparse: `{w}`" for w in r.sparse_new]
        out += [f"- coccicheck: `{f}`" for f in result.coccicheck_new]
    if result.builds_reused:
        out += ["", f"Build: nothing new since the last run built "
                f"{result.head[:12]}; its results stand."]
    out += ["", "## Commits", ""]
    out += [f"- {sha[:12]} {subject}" for sha, subject in result.commits]
    out += [f"- dropped (does not build): {sha[:12]} {subject}"
            for sha, subject in result.dropped]
    if result.layout:
        out += ["", "## Struct layout", "",
                "Every struct whose members the conversion changed, as the "
                "compiler lays it out (pahole on the object built with -g, "
                "before and after):", ""]
        out += [f"- {change.line()}" for change in result.layout]
    if result.kept:
        out += ["", "## Left alone by the rules, and why", ""]
        for ulp, reasons in sorted(result.kept.items()):
            for rule, name, why in reasons:
                out.append(f"- {ulp}: `{name}` (rule {rule}): {why}")
    if result.wrappers_deleted:
        out += ["", f"The last commit deletes the ib_dma_* wrappers "
                f"({len(result.wrappers_deleted)} definitions): nothing "
                "calls them any more."]
    elif result.wrappers_kept:
        out += ["", "No patch deletes the ib_dma_* wrappers yet: "
                f"{result.wrappers_kept}."]
    if result.providers_converted or result.providers_kept:
        out += ["", "## Providers", "",
                "A provider registered with a dma_device calls the DMA API "
                "itself (cocci/providers); the proof, or why its "
                "ib_dma_* calls stay:", ""]
        out += [f"- {name}: DMA API: {proof}" for name, proof
                in sorted(result.providers_converted.items())]
        out += [f"- {name}: stays: {why}" for name, why
                in sorted(result.providers_kept.items())]
    if result.spatch_errors:
        out += ["", "## Files spatch could not convert", ""]
        out += [f"- `{f}`: {m.strip().splitlines()[0][:300] if m.strip() else ''}"
                for f, m in sorted(result.spatch_errors.items())]
    out += ["", "## Stage times", "", "| stage | seconds |", "|---|---:|"]
    out += [f"| {k} | {v:.1f} |" for k, v in result.stages.items()]
    return "\n".join(out) + "\n"


def arch_lines(result: ConvertResult) -> list[str]:
    """summary.md's paragraph on the other architectures' builds."""
    if not result.arch_builds and not result.arch_skipped:
        return []
    parts = []
    for arch in build.CROSS_ARCHES:
        mine = [r for r in result.arch_builds if r.arch == arch]
        if arch in result.arch_skipped:
            parts.append(f"{arch}: not built ({result.arch_skipped[arch]})")
        elif mine:
            new = sum(len(r.new_warnings) for r in mine)
            parts.append(f"{arch}: {sum(r.built for r in mine)}/{len(mine)}"
                         f" objects built, {new or 'no'} new warning"
                         f"{'s' if new != 1 else ''}")
    out = ["", "Other architectures (allmodconfig, W=1; the core series' "
           "objects against the tree before it, the converted ones against "
           "the series' tip): " + "; ".join(parts) + "."]
    for r in result.arch_builds:
        out += [f"- {r.arch}: `{w}`" for w in r.new_warnings]
        if not r.built:
            out.append(f"- {r.arch}: `{r.source[:-2]}.o` DOES NOT BUILD"
                       + (" (it did before the conversion)"
                          if r.baseline_built else "") + ": "
                       + (f"`{r.errors[0]}`" if r.errors else "see build.txt"))
    return out


def write_reports(result: ConvertResult, kernel: tree.KernelTree,
                  out_dir: Path) -> list[Path]:
    written = leftovers.write_reports(result.after, out_dir)
    summary_path = out_dir / "summary.md"
    audit_summary = summary_path.read_text()
    summary_path.write_text(summary_md(result, kernel) + "\n" + audit_summary)
    (out_dir / "build.txt").write_text(build_txt(result))
    (out_dir / "convert.json").write_text(json.dumps({
        "branch": result.work.branch, "worktree": str(result.work.path),
        "series_tip": result.series_tip,
        "commits": result.commits, "new_commits": result.new_commits,
        "dropped": result.dropped,
        "uncompiled": result.uncompiled, "stages": result.stages,
        "builds": [r.__dict__ for r in result.builds],
        "core_builds": [r.__dict__ for r in result.core_builds],
        "arch_builds": [r.__dict__ for r in result.arch_builds],
        "arch_skipped": result.arch_skipped,
        "core_patches": result.core_patches,
        "left_out": result.left_out,
        "layout": [c.to_dict() for c in result.layout],
        "fixes": [o.as_json() for o in result.fixes],
        "checkers": result.checkers,
        "coccicheck_new": result.coccicheck_new,
        "kept": {ulp: [list(r) for r in reasons]
                 for ulp, reasons in sorted(result.kept.items())},
        "providers_converted": result.providers_converted,
        "providers_kept": result.providers_kept,
        "wrappers_deleted": result.wrappers_deleted,
        "wrappers_kept": result.wrappers_kept,
        "before": result.before.totals(), "after": result.after.totals(),
        "head": result.head, "compiler": result.compiler,
        "builds_reused": result.builds_reused,
    }, indent=1) + "\n")
    return written + [out_dir / "build.txt", out_dir / "convert.json"]
