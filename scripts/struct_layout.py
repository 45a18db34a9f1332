"""Can a struct member be widened without looking further?

Rule 30 turns a u64/dma_addr_t member that holds a DMA address into a
struct ib_sge (8 -> 16 bytes).  That is only a local change when nothing
depends on the struct's size.  This module reads the C text of the
struct's file and its directory and says why a member must not be widened:

- a member's array size is computed from the sizes of the struct's own
  members (a pad that keeps a ring stride, as iser's ISER_RX_PAD_SIZE,
  which counts sizeof(u64) for the DMA address): the size of the widened
  member's type, or a difference with sizeof in it;
- the code pins its size or offsets (BUILD_BUG_ON/static_assert on
  sizeof(struct ...) or offsetof(struct ...));
- it is a uapi struct (shared with user space).

One such pad can be kept: when the pad's own macro counts the member with
exactly one sizeof of its type, the struct has no other member of that
type and nothing else uses the macro, the member may be widened if that
sizeof becomes sizeof(struct ib_sge) (pad_fix()): the struct keeps its
size, and so its ring stride (iser's 256-byte rx descriptor).  The layout
stage of make convert then shows the size unchanged, from the compiler.

A packed struct (__packed) is not refused for that alone: the ULP's own
descriptors are packed (isert's iser_tx_desc) and already hold sges; the
layout stage of make convert flags every packed struct the conversion
changed, with its size and the new member's offset.  packed() says
whether a struct is.

Nothing is guessed: a struct whose definition is not found is not refused
here (the rule refuses members it does not see declared anyway).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_PACKED = re.compile(r"__packed\b|__attribute__\s*\(\(\s*_*packed_*")
_STRUCT_OPEN = re.compile(r"\bstruct\s+(\w+)\s*(?:__\w+\s*)*\{")
_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w+)(\([^)]*\))?[ \t]*"
                     r"((?:[^\n\\]|\\\n|\\.)*)", re.M)


@dataclass
class Struct:
    name: str
    body: str
    trailer: str  # what follows the closing brace, up to the ';'
    members: list[tuple[str, str]] = field(default_factory=list)  # (decl, name)

    @property
    def packed(self) -> bool:
        return bool(_PACKED.search(self.trailer))


def strip_comments(text: str) -> str:
    """C text without comments (string literals kept); line breaks kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            i = end
        elif text[i] in "\"'":
            quote, j = text[i], i + 1
            while j < n and text[j] != quote:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _split_members(body: str) -> list[tuple[str, str]]:
    """Top-level member declarations of a struct body: (text, name)."""
    members, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif ch == ";" and depth == 0:
            decl = " ".join(body[start:i].split())
            start = i + 1
            name = re.search(r"(\w+)\s*(?:\[[^\]]*\]\s*)*(?::\s*\w+)?$",
                             re.sub(r"__\w+(\s*\(\([^)]*\)\))?\s*$", "",
                                    decl))
            if decl and name:
                members.append((decl, name.group(1)))
    return members


