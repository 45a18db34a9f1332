#!/usr/bin/env python3
"""Apply the cocci/convert/NN-*.cocci rules (Python 3 stdlib only).

Entry points for the driver:

    rule_files(rules_dir: Path | None = None) -> list[Path]
    ulp_groups(tree: Path, files: list[Path]) -> list[list[Path]]
    run_rules(tree: Path, files: list[Path], jobs: int = 1,
              rules: list[Path] | None = None, timeout: int = 300,
              progress=None, cache_dir: Path | None = None)
        -> RunResult

run_rules() converts `files` (paths relative to `tree` or absolute inside
it) IN PLACE.  Files are processed in ULP groups (a ULP's .c and .h files
together, so that a struct field is converted in every file that uses it, or
in none).  Each group is copied to a scratch directory, every rule file is
applied in NN order with spatch --in-place, long lines that spatch added are
wrapped to 80 columns, and only then are the changed files copied back.  A
group that spatch cannot parse or that times out is left unchanged and
reported in RunResult.errors with spatch's message.

With a cache_dir, the outcome of each group (and of each file's parse
check) is kept under the hash of everything that decides it: the spatch
version and options, the rules, this module's own post-processing, and the
group's file names and contents.  A second run on the same sources (a
re-run of make convert, a run after an interrupted one) reuses it instead
of running spatch again.  Timeouts are not kept.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import difflib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cachefile
import list_readers
import sge_names
import spatch
import struct_layout
import ulps
import unused_params

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "cocci" / "convert"
# run only on the providers scripts/providers.py proves use the DMA API
PROVIDER_RULE = ROOT / "cocci" / "providers" / "provider-dma-api.cocci"
SCRIPTS = Path(__file__).resolve().parent
# the modules the rules' Python imports (spatch gets SCRIPTS on PYTHONPATH)
RULE_MODULES = [SCRIPTS / "struct_layout.py", SCRIPTS / "sge_sync.py",
                SCRIPTS / "sge_names.py", SCRIPTS / "unused_params.py",
                SCRIPTS / "helper_pairs.py", SCRIPTS / "pd_threading.py",
                SCRIPTS / "field_decision.py", SCRIPTS / "list_readers.py",
                SCRIPTS / "sites.py"]
SPATCH_OPTS = ["--very-quiet", "-D", "patch", "--timeout", "120"]
DEFAULT_RULE_OPTIONS = ["--no-includes", "--include-headers"]


@dataclasses.dataclass
class RunResult:
    changed: list[Path] = dataclasses.field(default_factory=list)
    errors: dict[str, str] = dataclasses.field(default_factory=dict)
    # per group: rule name -> spatch stderr (warnings), for the log
    log: list[str] = dataclasses.field(default_factory=list)
    # files spatch parses only in part (its unparsed functions stay as is)
    parse_warnings: dict[str, str] = dataclasses.field(default_factory=dict)
    # ULP -> (rule, field or sge family, why the rule left it alone)
    kept: dict[str, list[tuple[str, str, str]]] = dataclasses.field(
        default_factory=dict)


def rule_files(rules_dir: Path | None = None) -> list[Path]:
    d = rules_dir or RULES_DIR
    return sorted(p for p in d.glob("[0-9][0-9]-*.cocci"))


def ulp_groups(tree: Path, files: list[Path]) -> list[list[Path]]:
    """Group files (relative paths) by ULP; files outside the scope are
    each a group of their own."""
    groups: dict[str, list[Path]] = {}
    for f in files:
        rel = Path(f)
        if rel.is_absolute():
            rel = rel.relative_to(tree)
        s = rel.as_posix()
        key = ulps.ulp_of(s) or s
        groups.setdefault(key, []).append(rel)
    return [sorted(v) for _, v in sorted(groups.items())]


# ---------------------------------------------------------------- wrapping

def _width(line: str) -> int:
    return len(line.expandtabs(8))


def _split_args(s: str) -> list[str] | None:
    """Split the text of an argument list at top-level commas."""
    out, depth, cur, q = [], 0, "", None
    for ch in s:
        if q:
            cur += ch
            if ch == q:
                q = None
            continue
        if ch in "\"'":
            q = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return None
        elif ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        cur += ch
    out.append(cur.strip())
    return out


def wrap_line(line: str, call: str = r"\brdma_\w+\(") -> list[str]:
    """Wrap an over-long line at the arguments of its first call matching
    `call` (an rdma_ call), continuation lines aligned with the opening
    parenthesis (kernel style)."""
    if _width(line) <= 80:
        return [line]
    m = re.search(call, line)
    if not m:
        return [line]
    start = m.end()          # index after '('
    depth, end = 1, None
    for i in range(start, len(line)):
        if line[i] == "(":
            depth += 1
        elif line[i] == ")":
            depth -= 1
            if depth == 0:
                end = i
                break
    if end is None:
        return [line]
    args = _split_args(line[start:end])
    if not args:
        return [line]
    head, tail = line[:start], line[end:]
    col = _width(head)
    indent = "\t" * (col // 8) + " " * (col % 8)
    lines, cur = [], head
    for i, a in enumerate(args):
        piece = a + ("," if i < len(args) - 1 else tail)
        first = cur in (head,)
        trial = cur + ("" if first else " ") + piece
        if not first and _width(trial) > 80:
            lines.append(cur.rstrip())
            cur = indent + piece
        else:
            cur = trial
    lines.append(cur)
    return lines


_MEMBER_RE = re.compile(r"^(\s+)(?!(?:return|goto|else|case)\b)"
                        r"([A-Za-z_][\w \t*]*?)(\s+)([A-Za-z_]\w*);(.*)$")


def _pad_to(text: str, col: int, tabs: bool) -> str:
    """Whitespace that takes `text` to column `col` (at least one blank)."""
    width = _width(text)
    if width >= col:
        return " "
    if not tabs:
        return " " * (col - width)
    pad = ""
    while _width(text + pad + "\t") <= col:
        pad += "\t"
    return pad + " " * (col - _width(text + pad)) if pad else " " * (col - width)


def _changed_lines(old: str, new: str) -> set[int]:
    """The indexes of the lines of new that are not lines of old kept in
    place (a line equal to one elsewhere in old is still changed)."""
    matcher = difflib.SequenceMatcher(None, old.splitlines(),
                                      new.splitlines(), autojunk=False)
    changed = set()
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            changed.update(range(j1, j2))
    return changed


def realign_members(old: str, new: str,
                    renames: dict[str, str] | None = None) -> str:
    """Keep a struct member's name in the column it had when spatch only
    changed its type (u64 dma -> struct ib_sge dma), or its type and its
    name (renames: old name -> new name)."""
    back = {v: k for k, v in (renames or {}).items()}
    columns = {}
    for line in old.splitlines():
        m = _MEMBER_RE.match(line)
        if m:
            indent, typ, gap, name, rest = m.groups()
            columns.setdefault((indent, name, rest), (
                _width(indent + typ + gap), "\t" in gap))
    changed = _changed_lines(old, new)
    out = []
    for i, line in enumerate(new.splitlines(keepends=True)):
        body = line.rstrip("\n")
        m = _MEMBER_RE.match(body)
        if i in changed and m:
            indent, typ, gap, name, rest = m.groups()
            # a renamed member takes the column of its old name, even when
            # another struct of the file has a member of the new name
            col = columns.get((indent, back.get(name), rest)) or \
                columns.get((indent, name, rest))
            if col:
                head = indent + typ
                body = head + _pad_to(head, col[0], col[1]) + name + ";" + rest
                line = body + line[len(line.rstrip("\n")):]
        out.append(line)
    return "".join(out)


_SIZEOF_RE = re.compile(r"\bsizeof \*(\w+(?:(?:->|\.)\w+)*)")
_SIZEOF_SPACE_RE = re.compile(r"\bsizeof \(")


def _tidy_sizeof(line: str) -> str:
    line = _SIZEOF_RE.sub(r"sizeof(*\1)", line)
    return _SIZEOF_SPACE_RE.sub("sizeof(", line)


def tidy_new_lines(old: str, new: str) -> str:
    """checkpatch style in the lines spatch wrote that carried old code
    along: sizeof *p -> sizeof(*p), sizeof (x) -> sizeof(x)."""
    old_lines = set(old.splitlines())
    out = []
    for line in new.splitlines(keepends=True):
        if line.rstrip("\n") not in old_lines:
            line = _tidy_sizeof(line)
        out.append(line)
    return "".join(out)


def _code_parens(line: str):
    """(index, paren) for each parenthesis of `line` outside strings."""
    q = None
    for i, ch in enumerate(line):
        if q:
            if ch == q and line[i - 1] != "\\":
                q = None
            continue
        if ch in "\"'":
            q = ch
        elif ch in "()":
            yield i, ch


def _open_paren_col(line: str) -> int | None:
    """Column after the innermost paren left open at the end of `line`."""
    stack = []
    for i, ch in _code_parens(line):
        if ch == "(":
            stack.append(i)
        elif stack:
            stack.pop()
    if not stack:
        return None
    return _width(line[:stack[-1] + 1])


def _paren_balance(line: str) -> int:
    """Parentheses `line` opens minus those it closes, outside strings."""
    return sum(1 if ch == "(" else -1 for _, ch in _code_parens(line))


def align_continuations(old: str, new: str) -> str:
    """Align the continuation lines of a call whose first line spatch
    rewrote with its open parenthesis (checkpatch --strict): every line up
    to the one that closes it, or the innermost parenthesis a line leaves
    open from there on."""
    old_lines = set(old.splitlines())
    lines = new.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        body = lines[i].rstrip("\n")
        col = _open_paren_col(body) if body not in old_lines else None
        j = i + 1
        while col is not None and j < len(lines):
            cont = lines[j].rstrip("\n")
            text = cont.lstrip(" \t")
            if not text or text.startswith(("#", "/*", "*")):
                break
            indent = "\t" * (col // 8) + " " * (col % 8)
            if _width(indent + text) <= 80 and indent + text != cont:
                lines[j] = _tidy_sizeof(indent + text) + lines[j][len(cont):]
            j += 1
            if _paren_balance(text) < 0:
                break
            col = _open_paren_col(lines[j - 1].rstrip("\n")) or col
        i = j if j > i + 1 else i + 1
    return "".join(lines)


_STATEMENT_END = (";", "{", "}", ")", ":", "*/")
_ANY_CALL = r"\b(?!(?:if|for|while|switch|return|sizeof)\()[A-Za-z_]\w*\("


def _balance(line: str, depth: int = 0) -> int | None:
    """depth plus the parentheses `line` opens minus those it closes, None
    when it closes more than were open or has a comment or a string."""
    if any(t in line for t in ("/*", "//", '"', "'", "\\")):
        return None
    for ch in line:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return None
    return depth


def refill_calls(old: str, new: str) -> str:
    """A call or prototype the rules changed over several lines takes as
    few lines as fit in 80 columns: removing an argument (rule 40) leaves
    the lines it was wrapped at (nvme-rdma's three-line
    nvme_rdma_free_ring() call that fits in two).  Only a statement all of
    whose lines changed, that starts a statement, holds no comment or
    string, and gets shorter."""
    changed = _changed_lines(old, new)
    lines = new.splitlines(keepends=True)
    out, i = [], 0
    while i < len(lines):
        body = lines[i].rstrip("\n")
        prev = out[-1].rstrip() if out else ""
        depth = _balance(body) if i in changed else None
        starts = not prev.strip() or prev.endswith(_STATEMENT_END)
        j = i
        while depth and starts and j + 1 < len(lines) and j + 1 in changed:
            j += 1
            depth = _balance(lines[j].strip(), depth)
            if not depth:
                break
        if depth == 0 and j > i:
            joined = body.rstrip() + "".join(
                " " + lines[k].strip() for k in range(i + 1, j + 1))
            joined = joined.replace("( ", "(")
            filled = wrap_line(joined, _ANY_CALL)
            if len(filled) < j - i + 1 and \
                    all(_width(f) <= 80 for f in filled):
                out.extend(f + "\n" for f in filled)
                i = j + 1
                continue
        out.append(lines[i])
        i += 1
    return "".join(out)


def wrap_new_lines(old: str, new: str) -> str:
    """Wrap lines of `new` that are not in `old` and exceed 80 columns."""
    old_lines = set(old.splitlines())
    out = []
    for line in new.splitlines(keepends=True):
        body = line.rstrip("\n")
        if body not in old_lines and _width(body) > 80:
            wrapped = wrap_line(body)
            if wrapped == [body]:
                # a provider's DMA API call (cocci/providers)
                wrapped = wrap_line(body, r"\bdma_\w+\(")
            out.extend(w + "\n" for w in wrapped)
        else:
            out.append(line)
    return "".join(out)


# ---------------------------------------------------------------- running

def rule_options(rule: Path) -> list[str]:
    """The spatch options a rule file asks for in its "// Options:" line,
    as make coccicheck reads them."""
    for line in rule.read_text().splitlines():
        m = re.match(r"//\s*Options:\s*(.*)$", line)
        if m:
            return m.group(1).split()
    return list(DEFAULT_RULE_OPTIONS)


def spatch_env() -> dict[str, str]:
    """spatch's environment: the rules import the toolkit's modules, and
    say why they leave a field or an sge family alone (RunResult.kept)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(SCRIPTS), *filter(None, [env.get("PYTHONPATH")])])
    env["RDMA_SGE_COCCI_DEBUG"] = "1"
    return env


