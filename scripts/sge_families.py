"""Which sges rule 10 may judge as a family of their own.

Rule 10 judges sges by family: all or nothing for every sge of one name
(`sge` in `c->sge[0]`, `r->sge`, a local `struct ib_sge *sge`).  A name
is too coarse where two structs name their sges alike and one of them is
walked by a pointer (ksmbd: the send message's `sge[]` is filled through
a local `struct ib_sge *sge` from a mapped scatterlist; the receive
message's plain `sge` member is mapped, synced and unmapped whole).

A plain `struct ib_sge F;` member of struct T is a family of its own,
(T, F), when no pointer can reach it and spatch can say which accesses
are its:

- its address is taken only to post it (`W.sg_list = &X->F`): the
  hardware reads it, no code writes through it;
- no address of a member named F is taken where spatch could not type
  the struct (that could be T's);
- every access whose text names it (`recvmsg->sge`) was typed T by
  spatch, everywhere that text occurs.

Then what code does through an untyped sge of the same name, or to an
array member of another struct, says nothing about it.  The rule collects
the facts; this module decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# a position as the rule keys it: (file, line, column)
Key = tuple[str, int, int]
Family = tuple[str, str]        # (struct, member)


@dataclass
class Facts:
    # (struct, member) of every plain struct ib_sge member declared
    members: set[Family] = field(default_factory=set)
    # access position -> (struct, member) where spatch typed the struct
    typed: dict[Key, Family] = field(default_factory=dict)
    # access position -> (access text without blanks, member)
    accesses: dict[Key, tuple[str, str]] = field(default_factory=dict)
    # position of an address taken of an access -> member
    addresses: dict[Key, str] = field(default_factory=dict)
    # positions of those addresses that are assigned to an sg_list
    posted: set[Key] = field(default_factory=set)


def own_families(facts: Facts) -> dict[str, Family]:
    """Access text -> the family it names, for the texts whose sge is a
    family of its own (see the module's docstring)."""
    types: dict[str, set[Family | None]] = {}
    for k, (text, member) in facts.accesses.items():
        fam = facts.typed.get(k)
        if fam is not None and fam not in facts.members:
            fam = None
        types.setdefault(text, set()).add(fam)
    aliased: set[Family] = set()
    untyped_address: set[str] = set()
    for k, member in facts.addresses.items():
        if k in facts.posted:
            continue
        fam = facts.typed.get(k)
        if fam is None:
            untyped_address.add(member)
        else:
            aliased.add(fam)
    own = {}
    for text, fams in types.items():
        if len(fams) != 1 or None in fams:
            continue
        [fam] = fams
        if fam in aliased or fam[1] in untyped_address:
            continue
        own[text] = fam
    return own
