"""The kernel's own static checkers on what a conversion touched: sparse
(`make C=2`) on the touched objects and the kernel's scripts/coccinelle
rules in report mode on the touched files, each before (the series' tip)
and after; only findings the conversion adds are reported.

Both are cached under the toolkit's cache: sparse per object, keyed by its
Kbuild command, the .config and the content of every file the compiler
read for it (the deps Kbuild records in .<obj>.cmd); coccicheck per rule,
keyed by the rule, spatch's version and options and the files' content.
"""

import hashlib
import json
import re
import shutil
import subprocess
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import build
import cachefile
import spatch


def sparse_available() -> bool:
    return shutil.which("sparse") is not None


def sparse_version() -> str:
    done = subprocess.run(["sparse", "--version"], capture_output=True,
                          text=True)
    return done.stdout.strip()


# Sparse ---------------------------------------------------------------------

_CHECK_LINE = re.compile(r"^\s+CHECK\s+(?P<source>\S+\.c)$")


def _cmd_file(out: Path, obj: str) -> Path:
    path = Path(obj)
    return out / path.parent / f".{path.name}.cmd"


def _deps(out: Path, srctree: Path, obj: str) -> tuple[str, list[Path]]:
    """(Kbuild's command line, the files it read) of a built object."""
    text = _cmd_file(out, obj).read_text(errors="replace")
    command = ""
    files = []
    in_deps = False
    for line in text.splitlines():
        if line.startswith("savedcmd_"):
            command = line.split(":=", 1)[1].strip()
        elif line.startswith("source_"):
            files.append(Path(line.split(":=", 1)[1].strip()))
        elif line.startswith("deps_"):
            in_deps = True
        elif in_deps:
            entry = line.strip().rstrip("\\").strip()
            if not entry:
                in_deps = False
            elif not entry.startswith("$(wildcard"):
                files.append(Path(entry))
    resolved = []
    for path in files:
        if not path.is_absolute():
            path = out / path if (out / path).exists() else srctree / path
        resolved.append(path)
    return command, resolved


class SparseCache:
    def __init__(self, directory: Path, kbuild: build.KernelBuild):
        self.directory = directory
        self.kbuild = kbuild
        self._hashes: dict[Path, str] = {}
        self._base = "\0".join([sparse_version(), build.config_id(kbuild)])

    def _hash(self, path: Path) -> str:
        if path not in self._hashes:
            try:
                data = path.read_bytes()
            except OSError:
                data = b"\0missing"
            self._hashes[path] = hashlib.sha256(data).hexdigest()
        return self._hashes[path]

    def key(self, obj: str) -> str | None:
        try:
            command, files = _deps(self.kbuild.out, self.kbuild.srctree, obj)
        except OSError:
            return None
        digest = hashlib.sha256(self._base.encode())
        digest.update(self._portable(command).encode())
        for path in files:
            digest.update(self._portable(str(path)).encode() +
                          self._hash(path).encode())
        return digest.hexdigest()

    def _portable(self, text: str) -> str:
        """text without the tree's and the build's own absolute paths:
        the same sources in another work tree share the result."""
        return text.replace(str(self.kbuild.srctree), "$(srctree)").replace(
            str(self.kbuild.out), "$(objtree)")

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"


def sparse(kbuild: build.KernelBuild, sources: list[str], cache_dir: Path
           ) -> dict[str, list[build.Diagnostic]]:
    """sparse's diagnostics for each source's (built) object, through
    `make C=2` (check whether or not the object is rebuilt)."""
    cache = SparseCache(cache_dir, kbuild)
    results: dict[str, list[build.Diagnostic]] = {}
    keys: dict[str, str | None] = {}
    for source in sources:
        key = keys[source] = cache.key(build.object_of(source))
        if key and cache.path(key).exists():
            results[source] = [build.Diagnostic(**d) for d in json.loads(
                cache.path(key).read_text())]
    todo = [s for s in sources if s not in results]
    if not todo:
        return results
    done = kbuild.make("--output-sync=target", "C=2",
                       *[build.object_of(s) for s in todo])
    output = done.stdout + "\n" + done.stderr
    current = None
    found: dict[str, list[build.Diagnostic]] = {s: [] for s in todo}
    for line in output.splitlines():
        match = _CHECK_LINE.match(line)
        if match:
            current = match["source"]
            continue
        if current in found:
            found[current] += build.parse_diagnostics(line, kbuild.srctree)
    for source in todo:
        results[source] = found[source]
        key = keys[source]
        if key:
            path = cache.path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            cachefile.write_atomic(path, json.dumps(
                [d.__dict__ for d in found[source]]))
    return results