_KEPT_RE = re.compile(r"(?:^|: )rule (\d+): (\w+(?:\.\w+)?) stays: (.*)$", re.M)


def _tidy_c(text: str) -> str:
    """C as spatch prints it (min_t ( int , len ), e -> f . g) in the
    kernel's style."""
    text = re.sub(r"\s*->\s*", "->", text)
    text = re.sub(r"(\w) \. (\w)", r"\1.\2", text)
    text = re.sub(r"(\w) \(\s*", r"\1(", text)
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r"\s+\)", ")", text)
    return re.sub(r"\s+,", ",", text)


def kept_reasons(log: list[str]) -> list[tuple[str, str, str]]:
    """(rule, field or family, why) of every "stays" line in a run's log."""
    found = []
    for entry in log:
        for m in _KEPT_RE.finditer(entry):
            item = (m.group(1), m.group(2), _tidy_c(m.group(3).strip()))
            if item not in found:
                found.append(item)
    return found


def rule_passes(rule: Path) -> bool:
    """A rule whose "// Passes: until unchanged" line asks to be run
    again while it changes something (rule 40: a parameter that only fed
    a removed one)."""
    return re.search(r"^//\s*Passes:\s*until unchanged\s*$",
                     rule.read_text(), re.M) is not None


def needs_no_list_readers(rule: Path) -> bool:
    """A rule that may only run in a ULP where nothing reads the DMA side
    of a scatterlist (rule 60: see list_readers)."""
    return re.search(r"^//\s*Requires:\s*no reader of a list's DMA side",
                     rule.read_text(), re.M) is not None


