"""Whether a DMA-address field converts to a struct ib_sge, and if not why.

Rule 30 converts a u64/dma_addr_t struct member all or nothing: every
use of the name in the ULP's files must be one it rewrites, or the field
stays as it is.  The rule collects the facts (declarations, the struct of
each use where spatch can type it, the maps it recognised, the uses it
can rewrite, the layout and sync checks of struct_layout and sge_sync);
this module says, per field, why it stays.  A field that is not in the
answer converts.
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


def ours(facts: Facts, name: str, use: Key) -> bool:
    """A use of the member name of a struct that declares it a DMA
    address; one through a pointer to another struct type is another
    member of the same name (rtrs's srv_path->dma_addr array)."""
    struct = facts.typed.get(use)
    return struct is None or struct in facts.decl_struct.get(name, ())


def why_fields_stay(facts: Facts,
                    extra_maps: dict[str, set[Key]] | None = None,
                    extra_pos: set[Key] = frozenset()) -> dict[str, str]:
    """field -> why it stays, for every field that does not convert.
    extra_maps/extra_pos: maps (and their checks) that count as
    recognised too (those of helpers that get the pd, pd_threading)."""
    extra_maps = extra_maps or {}
    why = {}
    for name in set(facts.decls) | set(facts.uses):
        ok_maps = facts.maps_ok.get(name, set()) | \
            extra_maps.get(name, set())
        unknown = [k for k in facts.uses.get(name, [])
                   if k not in facts.ok_pos and k not in extra_pos and
                   ours(facts, name, k)]
        decls = facts.decls.get(name, 0)
        structs = facts.decl_struct.get(name, set())
        if decls < 1 or facts.members.get(name, 0) < 1:
            why[name] = "not a struct member here"
        elif name in facts.layout:
            why[name] = facts.layout[name]
        elif name in facts.sync_block:
            why[name] = facts.sync_block[name]
        elif decls != len(structs) or (decls > 1 and not (
                structs <= {facts.typed.get(k)
                            for k in facts.uses.get(name, [])})):
            # one name in several structs is one family only when spatch
            # places a use of it in each of them
            why[name] = f"declared in {sorted(structs)}, not every one used"
        elif not facts.maps_all.get(name) or \
                facts.maps_all.get(name) != ok_maps:
            why[name] = "maps without the full shape: " \
                f"{sorted(facts.maps_all.get(name, set()) - ok_maps)}"
        elif unknown:
            why[name] = f"uses not followed: {sorted(unknown)}"
    return why