def structs(text: str) -> dict[str, list[Struct]]:
    """Every struct definition in C text, by name."""
    code = strip_comments(text)
    found: dict[str, list[Struct]] = {}
    for m in _STRUCT_OPEN.finditer(code):
        depth, i = 0, m.end() - 1
        while i < len(code):
            if code[i] == "{":
                depth += 1
            elif code[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        body = code[m.end():i]
        end = code.find(";", i)
        trailer = code[i + 1:end if end >= 0 else len(code)]
        s = Struct(m.group(1), body, trailer, _split_members(body))
        found.setdefault(s.name, []).append(s)
    return found


def macros(text: str) -> dict[str, str]:
    """Object-like and function-like macro bodies of C text."""
    code = strip_comments(text)
    return {m.group(1): m.group(3).replace("\\\n", " ")
            for m in _DEFINE.finditer(code)}


def _expand(expr: str, defs: dict[str, str], depth: int = 4) -> str:
    for _ in range(depth):
        new = re.sub(r"\b([A-Za-z_]\w*)\b",
                     lambda m: f"({defs[m.group(1)]})"
                     if m.group(1) in defs else m.group(1), expr)
        if new == expr:
            break
        expr = new
    return expr


def _member_type(s: Struct, member: str) -> str:
    """The declared type of member ("u64", "dma_addr_t")."""
    decl = next(decl for decl, name in s.members if name == member)
    return re.sub(rf"\b{re.escape(member)}\b.*$", "", decl).strip()


def refusal(sources: dict[str, str], struct: str, member: str) -> str | None:
    """Why member of struct must not be widened, or None.

    sources maps file names to C text: the file that declares the struct
    and its neighbours (where its pad macros and BUILD_BUG_ONs live)."""
    defs: dict[str, str] = {}
    for text in sources.values():
        defs.update(macros(text))
    found = [(path, s) for path, text in sources.items()
             for s in structs(text).get(struct, [])
             if any(name == member for _, name in s.members)]
    for path, s in found:
        if "/uapi/" in f"/{path}":
            return f"struct {struct} is uapi ({path}): user space sees " \
                   "its layout"
        own_type = _member_type(s, member)
        sized = re.compile(r"sizeof\s*\(\s*" + re.escape(own_type) +
                           r"\s*\)")
        for decl, name in s.members:
            for dim in re.findall(r"\[([^\]]*)\]", decl):
                expanded = " ".join(_expand(dim, defs).split())
                if sized.search(expanded) or (
                        "sizeof" in expanded and "-" in expanded):
                    return f"struct {struct} sizes {name}[{dim.strip()}] " \
                           f"from the sizes of its members ({expanded}): " \
                           f"a wider {member} changes its size"
    if not found:
        return None
    return _pinned(sources, struct)


def _pinned(sources: dict[str, str], struct: str) -> str | None:
    """Where the code pins the size or offsets of struct, or None."""
    pin = re.compile(r"\b(BUILD_BUG_ON\w*|static_assert|_Static_assert)\s*"
                     r"\((?:[^;]*?)\b(sizeof|offsetof)\s*\(\s*struct\s+"
                     + re.escape(struct) + r"\b", re.S)
    for path, text in sources.items():
        m = pin.search(strip_comments(text))
        if m:
            line = text.count("\n", 0, m.start()) + 1
            return f"{path}:{line} pins the layout of struct {struct} " \
                   f"({m.group(1)} on {m.group(2)})"
    return None


@dataclass(frozen=True)
class PadFix:
    """Replace old by new, once, in the body of macro in path."""
    path: str
    macro: str
    old: str
    new: str = "sizeof(struct ib_sge)"

    def encode(self) -> str:
        return f"{self.path}|{self.macro}|{self.old}|{self.new}"

    @classmethod
    def decode(cls, text: str) -> "PadFix":
        path, macro, old, new = text.split("|")
        return cls(path, macro, old, new)

    def apply(self, text: str) -> str | None:
        """text with the fix made, or None when the macro's body does not
        hold old exactly once."""
        for m in _DEFINE.finditer(text):
            if m.group(1) != self.macro:
                continue
            body = m.group(3)
            if body.count(self.old) != 1:
                return None
            start = m.start(3) + body.index(self.old)
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", start)
            line_end = len(text) if line_end < 0 else line_end
            line = text[line_start:start] + self.new + \
                text[start + len(self.old):line_end]
            return text[:line_start] + _wrap_macro_line(line) + \
                text[line_end:]
        return None


def _width(line: str) -> int:
    return len(line.expandtabs(8))


def _wrap_macro_line(line: str) -> str:
    """A continued #define line that grew past 80 columns, split after
    its last " + " that fits, the rest indented as the line was."""
    if _width(line) <= 80:
        return line
    indent = re.match(r"[ \t]*", line).group(0)
    cuts = [m.end() for m in re.finditer(r" \+ ", line)
            if _width(line[:m.end()] + "\\") <= 80]
    if not cuts:
        return line
    cut = cuts[-1]
    return line[:cut] + "\\\n" + indent + line[cut:]


def pad_fix(sources: dict[str, str], struct: str,
            member: str) -> PadFix | None:
    """The PadFix that keeps the size of struct when member is widened,
    or None when there is no such single, local fix (see the module's
    doc); the struct must also be neither uapi nor pinned."""
    found = [(path, s) for path, text in sources.items()
             for s in structs(text).get(struct, [])
             if any(name == member for _, name in s.members)]
    if len(found) != 1:
        return None
    _, s = found[0]
    own_type = _member_type(s, member)
    same_type = [name for _, name in s.members
                 if _member_type(s, name) == own_type]
    if same_type != [member]:
        return None
    sized = re.compile(r"sizeof\s*\(\s*" + re.escape(own_type) + r"\s*\)")
    pads = []
    for decl, name in s.members:
        for dim in re.findall(r"\[([^\]]*)\]", decl):
            pads.append(dim.strip())
    fixes = []
    for dim in pads:
        if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", dim):
            continue
        homes = [(path, m) for path, text in sources.items()
                 for m in _DEFINE.finditer(strip_comments(text))
                 if m.group(1) == dim]
        if len(homes) != 1:
            continue
        path, m = homes[0]
        olds = sized.findall(m.group(3))
        if len(olds) != 1:
            continue
        uses = sum(len(re.findall(rf"\b{dim}\b", strip_comments(text)))
                   for text in sources.values())
        if uses != 2:           # its #define and this member's dimension
            return None
        fixes.append(PadFix(path, dim, olds[0]))
    if len(fixes) != 1:
        return None
    fix = fixes[0]
    if ("/uapi/" in f"/{found[0][0]}" or _pinned(sources, struct)
            or fix.apply(sources[fix.path]) is None):
        return None
    return fix


def member_pad_fix(path: str, struct: str, member: str) -> PadFix | None:
    """pad_fix() for a struct declared in the file at path."""
    return pad_fix(neighbours(Path(path)), struct, member)


def packed(sources: dict[str, str], struct: str) -> bool:
    """Whether a definition of struct in sources is packed."""
    return any(s.packed for text in sources.values()
               for s in structs(text).get(struct, []))


def neighbours(path: Path) -> dict[str, str]:
    """The file and the .c/.h files of its directory, by name."""
    out = {}
    directory = path.parent
    for candidate in sorted({path, *directory.glob("*.h"),
                             *directory.glob("*.c")}):
        try:
            out[str(candidate)] = candidate.read_text(errors="replace")
        except OSError:
            continue
    return out


def member_refusal(path: str, struct: str, member: str) -> str | None:
    """refusal() for a struct declared in the file at path."""
    return refusal(neighbours(Path(path)), struct, member)