def reads_before(rule: Path) -> bool:
    """A rule that is told, in RDMA_SGE_BEFORE, what its report mode
    finds in the original files (rule 40: the parameters that were
    unused already)."""
    return "RDMA_SGE_BEFORE" in rule.read_text()


def spatch_file_group(rule: Path, files: list[Path], cwd: Path,
                      timeout: int = 300, mode: str = "patch",
                      before: str = "") -> tuple[int, str]:
    opts = SPATCH_OPTS if mode == "patch" else \
        [o if o != "patch" else mode for o in SPATCH_OPTS]
    cmd = ["spatch", *opts, *rule_options(rule),
           *(["--in-place"] if mode == "patch" else []),
           "--sp-file", str(rule), *[str(f) for f in files]]
    env = spatch_env()
    env["RDMA_SGE_BEFORE"] = before
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                           timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return 124, f"spatch timed out after {timeout}s"
    return p.returncode, p.stderr + p.stdout


_ERR_RE = re.compile(r"^(Fatal error|.*exception|.*Failure|EXN:|"
                     r"Error in Python|.*Timeout|.*timeout|.*parse error)",
                     re.I | re.M)


def convert_group(tree: Path, group: list[Path], rules: list[Path],
                  timeout: int = 300,
                  outside: list[list_readers.Reader] | None = None
                  ) -> tuple[list[Path], dict, list]:
    """Run rules over group in a copy, write back what changed. outside:
    the readers of a list's DMA side in the ULP's other files, when the
    caller has them already (list_readers.outside_readers())."""
    errors, log = {}, []
    if outside is None:
        outside = list_readers.outside_readers(tree, group)
    with tempfile.TemporaryDirectory(prefix="cocci-conv-") as tmp:
        tmpd = Path(tmp)
        for rel in group:
            dst = tmpd / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(tree / rel, dst)
        name = ", ".join(str(g) for g in group)
        originals = [(tree / g).read_bytes() for g in group]
        for rule in rules:
            before = ""
            if needs_no_list_readers(rule):
                sources = {g.as_posix(): (tmpd / g).read_text(
                    errors="surrogateescape") for g in group}
                why = list_readers.why_kept(
                    list_readers.readers(sources) + outside)
                if why and list_readers.maps_lists(sources):
                    log.append(f"{rule.name}: rule {rule.name[:2]}: "
                               f"ib_dma_map_sg stays: {why}")
                if why:
                    continue
            if reads_before(rule):
                # a rule about what the conversion changed: nothing to do
                # where nothing changed; else told what the original holds
                if [(tmpd / g).read_bytes() for g in group] == originals:
                    continue
                with tempfile.TemporaryDirectory(prefix="cocci-orig-") as o:
                    for rel in group:
                        dst = Path(o) / rel
                        dst.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(tree / rel, dst)
                    rc, msg = spatch_file_group(rule, group, Path(o),
                                                timeout, mode="report")
                if rc != 0 or _ERR_RE.search(msg):
                    errors[name] = f"{rule.name} (report): rc={rc}: " \
                        f"{msg.strip()[-2000:]}"
                    return [], errors, log
                before = unused_params.encode(
                    unused_params.parse_report(msg))
            for _ in range(4 if rule_passes(rule) else 1):
                texts = [(tmpd / g).read_bytes() for g in group]
                rc, msg = spatch_file_group(rule, group, tmpd, timeout,
                                            before=before)
                bad = _ERR_RE.search(msg)
                if rc != 0 or bad:
                    errors[name] = \
                        f"{rule.name}: rc={rc}: {msg.strip()[-2000:]}"
                    return [], errors, log
                if msg.strip():
                    log.append(f"{rule.name}: {msg.strip()}")
                if texts == [(tmpd / g).read_bytes() for g in group]:
                    break
        renames = dict(_RENAMED_RE.findall("\n".join(log)))
        for encoded in dict.fromkeys(_PAD_FIX_RE.findall("\n".join(log))):
            fix = struct_layout.PadFix.decode(encoded)
            target = tmpd / fix.path
            fixed = fix.apply(target.read_text(errors="surrogateescape"))
            if fixed is None:
                errors[name] = f"rule 30 widened a member whose pad " \
                    f"{fix.macro} it cannot fix in {fix.path}"
                return [], errors, log
            target.write_text(fixed, errors="surrogateescape")
        changed = []
        for rel in group:
            old = (tree / rel).read_text(errors="surrogateescape")
            new = (tmpd / rel).read_text(errors="surrogateescape")
            if new != old:
                new = tidy_new_lines(old, realign_members(old, new, renames))
                new = rename_kernel_doc(new, renames)
                new = mend_error_messages(old, new, renames)
                new = align_continuations(old, new)
                new = refill_calls(old, wrap_new_lines(old, new))
                (tree / rel).write_text(new, errors="surrogateescape")
                changed.append(rel)
    return changed, errors, log


