"""The audit: every ib_dma_*() call and local_dma_lkey use left in a tree.

spatch (cocci/audit/ib_dma_leftovers.cocci) finds the sites semantically; a
comment- and string-blind text search (sites.py) finds them the way git grep
does.  The report holds exactly the text search's sites: each one spatch
found is "audited", each one it did not is kept and marked "not audited"
with spatch's reason (a parse error, a timeout), never dropped.
"""

import json
import re
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import lkey_review
import maintainers
import sites
import spatch
import ulps
import wrapper_removal

TOOLKIT = Path(__file__).resolve().parent.parent
AUDIT_RULE = TOOLKIT / "cocci" / "audit" / "ib_dma_leftovers.cocci"
REASONS_RULE = TOOLKIT / "cocci" / "audit" / "ib_dma_reasons.cocci"
# Pre-existing DMA-API mismatches (one file at a time: cached like the
# audit rule).
MISMATCH_RULE = TOOLKIT / "cocci" / "audit" / "dma_mismatch.cocci"
MISMATCH_PREFIX = "pre-existing DMA-API mismatch: "
# what the categories of sites no rule converted end with
NO_RULE = "(convertible; no rule has converted it)"
# a site a conversion rule looked at and left, with the rule's reason
KEPT_PREFIX = "left alone by rule "
# a site of the RDMA core or a provider (lkey_review says more of lkeys)
CORE_OR_PROVIDER = "RDMA core or provider driver: not a ULP, outside the " \
                   "conversion"
REVIEWED_PREFIX = "RDMA core or provider driver, not a ULP: "
# The reasons rule resolves struct ib_sge through the file's local headers:
# its cache key holds their content too.
REASONS_INCLUDE_DIRS = ["include", "arch/x86/include", "include/uapi"]
REASONS_OPTIONS = ["--very-quiet", "--local-includes",
                   "--include-headers-for-types", "--include-headers",
                   "-I", "include", "-I", "arch/x86/include",
                   "-I", "include/uapi", "-D", "report"]

SG_WRAPPERS = {"ib_dma_map_sg", "ib_dma_unmap_sg", "ib_dma_map_sg_attrs",
               "ib_dma_unmap_sg_attrs", "ib_dma_map_sgtable_attrs",
               "ib_dma_unmap_sgtable_attrs", "ib_dma_sync_sg_for_cpu",
               "ib_dma_sync_sg_for_device", "ib_dma_virt_map_sg"}
DEVICE_QUERIES = {"ib_dma_max_seg_size", "ib_dma_pci_p2p_dma_supported"}


_SITE_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+)-\d+: SITE "
    r"(?P<kind>call|lkey|definition|field) (?P<name>\S+) in (?P<where>.*)$")


def area_of(path: str) -> str:
    if ulps.ulp_of(path):
        return "ulp"
    if path.startswith("drivers/infiniband/core/"):
        return "core"
    if path.startswith(("drivers/infiniband/hw/", "drivers/infiniband/sw/")):
        return "provider"
    return "other"


@dataclass
class Site:
    file: str
    line: int
    column: int
    use: str  # the wrapper called, or "local_dma_lkey"
    kind: str  # call, lkey, definition, field
    function: str
    subsystem: str
    area: str
    status: str = "audited"  # or "not audited"
    reason: str = ""  # why it was not audited
    category: str = ""  # why it is still there

    def grep_line(self) -> str:
        text = f"{self.file}:{self.line}: {self.use} — {self.function} — " \
               f"{self.subsystem}"
        if self.category:
            text += f" — {self.category}"
        if self.status != "audited":
            text += f" [not audited: {self.reason}]"
        return text


def categorize(site: "Site", reasons: dict[tuple[str, int, int], str],
               mismatches: dict[tuple[str, int, int], str] | None = None
               ) -> str:
    """Why a site is still there, in the words a maintainer would use."""
    mismatch = (mismatches or {}).get((site.file, site.line, site.column))
    if mismatch:
        return MISMATCH_PREFIX + mismatch
    if site.kind == "definition":
        return "definition of a wrapper: goes when the wrappers go"
    if site.kind == "field":
        return "lkey cached in a ULP struct field"
    if site.area in ("core", "provider"):
        return CORE_OR_PROVIDER
    reason = reasons.get((site.file, site.line, site.column))
    if reason:
        return reason
    if site.use in SG_WRAPPERS:
        return "scatterlist mapping: stays until the map_mr_sg step"
    if site.use in DEVICE_QUERIES:
        return "device query: no mapping to convert"
    if site.kind == "lkey":
        return f"lkey use {NO_RULE}"
    return f"map, error check, sync or unmap of one buffer or page {NO_RULE}"