# coccicheck -----------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    rule: str  # relative to the tree, e.g. scripts/coccinelle/free/kfree.cocci
    file: str
    line: int
    message: str

    def key(self) -> tuple[str, str, str]:
        # a message may name another line ("before object free at line
        # 883"), which moves with the code as the finding's own line does
        return (self.rule, self.file,
                re.sub(r"\b(lines?) \d+(?:-\d+)?", r"\1 N", self.message))

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message} " \
               f"[{Path(self.rule).name}]"


def report_rules(srctree: Path) -> list[str]:
    """The kernel's coccinelle rules that have a report mode."""
    rules = []
    for rule in sorted((srctree / "scripts/coccinelle").rglob("*.cocci")):
        if re.search(r"^virtual\s+.*\breport\b", rule.read_text(
                errors="replace"), re.M):
            rules.append(rule.relative_to(srctree).as_posix())
    return rules


def rule_options(text: str) -> list[str]:
    """The // Options: of a rule, as coccicheck passes them."""
    match = re.search(r"^//\s*Options:(.*)$", text, re.M)
    return match.group(1).split() if match else []


_REPORT = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+):\d+-\d+: (?P<msg>.*)$")


def parse_report(rule: str, output: str) -> list[Finding]:
    found = []
    for line in output.splitlines():
        match = _REPORT.match(line.strip())
        if match:
            found.append(Finding(rule, match["path"].removeprefix("./"),
                                 int(match["line"]), match["msg"].strip()))
    return found


def coccicheck(srctree: Path, root: Path, files: list[str], rules: list[str],
               cache_dir: Path, jobs: int = 2) -> list[Finding]:
    """Each rule (of srctree) in report mode over files (relative to root),
    one spatch per rule over all of them, as `make coccicheck MODE=report`
    runs it on a directory."""
    files = [f for f in files if (root / f).is_file()]
    if not files or not rules:
        return []
    version = spatch.spatch_version()
    contents = hashlib.sha256()
    for rel in sorted(files):
        contents.update(rel.encode() + b"\0" + (root / rel).read_bytes())

    def run(rule: str) -> list[Finding]:
        text = (srctree / rule).read_text(errors="replace")
        options = ["-D", "report", "--very-quiet", "--no-show-diff",
                   "--no-includes", "--include-headers",
                   *rule_options(text)]
        key = hashlib.sha256("\0".join([text, version, *options]).encode()
                             + contents.digest()).hexdigest()
        cached = cache_dir / key[:2] / f"{key}.json"
        if cached.exists():
            return [Finding(**f) for f in json.loads(cached.read_text())]
        done = subprocess.run([spatch.find_spatch(), *options, "--timeout",
                               "120", "--sp-file", str(srctree / rule),
                               *sorted(files)], cwd=root, capture_output=True,
                              text=True, errors="replace")
        found = parse_report(rule, done.stdout)
        cached.parent.mkdir(parents=True, exist_ok=True)
        cachefile.write_atomic(cached, json.dumps([f.__dict__
                                                   for f in found]))
        return found

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return [f for found in pool.map(run, rules) for f in found]


def new_findings(before: list, after: list, key=lambda f: f.key()) -> list:
    """What after has that before has not, as a multiset without line
    numbers (a conversion moves lines)."""
    left = Counter(key(f) for f in before)
    new = []
    for finding in after:
        if left[key(finding)] > 0:
            left[key(finding)] -= 1
        else:
            new.append(finding)
    return new