_RENAMED_RE = re.compile(r"rule 30: (\w+) renamed (\w+)")
_PAD_FIX_RE = re.compile(r"rule 30: pad fix (.+?)\s*$", re.M)


def rename_kernel_doc(text: str, renames: dict[str, str]) -> str:
    """The kernel-doc of a struct that now declares a renamed field: its
    member line (" * @dma_addr: ...") and the references to it (@dma) in
    the same comment; and the comment on the member's own line."""
    if not renames:
        return text
    lines = text.split("\n")
    start = None
    for i, line in enumerate(lines):
        m = re.search(r"\bstruct\s+ib_sge\s+(\w+)\s*;\s*/\*(.*)\*/", line)
        if m and m.group(1) in renames.values():
            # "struct ib_sge wr_tx_sge; /* DMA address of wr_tx_bufs */"
            lines[i] = line[:m.start(2)] + sge_names.describe(m.group(2)) + \
                line[m.end(2):]
        if line.lstrip().startswith("/**"):
            start = i
        if start is None or "*/" not in line:
            continue
        block, start = range(start, i + 1), None
        body = "\n".join(lines[i + 1:i + 80])
        head = re.match(r"\s*struct\s+\w+\s*\{(.*?)\n\}", body, re.S)
        if not head:
            continue
        for old, new in renames.items():
            if not re.search(rf"\bstruct\s+ib_sge\s+{re.escape(new)}\s*;",
                             head.group(1)):
                continue
            for j in block:
                lines[j] = sge_names.kernel_doc_line(lines[j], old, new)
                lines[j] = re.sub(rf"@{re.escape(old)}\b", f"@{new}",
                                  lines[j])
    return "\n".join(lines)