def core_lkey_category(site: "Site", lines: list[str]) -> str:
    """Why a local_dma_lkey use of the RDMA core or a provider stays,
    read from its line (lkey_review); the generic words when the use has
    none of the shapes it knows."""
    use = lkey_review.parse_use(site.file, lines, site.line, site.column)
    why = lkey_review.reason(use, site.area) if use else None
    return f"{REVIEWED_PREFIX}{why}" if why else CORE_OR_PROVIDER


def statement_at(text: str, line: int, max_lines: int = 6) -> str:
    """The source from line (1-based) to the end of its statement: the
    first ';', '{' or '}' within max_lines lines."""
    lines = text.splitlines()[line - 1:line - 1 + max_lines]
    out = []
    for each in lines:
        out.append(each)
        if re.search(r"[;{}]", each):
            break
    return "\n".join(out)


def attach_kept(audit: "Audit", kept: dict[str, list], root: Path) -> int:
    """make convert's rules say which sge family or DMA-handle field they
    left in a ULP, and why (RunResult.kept: ULP -> [(rule, name, why)]).
    A ULP site that no rule converted and whose statement names such a
    family or field (its last component, as a whole word) takes that
    reason instead of "no rule has converted it".  Returns how many."""
    texts: dict[str, str] = {}
    changed = 0
    for site in audit.sites:
        if site.area != "ulp" or not site.category.endswith(NO_RULE):
            continue
        reasons = kept.get(ulps.ulp_of(site.file) or site.file)
        if not reasons:
            continue
        if site.file not in texts:
            try:
                texts[site.file] = (root / site.file).read_text(
                    errors="replace")
            except OSError:
                texts[site.file] = ""
        statement = statement_at(texts[site.file], site.line)
        for rule, name, why in reasons:
            member = name.rsplit(".", 1)[-1]
            if re.search(rf"\b{re.escape(member)}\b", statement):
                site.category = f"{KEPT_PREFIX}{rule}: `{name}` stays: {why}"
                changed += 1
                break
    return changed


def table_category(category: str) -> str:
    """The row of the summary's reason table a category counts in: the
    rules' own reasons, one per family or field, are in leftovers.txt."""
    match = re.match(rf"{KEPT_PREFIX}(\d+): ", category)
    if match:
        return (f"{KEPT_PREFIX}{match[1]}, which says why (each site in "
                "leftovers.txt): needs a human")
    return category


@dataclass
class Audit:
    tree: str
    root: str
    version: str
    head: str
    files: int
    sites: list[Site] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    spatch_failures: dict[str, str] = field(default_factory=dict)
    cached_files: int = 0
    # (file, line, text) of every pre-existing DMA-API mismatch found
    mismatches: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def not_audited(self) -> list[Site]:
        return [s for s in self.sites if s.status != "audited"]

    def totals(self) -> dict[str, int]:
        kinds = Counter(s.kind for s in self.sites)
        return {"sites": len(self.sites),
                "calls": kinds["call"],
                "lkey_uses": kinds["lkey"],
                "definitions": kinds["definition"],
                "fields": kinds["field"],
                "not_audited": len(self.not_audited),
                "files": len({s.file for s in self.sites})}


def report_matches(output: str, pattern: re.Pattern):
    """(file, line, column) and the match of every line of a report-mode
    spatch run that pattern (with groups path, line, col) matches."""
    for line in output.splitlines():
        match = pattern.match(line.strip())
        if match:
            yield (match["path"].removeprefix("./"), int(match["line"]),
                   int(match["col"])), match


def _parse_spatch(output: str) -> dict[tuple[str, int, int], dict]:
    return {key: match.groupdict()
            for key, match in report_matches(output, _SITE_LINE)}


def _failure_reason(result: spatch.FileResult) -> str:
    if result.timed_out:
        return "spatch timed out on this file"
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    return f"spatch failed (exit {result.returncode}): " + \
        (lines[-1].strip() if lines else "no message")


