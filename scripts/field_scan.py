"""The facts rule 30 (cocci/convert/30-dma-field-to-sge.cocci) collects
about the fields that hold a DMA handle, and the functions its rules
read them with.

The rule's SmPL matches and rewrites; its script blocks record what they
match in the tables below (one set per spatch run over a group of files:
reset() empties them) and ask the decision modules (field_decision,
pd_threading, sge_sync, sge_names, fill_order, struct_layout) what
converts.  finish() runs once the scan is complete, before the first
rewrite.  The rule imports everything here into its own namespace, so a
table is the same object on both sides: the rule and these functions
only ever change a table in place, never rebind its name.
"""
import os
import re
import sys

import sge_sync
import sge_names
import pd_threading
import field_decision

decls = {}      # field -> number of u64/dma_addr_t member declarations
decl_struct = {}  # field -> the structs that declare it u64/dma_addr_t
typed = {}      # use position -> struct type of the accessed object
store_struct = {}  # member store position -> struct of the object
members = {}    # field -> number of member declarations of any type
maplens = {}    # field -> set of mapped length texts
maps_all = {}   # field -> positions of maps
map_bufs = {}   # field -> the buffers its maps map (sge_names)
pad_fixes = {}  # field -> (struct, the struct_layout.PadFix that keeps its size)
maps_ok = {}    # field -> positions of maps with the full shape
ok_pos = set()  # positions of recognised uses
uses = {}       # field -> list of positions of every use
blocked = set()
whole_fill = set()
fill_ok = set()  # positions of recognised sge fills
fill_now = set() # the same, in the file as the next rewrite sees it
lptr_keep = set() # (function, local) still used after the rewrite
devf = {}       # struct -> names of its struct ib_device * members
pdf = {}        # struct -> names of its struct ib_pd * members
memtype = {}    # (struct, member) -> struct its pointer member points to
dev_assigned = set()  # (function, local) assigned with =
nested_pd = {}  # (function, device local) -> pd text, nested devices
lkc = set()     # (struct, member) assigned pd->local_dma_lkey
lkc_bad = set() # (struct, member) also assigned something else
layout = {}     # field -> why a struct declaring it must keep its layout
sync_facts = sge_sync.Facts()  # what decides the form of each sync
sync_recs = []  # (field, sge_sync.Sync) of every sync of a field
sync_form = {}  # (function, access, length, to_cpu) -> "whole" | "range"
sync_block = {} # field -> why one of its syncs cannot convert
struct_block = {}  # (field, struct) -> why the member of that struct stays
use_text = {}   # use position -> its access text, without blanks
kept_members = {}  # (field, struct) -> why it stays, the name converting
kept_texts = set()  # access texts of the uses of kept_members
map_fns = set() # functions that map a field
param_name = {} # (function, index) -> parameter name
recv_cand = set()  # members assigned the byte_len of a receive completion
pass_fns = set()   # functions passing a parameter on to one that maps
struct_members = {}  # struct -> names of its members
renamed = {}       # field -> its new name (sge_names)
map_fields = {}    # function -> (field, struct or None) it maps
sync_fields = {}   # function -> (field, struct or None) it syncs

def pd_member(t):
    p = pdf.get(t, [])
    return p[0] if len(p) == 1 else None

def dev_member(t, f):
    return pd_member(t) is not None and f in devf.get(t, ())

def dev_nested(t, s, f):
    # E->S->F is the device of struct T *E: T holds one pd and S points
    # to a struct with the device member F
    return pd_member(t) is not None and f in devf.get(memtype.get((t, s)), ())

def cached_lkey(t, m):
    return (t, m) in lkc and (t, m) not in lkc_bad

def norm(s):
    return re.sub(r'\s+', '', s)

def tidy(s):
    # a -> b as printed, to the kernel style a->b
    return re.sub(r'\s*(->|\.)\s*', r'\1', s)

def key(p):
    # the end of the field access (where E->F and A positions agree)
    return (p[0].file, p[0].line_end, p[0].column_end)

def field_of(a):
    m = re.search(r'(?:->|\.)\s*(\w+)\s*$', a)
    return m.group(1) if m else None

why_blocked = {}  # field -> why it stays (RDMA_SGE_COCCI_DEBUG=1 prints it)

def field_facts():
    return field_decision.Facts(
        decls=decls, members=members, decl_struct=decl_struct, uses=uses,
        typed=typed, maps_all=maps_all, maps_ok=maps_ok, ok_pos=ok_pos,
        layout=layout, sync_block=sync_block, struct_block=struct_block,
        texts=use_text)

def compute_blocked(extra_maps=None, extra_pos=()):
    # the decision is field_decision.decide(); the rule has the facts
    d = field_decision.decide(field_facts(), extra_maps, set(extra_pos))
    blocked.clear()
    why_blocked.clear()
    why_blocked.update(d.fields)
    blocked.update(d.fields)
    kept_members.clear()
    kept_members.update(d.members)
    kept_texts.clear()
    kept_texts.update(d.kept_texts)