_BUILDER_CALL = re.compile(
    r"\b(rdma_map_sge_(?:single|page)|rdma_map_sgl)\s*\(")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def mend_error_messages(old: str, new: str,
                        renames: dict[str, str]) -> str:
    """Messages that name what the conversion changed: within a few lines
    after a new rdma_map_sge_*() call, a string that names
    ib_dma_mapping_error() names the builder, and after a new
    rdma_map_sgl() one that names ib_dma_map_sg() names it; a string near
    a use of a renamed field names it by its new name (isert:
    "login_rsp_dma mapping error", "unmap single for
    isert_cmd->pdu_buf_dma")."""
    old_lines = set(old.split("\n"))
    lines = new.split("\n")
    builder, left, call = None, 0, ""
    for i, line in enumerate(lines):
        m = _BUILDER_CALL.search(line)
        if m and line not in old_lines:
            builder, left = m.group(1), 6
            call = "\n".join(lines[i:i + 4])
        elif left:
            left -= 1
        else:
            builder, call = None, ""
        # the sge the builder fills names the message of its error branch
        near = "\n".join(lines[max(0, i - 3):i + 4]) + "\n" + call
        renamed_here = {was: now for was, now in renames.items()
                        if re.search(rf"(->|\.){re.escape(now)}\b", near)}
        if '"' not in line or (builder is None and not renamed_here):
            continue

        def mend(lit: re.Match) -> str:
            text = lit.group(0)
            if builder == "rdma_map_sgl":
                text = re.sub(r"\bib_dma_map_sg\b", builder, text)
            elif builder is not None:
                text = text.replace("ib_dma_mapping_error()", f"{builder}()")
            for was, now in renamed_here.items():
                text = re.sub(rf"\b{re.escape(was)}\b", now, text)
            return text
        lines[i] = _STRING.sub(mend, line)
    return "\n".join(lines)


