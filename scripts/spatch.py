"""Run the real spatch over a list of files, in parallel, one file a process.

One process per file keeps a parse failure or a timeout attributable to its
file and lets the others go on.  Results can be cached by the hash of the
rule, the spatch version, the options and the file's content: a warm audit of
an unchanged tree then costs no spatch run at all.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import cachefile

DEFAULT_OPTIONS = ["--very-quiet", "--no-includes", "--include-headers"]
DEFAULT_TIMEOUT = 120  # seconds per file, passed to spatch --timeout


class SpatchError(Exception):
    pass


@dataclass
class FileResult:
    path: str
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False
    cached: bool = False

    @property
    def failed(self) -> bool:
        return self.timed_out or self.returncode != 0


def find_spatch() -> str:
    spatch = shutil.which("spatch")
    if spatch is None:
        raise SpatchError("spatch not found: install Debian's coccinelle "
                          "package (make deps does it)")
    return spatch


def spatch_version() -> str:
    result = subprocess.run([find_spatch(), "--version"],
                            capture_output=True, text=True)
    first = (result.stdout or result.stderr).splitlines()
    return first[0].strip() if first else "unknown"


def default_jobs() -> int:
    return os.cpu_count() or 1


_LOCAL_INCLUDE = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*"([^"]+)"', re.M)


def local_headers(tree: Path, rel: str, include_dirs: list[str],
                  memo: dict[str, list[str]] | None = None) -> list[str]:
    """Every header reached from rel through #include "..." lines, each
    resolved next to its includer and in include_dirs (all candidates that
    exist: more than spatch reads is safe for a cache key, less is not)."""
    memo = {} if memo is None else memo
    seen: set[str] = set()
    todo = [rel]
    while todo:
        current = todo.pop()
        if current not in memo:
            try:
                text = (tree / current).read_bytes()
            except OSError:
                text = b""
            found = []
            for name in _LOCAL_INCLUDE.findall(text):
                name = name.decode(errors="replace")
                for base in (os.path.dirname(current), *include_dirs):
                    candidate = os.path.normpath(os.path.join(base, name))
                    if not candidate.startswith("..") and \
                            (tree / candidate).is_file():
                        found.append(candidate)
            memo[current] = found
        for header in memo[current]:
            if header not in seen:
                seen.add(header)
                todo.append(header)
    seen.discard(rel)
    return sorted(seen)


class SpatchRunner:
    def __init__(self, rule: Path, options: list[str] | None = None,
                 timeout: int = DEFAULT_TIMEOUT, cache_dir: Path | None = None,
                 jobs: int | None = None,
                 header_dirs: list[str] | None = None):
        """header_dirs: the rule reads the local headers of each file
        (spatch --local-includes), looked up in these directories too; the
        cache key then holds their content as well."""
        self.spatch = find_spatch()
        self.rule = rule
        self.options = list(DEFAULT_OPTIONS if options is None else options)
        self.timeout = timeout
        self.cache_dir = cache_dir
        self.jobs = jobs or default_jobs()
        self.header_dirs = header_dirs
        self._headers: dict[str, list[str]] = {}
        self._key_base = hashlib.sha256(
            "\0".join([rule.read_text(), spatch_version(),
                       *self.options, str(timeout)]).encode()).hexdigest()

    def _cache_path(self, content: bytes) -> Path | None:
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(self._key_base.encode() + content).hexdigest()
        return self.cache_dir / digest[:2] / f"{digest}.json"

    def _key_content(self, tree: Path, rel: str) -> bytes:
        content = (tree / rel).read_bytes()
        if self.header_dirs is None or self.cache_dir is None:
            return content
        parts = [content]
        for header in local_headers(tree, rel, self.header_dirs,
                                    self._headers):
            parts += [b"\0" + header.encode() + b"\0",
                      (tree / header).read_bytes()]
        return b"".join(parts)

    def run_file(self, tree: Path, rel: str) -> FileResult:
        cache = self._cache_path(self._key_content(tree, rel))
        if cache is not None and cache.exists():
            data = json.loads(cache.read_text())
            data.update(path=rel, cached=True)
            return FileResult(**data)
        cmd = [self.spatch, *self.options, "--timeout", str(self.timeout),
               "--sp-file", str(self.rule), rel]
        start = time.monotonic()
        try:
            proc = subprocess.run(cmd, cwd=tree, capture_output=True,
                                  text=True, errors="replace",
                                  timeout=self.timeout + 30)
            result = FileResult(rel, proc.returncode, proc.stdout,
                                proc.stderr, time.monotonic() - start)
        except subprocess.TimeoutExpired as exc:
            result = FileResult(rel, -1, _text(exc.stdout), _text(exc.stderr),
                                time.monotonic() - start, timed_out=True)
        if re.search(r"^(EXN: )?Coccinelle_modules\.Common\.Timeout|"
                     r"timeout \(we abort\)", result.stderr, re.M):
            result.timed_out = True
        if cache is not None and not result.timed_out:
            cache.parent.mkdir(parents=True, exist_ok=True)
            data = asdict(result)
            data.pop("path")
            data.pop("cached")
            cachefile.write_atomic(cache, json.dumps(data))
        return result

    def run(self, tree: Path, files: list[str],
            progress=None) -> dict[str, FileResult]:
        """Run over files (relative to tree); progress(done, total, result)."""
        results: dict[str, FileResult] = {}
        # Longest files first, so one big file does not finish last alone.
        ordered = sorted(files, key=lambda f: -(tree / f).stat().st_size)
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            for result in pool.map(lambda f: self.run_file(tree, f), ordered):
                results[result.path] = result
                if progress:
                    progress(len(results), len(files), result)
        return results


def parse_errors(tree: Path, rel: str) -> list[tuple[int, str]]:
    """(line, message) of each parse error spatch reports in the file itself.

    Only asked for files where the audit misses a site, so it costs nothing
    on a tree that parses.
    """
    proc = subprocess.run([find_spatch(), "--parse-c", "--no-includes", rel],
                          cwd=tree, capture_output=True, text=True,
                          errors="replace", timeout=300)
    text = proc.stdout + proc.stderr
    errors = []
    for match in re.finditer(
            r'parse error\s*\n\s*= File "([^"]+)", line (\d+), column \d+.*?'
            r"\n\s*around = '([^']*)'", text):
        if match.group(1) == rel or match.group(1).endswith("/" + rel):
            errors.append((int(match.group(2)),
                           f"parse error near '{match.group(3)}'"))
    return errors


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value