# pd threading: a helper that maps with its struct ib_device * parameter
# gets a struct ib_pd *pd parameter in its place when every caller can
# name the pd.
devparam = {}   # function -> (index, name) of its struct ib_device * param
fn_defs = {}    # function -> number of definitions seen
fn_bad = set()  # functions that must keep their signature
pmaps = {}      # function -> [(field, map key, check key)]
calls = []      # (caller, callee, argument text, pd text or None)
threaded = set()
fn_refs = {}    # function -> references as an expression
fn_calls = {}   # function -> calls
lenuse = {}     # length member -> positions where it sizes an unmap
lenfld = {}     # length member -> fields whose unmaps it sizes
lenall = {}     # length member -> positions of every use
lenstore = {}   # length member -> positions of plain stores to it
lenbad = set()  # length members stored with a side effect
not_read = set()  # positions of writes, address-of, sizeof, dma_* arguments
reads = set()   # positions of plain reads of a field that converts
dead_len = set()  # length members with no reader left
tmp_maps = []   # (function, local, field, map key, store key, keys of the local)
tmp_uses = {}   # (function, local) -> positions of every use of the local
tmp_ok = set()  # map keys of converted maps into a local
tmp_dead = set()  # locals whose maps were converted
fn_local = set()  # static, or declared in a header processed with it
local_stores = {}  # (function, local) -> position of its initializer
pd_callers = set()  # functions whose helper calls now pass a pd
dl_uses = {}  # (function, device local) -> positions of its uses
dl_stores = {}  # (function, device local) -> positions of its plain stores
fn_params = set()  # (function, parameter name)
proto_pos = set()  # prototype parameters to change
filled_fns = set()  # functions where an sge fill was rewritten
# ULP getters of the ULP device of cm_id->device -> its pd member
dev_getters = {"isert_device_get": "pd"}

def solve_threading():
    # the decision is pd_threading.solve(); the rule has the facts
    def blocked_with(t):
        extra_maps, extra_pos = {}, set()
        for fn in t:
            for f, k1, k2 in pmaps.get(fn, []):
                extra_maps.setdefault(f, set()).add(k1)
                extra_pos.update((k1, k2))
        compute_blocked(extra_maps, extra_pos)
        # a helper that only maps a member that stays (struct.field)
        # does not get the pd
        return set(blocked) | {t + "." + f for f, t in kept_members} | \
            {t + "." + f for f in blocked for t in decl_struct.get(f, ())}

    def mapped(f, k):
        t = typed.get(k)
        return t + "." + f if t in decl_struct.get(f, ()) else f

    facts = pd_threading.Facts(
        devparam=devparam, defs=fn_defs, bad=fn_bad, local=fn_local,
        call_count=fn_calls, refs=fn_refs,
        maps={fn: [mapped(f, k1) for f, k1, _ in v]
              for fn, v in pmaps.items()},
        calls=[pd_threading.Call(*c) for c in calls])
    threaded.clear()
    threaded.update(pd_threading.solve(facts, blocked_with))

def call_pd(g, fn, x):
    x = norm(x)
    if g in threaded and x == "pd->device":
        x = devparam[g][1]
    for c in calls:
        if c[0] == g and c[1] == fn and c[2] == x:
            return c[3] if c[3] is not None else "pd"
    return None

def conv(a):
    f = field_of(a)
    return (f is not None and f in decls and f not in blocked and
            norm(a) not in kept_texts)

def kept_name(f):
    # a member of that name stays in some struct
    return any(k[0] == f for k in kept_members)

is_const = sge_sync.is_const

def whole(a, ln):
    # the posted or synced length is the mapped one when every map of the
    # field maps that same constant length
    return maplens.get(field_of(a), set()) == {norm(ln)} and is_const(ln)

def fill_is_whole(a, ln, pa):
    # a fill whose length is shown to be the mapped one, as for syncs
    return sge_sync.whole_length(field_of(a), pa[0].current_element, a, ln,
                                 sync_facts, typed.get(key(pa)))

def converts_in(t, f):
    # member f of struct t is a field that converts
    return (conv(". " + f) and t in decl_struct.get(f, ()) and
            (f, t) not in kept_members)

def conv_struct(t):
    # t declares a field that converts: the only structs worth matching
    return any(converts_in(t, f) for f in decls)

def add_map(a, b, l, p, base=None, f=None):
    # a map of field f (of the access a) into base->f, for sge_sync
    f = f or field_of(a)
    fn = p[0].current_element
    map_bufs.setdefault(f, set()).add(str(b))
    map_fns.add(fn)
    map_fields.setdefault(fn, set()).add((f, typed.get(key(p))))
    if base is None:
        base = sge_sync.base_of(a)
    sync_facts.add_map(f, sge_sync.Map(fn, b, l, base, typed.get(key(p))))

