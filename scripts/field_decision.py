"""Whether a DMA-address field converts to a struct ib_sge, and if not why.

Rule 30 converts a u64/dma_addr_t struct member all or nothing: every
use of the name in the ULP's files must be one it rewrites, or the field
stays as it is.  The rule collects the facts (declarations, the struct of
each use where spatch can type it, the maps it recognised, the uses it
can rewrite, the layout and sync checks of struct_layout and sge_sync);
this module says, per field, why it stays.  A field that is not in the
answer converts.

One name declared in several structs (isert's iser_rx_desc.dma_addr and
iser_tx_desc.dma_addr) is one field when nothing ties a reason to one of
the structs.  When a reason does (a sync before the map of the send
descriptor only), the members are judged one struct at a time: the
others still convert, provided spatch typed every use of the name and no
access text is shared between a member that stays and one that converts
(the rewrites match access texts, not types).  decide() gives both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Key = tuple  # a position: (file, line, column)


@dataclass
class Facts:
    decls: dict[str, int] = field(default_factory=dict)
    """field -> u64/dma_addr_t member declarations of that name"""
    members: dict[str, int] = field(default_factory=dict)
    """field -> member declarations of any type"""
    decl_struct: dict[str, set[str]] = field(default_factory=dict)
    """field -> the structs that declare it u64/dma_addr_t"""
    uses: dict[str, list[Key]] = field(default_factory=dict)
    typed: dict[Key, str | None] = field(default_factory=dict)
    """use -> the struct spatch gives the accessed object, if it can"""
    maps_all: dict[str, set[Key]] = field(default_factory=dict)
    maps_ok: dict[str, set[Key]] = field(default_factory=dict)
    """field -> its maps with the full shape (check, pd, lkey)"""
    ok_pos: set[Key] = field(default_factory=set)
    """uses the rule can rewrite"""
    layout: dict[str, str] = field(default_factory=dict)
    """field -> why its struct must keep its layout"""
    sync_block: dict[str, str] = field(default_factory=dict)
    """field -> why one of its syncs cannot convert"""
    struct_block: dict[tuple[str, str], str] = field(default_factory=dict)
    """(field, struct) -> why the member of that struct must stay, for
    a reason tied to that struct (its layout, a sync typed to it)"""
    texts: dict[Key, str] = field(default_factory=dict)
    """use -> its access text, without blanks (rx_desc->dma_addr)"""


@dataclass
class Decision:
    fields: dict[str, str] = field(default_factory=dict)
    """field -> why every member of that name stays"""
    members: dict[tuple[str, str], str] = field(default_factory=dict)
    """(field, struct) -> why that member stays while the name converts
    in the other structs"""
    kept_texts: set[str] = field(default_factory=set)
    """access texts of the uses of the members that stay"""


def ours(facts: Facts, name: str, use: Key) -> bool:
    """A use of the member name of a struct that declares it a DMA
    address; one through a pointer to another struct type is another
    member of the same name (rtrs's srv_path->dma_addr array)."""
    struct = facts.typed.get(use)
    return struct is None or struct in facts.decl_struct.get(name, ())


def _why(facts: Facts, name: str, ok_maps: set[Key], extra_pos: set[Key],
         struct: str | None = None) -> str | None:
    """Why the field stays, or None; for one struct's member when struct
    is given (its uses and maps are those spatch typed to it)."""
    def mine(k: Key) -> bool:
        return struct is None or facts.typed.get(k) == struct

    unknown = [k for k in facts.uses.get(name, [])
               if k not in facts.ok_pos and k not in extra_pos and
               ours(facts, name, k) and mine(k)]
    maps_all = {k for k in facts.maps_all.get(name, set()) if mine(k)}
    ok_maps = {k for k in ok_maps if mine(k)}
    decls = facts.decls.get(name, 0)
    structs = facts.decl_struct.get(name, set())
    if decls < 1 or facts.members.get(name, 0) < 1:
        return "not a struct member here"
    if name in facts.layout:
        return facts.layout[name]
    if name in facts.sync_block:
        return facts.sync_block[name]
    if struct is not None:
        if (name, struct) in facts.struct_block:
            return facts.struct_block[(name, struct)]
        if not any(mine(k) for k in facts.uses.get(name, [])):
            return f"no use of it in struct {struct}"
    else:
        tied = sorted(why for (f, _), why in facts.struct_block.items()
                      if f == name)
        if tied:
            return tied[0]
        if decls != len(structs) or (decls > 1 and not (
                structs <= {facts.typed.get(k)
                            for k in facts.uses.get(name, [])})):
            # one name in several structs is one family only when spatch
            # places a use of it in each of them
            return f"declared in {sorted(structs)}, not every one used"
    if not maps_all or maps_all != ok_maps:
        return f"maps without the full shape: {sorted(maps_all - ok_maps)}"
    if unknown:
        return f"uses not followed: {sorted(unknown)}"
    return None


def _separable(facts: Facts, name: str) -> bool:
    """The members of name can be judged one struct at a time: it is
    declared once per struct and spatch typed every use of it."""
    structs = facts.decl_struct.get(name, set())
    return (len(structs) > 1 and facts.decls.get(name, 0) == len(structs)
            and not facts.layout.get(name) and
            not facts.sync_block.get(name) and
            all(facts.typed.get(k) is not None and k in facts.texts
                for k in facts.uses.get(name, [])))


def decide(facts: Facts,
           extra_maps: dict[str, set[Key]] | None = None,
           extra_pos: set[Key] = frozenset()) -> Decision:
    """Which fields, and which members of a name, stay, and why.
    extra_maps/extra_pos: maps (and their checks) that count as
    recognised too (those of helpers that get the pd, pd_threading)."""
    extra_maps = extra_maps or {}
    out = Decision()
    for name in set(facts.decls) | set(facts.uses):
        ok_maps = facts.maps_ok.get(name, set()) | \
            extra_maps.get(name, set())
        why = _why(facts, name, ok_maps, extra_pos)
        if why is None:
            continue
        if not _separable(facts, name):
            out.fields[name] = why
            continue
        structs = sorted(facts.decl_struct[name])
        per = {t: _why(facts, name, ok_maps, extra_pos, t) for t in structs}
        stay = {t: w for t, w in per.items() if w is not None}
        texts = {t: {facts.texts[k] for k in facts.uses.get(name, [])
                     if facts.typed.get(k) == t} for t in structs}
        kept = set().union(*(texts[t] for t in stay))
        moved = set().union(*(texts[t] for t in structs if t not in stay))
        if len(stay) == len(structs):
            out.fields[name] = "; ".join(f"in struct {t}: {w}"
                                         for t, w in sorted(stay.items()))
        elif kept & moved:
            out.fields[name] = (f"{why}; the other structs share the access "
                                f"{sorted(kept & moved)[0]}")
        else:
            out.members.update({(name, t): w for t, w in stay.items()})
            out.kept_texts |= kept
    return out


def why_fields_stay(facts: Facts,
                    extra_maps: dict[str, set[Key]] | None = None,
                    extra_pos: set[Key] = frozenset()) -> dict[str, str]:
    """field -> why it stays, for every name no member of which
    converts (decide().fields)."""
    return decide(facts, extra_maps, extra_pos).fields