_NB_RE = re.compile(r"nb good = (\d+),\s+nb bad = (\d+)")


_TIMEOUT_RE = re.compile(r"time(d )?out", re.I)


def _decision_base() -> str:
    """What decides every rule's outcome besides the rules: spatch's
    version and options, this driver and the modules the rules import."""
    return "\0".join([spatch.spatch_version(), *SPATCH_OPTS,
                      Path(__file__).read_text(),
                      *(m.read_text() for m in RULE_MODULES)])


class ResultCache:
    """JSON results under the hash of what decides them; no directory, no
    cache."""

    def __init__(self, directory: Path | None):
        self.directory = directory
        self._base = "" if directory is None else _decision_base()

    def key(self, *parts: str) -> str | None:
        if self.directory is None:
            return None
        digest = hashlib.sha256(self._base.encode())
        for part in parts:
            digest.update(b"\0" + part.encode(errors="surrogateescape"))
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str | None) -> dict | None:
        if key is None or not self._path(key).exists():
            return None
        try:
            return json.loads(self._path(key).read_text())
        except ValueError:
            return None

    def put(self, key: str | None, value: dict) -> None:
        if key is None:
            return
        cachefile.write_atomic(self._path(key), json.dumps(value))


def rules_fingerprint(rules: list[Path] | None = None) -> str:
    """What decides a conversion: spatch's version and options, this
    driver, the modules the rules import and the rules themselves."""
    rules = rules if rules is not None else rule_files()
    digest = hashlib.sha256(_decision_base().encode())
    for part in _rules_key(rules, 0)[1:]:
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