def sync_key(fn, a, l, to_cpu):
    return (fn, sge_sync.norm(a), sge_sync.norm(l), to_cpu)

def sync_is(fn, a, l, to_cpu, form):
    return sync_form.get(sync_key(fn, a, l, to_cpu)) == form


def reset() -> None:
    """Empty every table: a new group of files."""
    sync_facts.__init__()
    del sync_recs[:]
    for d in (sync_form, sync_block, param_name, struct_block, use_text,
              kept_members):
        d.clear()
    map_fns.clear()
    recv_cand.clear()
    pass_fns.clear()
    map_fields.clear()
    sync_fields.clear()
    struct_members.clear()
    renamed.clear()
    map_bufs.clear()
    store_struct.clear()
    why_blocked.clear()
    for d in (decls, decl_struct, typed, members, layout, pad_fixes, maplens, memtype,
              maps_all, maps_ok,
              uses, devf, pdf,
              devparam, fn_defs, pmaps, fn_refs, fn_calls,
              lenuse, lenfld, lenall, lenstore, tmp_uses, nested_pd,
              local_stores, dl_uses, dl_stores):
        d.clear()
    for s in (ok_pos, blocked, whole_fill, fill_ok, fill_now, lkc, lkc_bad,
              lptr_keep, fn_bad, threaded, fn_local, proto_pos, filled_fns,
              lenbad, dead_len, tmp_ok, tmp_dead, dev_assigned, not_read,
              reads, fn_params, pd_callers):
        s.clear()
    del calls[:]
    del tmp_maps[:]
    kept_texts.clear()


def finish() -> None:
    """The decisions that need the whole scan: which maps into a local
    convert, the reads of converted fields, pd threading, length members
    left with no reader, the new names, the pad fixes (written to stderr
    for the driver) and, with RDMA_SGE_COCCI_DEBUG=1, why a field stays."""
    for fn, v, f, k0, k2, own in tmp_maps:
        maps_all.setdefault(f, set()).add(k2)
        ok_pos.add(k2)
    mine = {}
    for fn, v, f, k0, k2, own in tmp_maps:
        mine.setdefault((fn, v), set()).update(own)
    for fn, v, f, k0, k2, own in tmp_maps:
        if tmp_uses.get((fn, v), set()) <= mine[(fn, v)]:
            maps_ok.setdefault(f, set()).add(k2)
    for f, ks in uses.items():
        for k in ks:
            if (k not in ok_pos and k not in not_read and
                    typed.get(k) in decl_struct.get(f, ()) and
                    (f, typed.get(k)) not in kept_members):
                reads.add(k)
    ok_pos.update(reads)
    solve_threading()
    for fn, v, f, k0, k2, own in tmp_maps:
        if f not in blocked and (f, typed.get(k2)) not in kept_members:
            tmp_ok.add(k0)
            tmp_dead.add(v)
            filled_fns.add(fn)
    for m in lenuse:
        if (m not in lenbad and members.get(m, 0) == 1 and
                all(f in decls and f not in blocked and not kept_name(f)
                    for f in lenfld[m]) and
                lenall.get(m, set()) <= lenuse[m] | lenstore.get(m, set())):
            dead_len.add(m)
    # a converted field is renamed to say it holds an sge, where spatch
    # types every use of the name (a use it cannot type may be of the field)
    for f in decls:
        if f in blocked:
            continue
        taken = set()
        for t in decl_struct.get(f, ()):
            taken |= struct_members.get(t, set())
        name = sge_names.new_name(f, taken, map_bufs.get(f, set()))
        if name is None:
            continue
        if all(typed.get(k) is not None for k in uses.get(f, [])):
            renamed[f] = name
        elif os.environ.get("RDMA_SGE_COCCI_DEBUG"):
            sys.stderr.write("rule 30: %s keeps its name: spatch cannot type "
                             "every use of it\n" % f)
    # the pad of the struct of a converted field now counts an sge
    for f in sorted(pad_fixes):
        if f not in blocked:
            for t, fix in sorted(pad_fixes[f], key=lambda x: x[1].encode()):
                if (f, t) in kept_members:
                    continue
                sys.stderr.write("rule 30: pad fix %s\n" % fix.encode())
    if os.environ.get("RDMA_SGE_COCCI_DEBUG"):
        for f in sorted(renamed):
            sys.stderr.write("rule 30: %s renamed %s\n" % (f, renamed[f]))
    if os.environ.get("RDMA_SGE_COCCI_DEBUG"):
        # the fields that hold a DMA handle, not every u64 member
        for f in sorted(why_blocked):
            if maps_all.get(f) or f in layout or f in sync_block or \
                    any(k[0] == f for k in struct_block):
                sys.stderr.write("rule 30: %s stays: %s\n" % (f, why_blocked[f]))
        for f, t in sorted(kept_members):
            sys.stderr.write("rule 30: %s.%s stays: %s\n"
                             % (t, f, kept_members[(f, t)]))

