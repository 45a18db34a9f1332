"""Which form a converted sync takes, and when a sync cannot convert.

A sync of a DMA handle that becomes a struct ib_sge takes one of two
forms: rdma_sync_sge_for_*() syncs the whole sge (its length: the mapped
length), rdma_sync_sge_range_for_*(…, 0, len, …) a range of it.  The
original code passes a length; the conversion keeps what it did only when
the length is shown to be one of:

- whole: the mapped length (the same constant at every map), a member the
  mapping function stores with the mapped length (rtrs's and srp's
  iu->size), or the length the buffer was mapped with as the code names
  it (the same member, srp's target->indirect_size, or what the callers
  of the mapping helper pass for its size, through helpers that pass it
  on: srp's ch->max_ti_iu_len, nvme-rdma's sizeof(struct
  nvme_completion)): the length can reach the mapped size, and syncing the
  whole sge covers what the original synced, also after a reconnect
  renegotiated the length;
- range: inside the mapping, because a receive completion reports it
  (wc->byte_len, or a member or local only ever assigned it: the device
  wrote at most the posted length), because the same function copies that
  many bytes at the mapped buffer (memcpy/memset into it) or posts an sge
  of that length at the mapped address (the device reads that many), or
  because it is the end of a region posted from it (srpt's offset +
  srp_max_req_size).

Lengths are compared as the code writes them, after two rewrites that
spatch's facts allow: a local assigned once in the function stands for
its value (nvme's "const size_t len = sizeof(...)"), and sizeof(*p) is
sizeof of p's type where spatch knows it.

Anything else leaves the field alone, with the reason: a range sync that
falls outside the sge would sync nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


def norm(text: str) -> str:
    """Text of an expression without spaces, sizeof written with
    parentheses (spatch prints `sizeof *p` as `sizeof*p`)."""
    text = re.sub(r"\s+", "", text)
    return re.sub(r"sizeof\*(\w+)", r"sizeof(*\1)", text)


def is_const(text: str) -> bool:
    """sizeof(...), numbers and UPPER_CASE macros only: a length that
    means the same in every function."""
    t = text
    while True:
        t2 = re.sub(r"sizeof\s*\((?:[^()]|\([^()]*\))*\)|"
                    r"sizeof\s+\*?[\w.>-]+", " 0 ", t)
        if t2 == t:
            break
        t = t2
    return all(tok[0].isdigit() or re.match(r"^[A-Z][A-Z0-9_]*$", tok)
               for tok in re.findall(r"[A-Za-z_]\w*|\d\w*", t))


def member(text: str) -> str | None:
    """The last member name of E->M / E.M, else None."""
    m = re.search(r"(?:->|\.)(\w+)$", norm(text))
    return m.group(1) if m else None


def base_of(access: str) -> str:
    """E of E->M / E.M."""
    return re.sub(r"(?:->|\.)\w+$", "", norm(access))


@dataclass(frozen=True)
class Map:
    """A map of the field: in function, of buffer (text), length (text),
    stored in base->field (base "" when unknown), of a struct (None when
    spatch did not type it)."""
    function: str
    buffer: str
    length: str
    base: str = ""
    struct: str | None = None


@dataclass(frozen=True)
class Sync:
    function: str
    access: str      # the field access synced: iu->dma
    length: str
    to_cpu: bool
    from_device: bool  # the mapping's direction is DMA_FROM_DEVICE
    struct: str | None = None


@dataclass
class Facts:
    """What the rule saw in the files processed together."""
    maps: dict[str, list[Map]] = field(default_factory=dict)
    # (function, parameter name) -> (caller, text) of what is passed
    args: dict[tuple[str, str], set[tuple[str, str]]] = field(
        default_factory=dict)
    # (function, parameter name) of the functions seen
    params: set[tuple[str, str]] = field(default_factory=set)
    # (function, "sizeof(*p)") -> "sizeof(struct T)" where spatch typed p
    sizeofs: dict[tuple[str, str], str] = field(default_factory=dict)
    # ends of regions posted at an offset: ".offset+len" relative to the
    # object the field belongs to
    posted_ends: set[str] = field(default_factory=set)
    # member name -> every (function, value, struct) stored into
    # E->member; struct is E's struct where spatch typed E, else None
    member_stores: dict[str, set[tuple[str, str, str | None]]] = field(
        default_factory=dict)
    # members also changed in place or whose address is taken
    member_bad: set[str] = field(default_factory=set)
    # members only ever assigned a receive completion's byte_len
    received: set[str] = field(default_factory=set)
    # (function, buffer text, length text): the CPU copies or sets that
    # many bytes at buffer there
    bounded: set[tuple[str, str, str]] = field(default_factory=set)
    # (function, local) -> the text assigned to it (tsk_mgmt = iu->buf)
    aliases: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    # (function, access text, length text): an sge filled from the field
    # with that length
    posted: set[tuple[str, str, str]] = field(default_factory=set)

    def add_map(self, f: str, m: Map) -> None:
        self.maps.setdefault(f, []).append(
            Map(m.function, norm(m.buffer), norm(m.length), norm(m.base),
                m.struct))

    def add_member_store(self, name: str, function: str, value: str,
                         struct: str | None = None) -> None:
        self.member_stores.setdefault(name, set()).add(
            (function, norm(value), struct))


def resolve(function: str, text: str, facts: Facts) -> str:
    """text as decide() compares it: a local assigned once in the
    function is its value, sizeof(*p) the sizeof of p's type."""
    text = norm(text)
    for _ in range(4):
        values = facts.aliases.get((function, text), set())
        if re.fullmatch(r"[A-Za-z_]\w*", text) and len(values) == 1:
            text = norm(next(iter(values)))
            continue
        break
    return re.sub(r"sizeof\(\*\w+\)",
                  lambda m: norm(facts.sizeofs.get((function, m.group(0)),
                                              m.group(0))), text)