def _miss_reason(tree: Path, rel: str, line: int,
                 parse_cache: dict[str, list[tuple[int, str]]]) -> str:
    if rel not in parse_cache:
        parse_cache[rel] = spatch.parse_errors(tree, rel)
    before = [e for e in parse_cache[rel] if e[0] <= line]
    if before:
        at, message = before[-1]
        return f"spatch {message} at line {at}; the code after it was " \
               "not parsed"
    if parse_cache[rel]:
        at, message = parse_cache[rel][0]
        return f"spatch {message} at line {at}"
    return "spatch parsed the file but did not match this site"


def run_audit(tree_root: Path, tree_name: str, version: str, is_git: bool,
              cache_dir: Path | None, jobs: int | None = None,
              progress=None, rule: Path = AUDIT_RULE) -> Audit:
    timings = {}
    start = time.monotonic()
    files = sites.candidate_files(tree_root, is_git)
    timings["prefilter"] = time.monotonic() - start

    start = time.monotonic()
    expected = sites.grep_sites(tree_root, files)
    timings["text search"] = time.monotonic() - start

    start = time.monotonic()
    runner = spatch.SpatchRunner(rule, options=[*spatch.DEFAULT_OPTIONS,
                                                "-D", "report"],
                                 cache_dir=cache_dir, jobs=jobs)
    results = runner.run(tree_root, files, progress=progress)
    timings["spatch"] = time.monotonic() - start

    start = time.monotonic()
    owners = maintainers.Maintainers(tree_root)
    found: dict[tuple[str, int, int], dict] = {}
    failures = {}
    for rel, result in results.items():
        if result.failed:
            failures[rel] = _failure_reason(result)
        found.update(_parse_spatch(result.stdout))

    head = ""
    if is_git:
        import subprocess
        head = subprocess.run(["git", "-c", f"safe.directory={tree_root}",
                               "-C", str(tree_root), "rev-parse", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
    audit = Audit(tree=tree_name, root=str(tree_root), version=version,
                  head=head, files=len(files), spatch_failures=failures,
                  cached_files=sum(1 for r in results.values() if r.cached))
    parse_cache: dict[str, list[tuple[int, str]]] = {}
    for grep_site in expected:
        key = (grep_site.path, grep_site.line, grep_site.column)
        hit = found.pop(key, None)
        kind = ("lkey" if grep_site.name == "local_dma_lkey" else "call")
        function = "?"
        status, reason = "audited", ""
        if hit is not None:
            kind = hit["kind"]
            function = hit["where"].removeprefix("struct ").strip()
            if hit["kind"] == "field":
                function = hit["where"]
        elif grep_site.path in failures:
            status, reason = "not audited", failures[grep_site.path]
        else:
            status = "not audited"
            reason = _miss_reason(tree_root, grep_site.path, grep_site.line,
                                  parse_cache)
        audit.sites.append(Site(
            file=grep_site.path, line=grep_site.line,
            column=grep_site.column, use=grep_site.name, kind=kind,
            function=function, subsystem=owners.subsystem(grep_site.path),
            area=area_of(grep_site.path), status=status, reason=reason))
    # spatch should never see what the text search does not; if it does
    # (a macro spelled across lines?), keep the site rather than hide it.
    for (path, line, column), hit in found.items():
        audit.sites.append(Site(
            file=path, line=line, column=column, use=hit["name"],
            kind=hit["kind"], function=hit["where"],
            subsystem=owners.subsystem(path), area=area_of(path),
            status="audited", reason="found by spatch only"))
    audit.sites.sort(key=lambda s: (s.file, s.line, s.column))
    timings["assemble"] = time.monotonic() - start

    start = time.monotonic()
    found_mismatches = find_mismatches(tree_root, audit.sites, cache_dir,
                                       jobs)
    audit.mismatches = sorted((path, line, text) for (path, line, _), text
                              in found_mismatches.items())
    timings["mismatches"] = time.monotonic() - start

    start = time.monotonic()
    reasons = find_reasons(tree_root, audit.sites, cache_dir, jobs)
    texts: dict[str, list[str]] = {}
    for site in audit.sites:
        site.category = categorize(site, reasons, found_mismatches)
        # categorize() said core or provider: the lkey review says more
        if site.category == CORE_OR_PROVIDER and site.kind == "lkey":
            if site.file not in texts:
                texts[site.file] = (tree_root / site.file).read_text(
                    errors="replace").splitlines()
            site.category = core_lkey_category(site, texts[site.file])
    timings["reasons"] = time.monotonic() - start
    audit.timings = timings
    return audit


_REASON_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+)-\d+: REASON (?P<text>.*)$")


def find_reasons(tree_root: Path, found: list[Site],
                 cache_dir: Path | None, jobs: int | None
                 ) -> dict[tuple[str, int, int], str]:
    """Run the reasons rule where it can say something: ULP files with a
    call of a wrapper or a local_dma_lkey use."""
    files = sorted({s.file for s in found
                    if s.area in ("ulp", "other") and s.status == "audited"
                    and s.kind in ("lkey", "call")})
    if not files:
        return {}
    runner = spatch.SpatchRunner(REASONS_RULE, options=REASONS_OPTIONS,
                                 cache_dir=cache_dir, jobs=jobs,
                                 header_dirs=REASONS_INCLUDE_DIRS)
    reasons = {}
    for result in runner.run(tree_root, files).values():
        for key, match in report_matches(result.stdout, _REASON_LINE):
            reasons.setdefault(key, match["text"])
    return reasons


_MISMATCH_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+)-\d+: MISMATCH (?P<text>.*)$")