def _rules_key(rules: list[Path], timeout: int) -> list[str]:
    return [str(timeout), *(f"{r.name}\0{r.read_text()}" for r in rules)]


def _group_key(cache: ResultCache, tree: Path, group: list[Path],
               rules: list[Path], timeout: int,
               outside: list[list_readers.Reader]) -> str | None:
    files = [f"{rel.as_posix()}\0" +
             (tree / rel).read_text(errors="surrogateescape")
             for rel in group]
    return cache.key("group", *_rules_key(rules, timeout), *files,
                     "\0".join(str(r) for r in outside))


def cached_convert_group(cache: ResultCache, tree: Path, group: list[Path],
                         rules: list[Path], timeout: int = 300
                         ) -> tuple[list[Path], dict, list]:
    """convert_group(), or what it did on the same input before."""
    outside = list_readers.outside_readers(tree, group)
    key = _group_key(cache, tree, group, rules, timeout, outside)
    hit = cache.get(key)
    if hit is not None:
        for rel, text in hit["new"].items():
            (tree / rel).write_text(text, errors="surrogateescape")
        return [Path(rel) for rel in hit["new"]], hit["errors"], hit["log"]
    changed, errors, log = convert_group(tree, group, rules, timeout,
                                         outside)
    if not any(_TIMEOUT_RE.search(e) for e in errors.values()):
        cache.put(key, {"new": {rel.as_posix(): (tree / rel).read_text(
            errors="surrogateescape") for rel in changed},
            "errors": errors, "log": log})
    return changed, errors, log


def cached_parse_check(cache: ResultCache, path: Path,
                       timeout: int = 120) -> tuple[bool, str]:
    key = cache.key("parse-c", path.name,
                    path.read_text(errors="surrogateescape"))
    hit = cache.get(key)
    if hit is not None:
        return hit["dead"], hit["message"]
    dead, message = parse_check(path, timeout)
    if not _TIMEOUT_RE.search(message):
        cache.put(key, {"dead": dead, "message": message})
    return dead, message