def passed_sizes(function: str, param: str, facts: Facts,
                 depth: int = 3) -> set[str]:
    """What the callers of function pass for param, through callers that
    pass one of their own parameters on."""
    found = set()
    for caller, text in facts.args.get((function, param), set()):
        if depth > 0 and (caller, text) in facts.params:
            found |= passed_sizes(caller, text, facts, depth - 1)
        else:
            found.add(resolve(caller, text, facts))
    return found


def _length_members(maps: list[Map], facts: Facts) -> set[str]:
    """Members every store of which is the mapped length, in a function
    that maps the field with it (iu->size = size next to map(..., size)).
    A store into a member of the same name of another struct does not
    count when spatch typed both (srp's pool->size = pool_size)."""
    mapped = {(m.function, m.length) for m in maps}
    structs = {m.struct for m in maps}

    def same_struct(struct: str | None) -> bool:
        return struct is None or None in structs or struct in structs

    found = set()
    for name, stores in facts.member_stores.items():
        values = {(fn, v) for fn, v, struct in stores if same_struct(struct)}
        if values and name not in facts.member_bad and values <= mapped:
            found.add(name)
    return found


def _buffers(maps: list[Map], base: str, function: str, facts: Facts
             ) -> set[str]:
    """The texts that name the mapped buffer of base's field in function:
    base->G for each buffer member G the field is mapped from, and the
    locals assigned from it."""
    names = set()
    for m in maps:
        g = member(m.buffer)
        if g is not None:
            names.add(f"{base}->{g}")
            names.add(f"{base}.{g}")
    for (fn, local), values in facts.aliases.items():
        if fn == function and values & names:
            names.add(local)
    return names


def _maps_of(f: str, struct: str | None, facts: Facts) -> list[Map]:
    """The maps of field f; of one struct where spatch typed both."""
    return [m for m in facts.maps.get(f, [])
            if struct is None or m.struct is None or m.struct == struct]


def _exactly_mapped(maps: list[Map], access: str, length: str,
                    facts: Facts) -> str | None:
    """Why length (resolved) is exactly what every map maps, or None:
    the same constant, or a length member of the same object that only
    ever holds the mapped length."""
    lengths = {resolve(m.function, m.length, facts) for m in maps}
    if lengths == {length} and is_const(length):
        return "the mapped length"
    name = member(length)
    if name is not None and base_of(length) == base_of(access) and \
            name in _length_members(maps, facts):
        return f"{name} holds the mapped length"
    return None


def decide(f: str, sync: Sync, facts: Facts) -> tuple[str, str]:
    """("whole" | "range" | "leave", why) for a sync of field f.  One
    name in several structs: the maps of the synced struct, where spatch
    typed both."""
    maps = _maps_of(f, sync.struct, facts)
    length = resolve(sync.function, sync.length, facts)
    base = base_of(sync.access)
    if not maps:
        return "leave", f"{f} is never mapped here"
    exact = _exactly_mapped(maps, sync.access, length, facts)
    if exact is not None:
        return "whole", exact
    name = member(length)
    if name is not None and any(member(m.length) == name for m in maps):
        return "whole", f"the length the buffer is mapped with ({name})"
    for m in maps:
        if length in passed_sizes(m.function, m.length, facts):
            return "whole", f"the size callers of {m.function}() map"
    if sync.from_device and (
            re.fullmatch(r"\w+->byte_len", length) or
            (name is not None and name in facts.received)):
        return "range", "a receive completion's byte count"
    relative = length[len(base):] if length.startswith(base) else None
    if relative is not None and relative in facts.posted_ends:
        return "range", "the end of a region posted from it"
    buffers = _buffers(maps, base, sync.function, facts)
    if any(fn == sync.function and b in buffers and
           resolve(fn, n, facts) == length for fn, b, n in facts.bounded):
        return "range", "the function copies that many bytes at the buffer"
    if any(fn == sync.function and a == norm(sync.access) and
           resolve(fn, n, facts) == length for fn, a, n in facts.posted):
        return "range", "an sge of that length is posted from it"
    return "leave", (f"synced with {sync.length} in {sync.function}(): "
                     "not shown to be the mapped length or inside it")



def whole_length(f: str, function: str, access: str, length: str,
                 facts: Facts, struct: str | None = None) -> bool:
    """Whether length, where function fills an sge from field f (at
    access), is exactly the mapped length, so that the copy of the
    mapped sge needs no trim (srp's list.length = iu->size, where
    iu->size only ever holds the size srp_alloc_iu() maps).

    Stricter than a whole sync: a sync of the whole sge may cover more
    than the length written, a fill may not.  So every map of the field
    must map that length: the same constant, or a length member of the
    same object that only ever holds the mapped length.  (What the
    callers of a mapping helper pass is not enough: a call the rule did
    not see, through a pointer, would post a wrong length.)"""
    maps = _maps_of(f, struct, facts)
    return bool(maps) and _exactly_mapped(
        maps, access, resolve(function, length, facts), facts) is not None