def parse_mismatches(output: str) -> dict[tuple[str, int, int], str]:
    found: dict[tuple[str, int, int], str] = {}
    for key, match in report_matches(output, _MISMATCH_LINE):
        found.setdefault(key, match["text"])
    return found


def find_mismatches(tree_root: Path, found: list[Site],
                    cache_dir: Path | None, jobs: int | None
                    ) -> dict[tuple[str, int, int], str]:
    """Run the mismatch rule on the ULP files with a site."""
    files = sorted({s.file for s in found
                    if s.area == "ulp" and s.status == "audited"})
    if not files:
        return {}
    runner = spatch.SpatchRunner(MISMATCH_RULE, options=[
        *spatch.DEFAULT_OPTIONS, "-D", "report"], cache_dir=cache_dir,
        jobs=jobs)
    mismatches = {}
    for result in runner.run(tree_root, files).values():
        mismatches.update(parse_mismatches(result.stdout))
    return mismatches


# Writers ----------------------------------------------------------------

def by_subsystem(audit: Audit) -> dict[str, list[Site]]:
    groups: dict[str, list[Site]] = defaultdict(list)
    for site in audit.sites:
        groups[site.subsystem].append(site)
    return dict(sorted(groups.items()))


def leftovers_txt(audit: Audit) -> str:
    return "".join(s.grep_line() + "\n" for s in audit.sites)