def parse_check(path: Path, timeout: int = 120) -> tuple[bool, str]:
    """(fully_unparsable, message) from spatch --parse-c."""
    try:
        p = subprocess.run(["spatch", "--no-includes", "--parse-c",
                            str(path)], capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return True, f"spatch --parse-c timed out after {timeout}s"
    out = p.stdout + p.stderr
    m = _NB_RE.search(out)
    if not m:
        return True, f"spatch --parse-c: rc={p.returncode}: {out[-1000:]}"
    good, bad = int(m.group(1)), int(m.group(2))
    if bad == 0:
        return False, ""
    msgs = [ln for ln in out.splitlines()
            if ln.startswith(("PB:", "parse error", "BAD:", "ERROR"))
            or "parse error" in ln]
    msg = f"spatch: {bad} of {good + bad} lines not parsed: " + \
        " | ".join(msgs[:5])
    return good == 0, msg


def run_rules(tree: Path, files: list[Path], jobs: int = 1,
              rules: list[Path] | None = None,
              timeout: int = 300, progress=None,
              cache_dir: Path | None = None) -> RunResult:
    """Run the rules in place, one spatch per ULP group; progress(done,
    total, group) is called as each group finishes."""
    tree = Path(tree).resolve()
    rules = rules if rules is not None else rule_files()
    cache = ResultCache(cache_dir)
    res = RunResult()
    ok_files = []
    for f in files:
        rel = Path(f)
        rel = rel.relative_to(tree) if rel.is_absolute() else rel
        dead, msg = cached_parse_check(cache, tree / rel)
        if dead:
            res.errors[str(rel)] = msg
        else:
            if msg:
                res.parse_warnings[str(rel)] = msg
            ok_files.append(rel)
    groups = ulp_groups(tree, ok_files)
    with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as ex:
        for done, (group, (changed, errors, log)) in enumerate(zip(
                groups, ex.map(lambda g: cached_convert_group(
                    cache, tree, g, rules, timeout), groups)),
                1):
            res.changed.extend(changed)
            res.errors.update(errors)
            res.log.extend(log)
            reasons = kept_reasons(log)
            if reasons:
                res.kept[ulps.ulp_of(group[0].as_posix())
                         or group[0].as_posix()] = reasons
            if progress:
                progress(done, len(groups), ulps.ulp_of(group[0].as_posix())
                         or group[0].as_posix())
    return res


def convert_text(src: str, name: str = "t.c",
                 rules: list[Path] | None = None) -> tuple[str, dict]:
    """Run the rules on one file's text; return (new text, errors)."""
    with tempfile.TemporaryDirectory(prefix="cocci-one-") as tmp:
        p = Path(tmp) / name
        p.write_text(src)
        changed, errors, _ = convert_group(Path(tmp), [Path(name)],
                                           rules or rule_files())
        return p.read_text(), errors


def scope_files(tree: Path) -> list[Path]:
    """Prefiltered ULP files of `tree` that mention ib_dma_ / local_dma_lkey,
    plus the headers beside them: a struct field a rule retypes is often
    declared in a header that names no wrapper (ib_srp.h, iscsi_iser.h)."""
    p = subprocess.run(["git", "grep", "-lP", r"\bib_dma_|local_dma_lkey",
                        "--", *ulps.PATHS], cwd=tree,
                       capture_output=True, text=True)
    hits = [Path(x) for x in p.stdout.split()]
    names = {ulps.ulp_of(f.as_posix()) for f in hits} - {None}
    if not names:
        return hits
    h = subprocess.run(["git", "ls-files", "--", *ulps.header_globs(names)],
                       cwd=tree, capture_output=True, text=True)
    headers = [Path(x) for x in h.stdout.split() if ulps.ulp_of(x) in names]
    return sorted(set(hits) | set(headers))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tree", type=Path)
    ap.add_argument("files", nargs="*", type=Path,
                    help="default: the prefiltered ULP scope")
    ap.add_argument("-j", "--jobs", type=int, default=1)
    a = ap.parse_args(argv)
    files = a.files or scope_files(a.tree)
    r = run_rules(a.tree, files, a.jobs)
    for f in r.changed:
        print(f"changed {f}")
    for f, m in r.parse_warnings.items():
        print(f"parse warning {f}: {m}", file=sys.stderr)
    for f, m in r.errors.items():
        print(f"error {f}: {m}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