def leftovers_json(audit: Audit) -> str:
    data = {
        "tree": audit.tree,
        "root": audit.root,
        "version": audit.version,
        "head": audit.head,
        "rule": str(AUDIT_RULE.relative_to(TOOLKIT)),
        "totals": audit.totals(),
        "spatch_failures": audit.spatch_failures,
        "mismatches": [{"file": f, "line": n, "text": t}
                       for f, n, t in audit.mismatches],
        "sites": [asdict(s) for s in audit.sites],
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def summary_rows(audit: Audit) -> list[tuple[str, int, int, int, int]]:
    """(subsystem, ib_dma calls, local_dma_lkey uses, other, not audited)."""
    rows = []
    for name, group in by_subsystem(audit).items():
        kinds = Counter(s.kind for s in group)
        rows.append((name, kinds["call"], kinds["lkey"],
                     kinds["definition"] + kinds["field"],
                     sum(1 for s in group if s.status != "audited")))
    return rows


def summary_md(audit: Audit) -> str:
    totals = audit.totals()
    out = [f"# ib_dma_* and local_dma_lkey audit: {audit.tree}", ""]
    out.append(f"Tree: `{audit.root}` (Linux {audit.version}"
               + (f", HEAD {audit.head[:12]}" if audit.head else "") + ")  ")
    out.append(f"Rule: `cocci/audit/ib_dma_leftovers.cocci`, over "
               f"{audit.files} files that mention a wrapper or the lkey.")
    out.append("")
    out.append("| subsystem (MAINTAINERS) | ib_dma_* calls | local_dma_lkey "
               "uses | definitions/fields | not audited |")
    out.append("|---|---:|---:|---:|---:|")
    for name, calls, lkeys, other, missing in summary_rows(audit):
        out.append(f"| {name} | {calls} | {lkeys} | {other} | {missing} |")
    out.append(f"| **total** | **{totals['calls']}** | "
               f"**{totals['lkey_uses']}** | "
               f"**{totals['definitions'] + totals['fields']}** | "
               f"**{totals['not_audited']}** |")
    out.append("")
    areas = Counter((s.area, s.kind) for s in audit.sites)
    out.append("By area: " + ", ".join(
        f"{area}: {areas[(area, 'call')]} calls, "
        f"{areas[(area, 'lkey')]} lkey uses"
        for area in ("ulp", "core", "provider", "other")
        if areas[(area, 'call')] or areas[(area, 'lkey')]) + ".")
    out.append("")
    out.append("## Why what is left is left")
    out.append("")
    out.append("| reason | ULP sites | all sites |")
    out.append("|---|---:|---:|")
    everywhere = Counter(table_category(s.category) for s in audit.sites)
    in_ulps = Counter(table_category(s.category) for s in audit.sites
                      if s.area == "ulp")
    for category, count in sorted(everywhere.items(),
                                  key=lambda kv: (-kv[1], kv[0])):
        out.append(f"| {category} | {in_ulps[category]} | {count} |")
    out.append("")
    out.append("## Pre-existing DMA-API mismatches")
    out.append("")
    if audit.mismatches:
        out.append("The code unmaps or syncs with another size, another "
                   "function or before the map, today (each is worth a "
                   "patch of its own; the conversion leaves these sges "
                   "alone):")
        out.append("")
        for path, line, text in audit.mismatches:
            out.append(f"- `{path}:{line}`: {text}")
    else:
        out.append("None found.")
    out.append("")
    out += wrapper_removal.summary_lines(
        wrapper_removal.assess(audit.sites))
    out.append("")
    out.append("## Per subsystem, by wrapper")
    for name, group in by_subsystem(audit).items():
        out.append("")
        out.append(f"### {name}")
        out.append("")
        out.append("| use | count |")
        out.append("|---|---:|")
        for use, count in sorted(Counter(s.use for s in group).items(),
                                 key=lambda kv: (-kv[1], kv[0])):
            out.append(f"| `{use}` | {count} |")
    out.append("")
    out.append("## Not audited")
    out.append("")
    if not audit.not_audited and not audit.spatch_failures:
        out.append("None: spatch parsed every file and found every site the "
                   "text search found.")
    else:
        out.append(f"{len(audit.not_audited)} site(s) the text search found "
                   "but spatch did not audit:")
        out.append("")
        for site in audit.not_audited:
            out.append(f"- `{site.file}:{site.line}` {site.use}: "
                       f"{site.reason}")
        for rel, reason in sorted(audit.spatch_failures.items()):
            out.append(f"- file `{rel}`: {reason}")
    out.append("")
    return "\n".join(out)


def terminal_summary(audit: Audit) -> str:
    rows = summary_rows(audit)
    width = max([len(r[0]) for r in rows] + [len("subsystem")])
    width = min(width, 60)
    lines = [f"{'subsystem':<{width}}  calls  lkey  other  not-audited"]
    for name, calls, lkeys, other, missing in rows:
        label = name if len(name) <= width else name[:width - 1] + "…"
        lines.append(f"{label:<{width}}  {calls:5}  {lkeys:4}  {other:5}  "
                     f"{missing:11}")
    t = audit.totals()
    lines.append(f"{'total':<{width}}  {t['calls']:5}  {t['lkey_uses']:4}  "
                 f"{t['definitions'] + t['fields']:5}  {t['not_audited']:11}")
    removal = wrapper_removal.assess(audit.sites)
    lines.append("deleting the ib_dma_* wrappers: " + (
        "nothing calls them any more" if removal.possible else
        f"blocked by {len(removal.blockers)} call(s), listed in "
        "wrapper-users.txt"))
    return "\n".join(lines)


def write_reports(audit: Audit, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (("leftovers.txt", leftovers_txt(audit)),
                       ("leftovers.json", leftovers_json(audit)),
                       ("summary.md", summary_md(audit)),
                       ("wrapper-users.txt", wrapper_removal.users_txt(
                           wrapper_removal.assess(audit.sites)))):
        path = out_dir / name
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
