// SPDX-License-Identifier: GPL-2.0-only
/// Convert buffers that a ULP already describes with a struct ib_sge from
/// ib_dma_map_single()/ib_dma_map_page() + ib_dma_mapping_error() + a
/// hand-filled sge (addr, length, lkey = pd->local_dma_lkey) to
/// rdma_map_sge_single()/rdma_map_sge_page(), and the unmaps and syncs of
/// those sges to rdma_unmap_sge()/rdma_sync_sge_*().
///
/// A family is the sge field name (c->sge[0], r->send_sge, sge->...), or,
/// for an sge that is a plain member of a struct (struct ib_sge F;, not an
/// array) whose address is taken only to post it (W.sg_list = &X->F) and
/// whose every access spatch types, that struct's member (ksmbd's
/// smb_direct_recvmsg.sge next to the sendmsg's sge[] that a local
/// struct ib_sge *sge walks): no pointer can reach such a member, so what
/// the code does through an untyped sge of the same name says nothing of
/// it (scripts/sge_families.py decides).  A family is converted in a file
/// only when the builders provably produce every sge of it that is
/// unmapped or synced: every map into it there has the full
/// shape map, error check, lkey from a pd; nothing else stores its addr or
/// length (no sge filled from another mapping, no length trimmed after the
/// map; a store of the mapped length and a reset to 0 are allowed); every
/// unmap of it uses its own length or the mapped length, and every sync
/// covers the whole sge.  Otherwise the file is left alone for that family
/// (the audit reports it, and says where the original code itself unmaps
/// or syncs a different size than it mapped).
//
// Confidence: High
// Options: --no-includes --include-headers

virtual patch
virtual context
virtual org
virtual report

@initialize:python@
@@
import os
import re
import sys

# the toolkit's decision module (scripts/): the driver puts it on
# PYTHONPATH; by hand: PYTHONPATH=<toolkit>/scripts make coccicheck ...
import sge_families

# family -> set of (sge text, mapped length text) of convertible maps
cands = {}
# families with a use the rules cannot follow
blocked = set()
# positions (file, line, col) of maps that have the full shape
good_maps = set()
all_maps = []
# stores into a family's addr or length that are part of a recognised map
shape_stores = set()
# family -> why it stays (RDMA_SGE_COCCI_DEBUG=1 prints it)
why = {}
# members assigned only the byte count of a receive completion
recv_len = set()
recv_len_bad = set()
# positions of syncs for the CPU of a received byte count: inside the
# posted (whole) receive sge, by the verbs contract
recv_syncs = set()
# maps into a local later stored in an sge: (function, local, family, keys)
tmp_maps = []
tmp_uses = {}   # (function, local) -> positions of every use of the local
tmp_ok = set()  # map positions of those that convert
tmp_dead = set()  # locals whose maps convert
# typed families: plain struct ib_sge members that no pointer reaches;
# the decision is sge_families.own_families(), the rule has the facts
fam_facts = sge_families.Facts()
member_names = set()  # names of the plain struct ib_sge members
own_texts = {}        # access text -> its own family (struct, member)
typed_cands = set()   # typed families with a map of the full shape
typed_blocked = {}    # typed family -> why it stays

def fam_of(e):
    m = re.search(r'(\w+)\s*(\[[^\]]*\])?\s*$', e)
    return m.group(1) if m else None

def norm(s):
    return re.sub(r'\s+', '', s)

def pos_key(p):
    return (p[0].file, p[0].line, p[0].column)

def typed_family(e):
    """(struct, member) when the sge e names is a family of its own"""
    return own_texts.get(norm(e))

def block(f, reason, e=None):
    tf = typed_family(e) if e is not None else None
    if tf is not None:
        typed_blocked.setdefault(tf, reason)
    elif f is not None:
        blocked.add(f)
        why.setdefault(f, reason)

def zero(v):
    return norm(v) in ("0", "0UL", "0ULL", "0u")

def family_ok(e):
    tf = typed_family(e)
    if tf is not None:
        return tf in typed_cands and tf not in typed_blocked
    f = fam_of(e)
    return f is not None and f in cands and f not in blocked

def add_cand(e, l):
    cands.setdefault(fam_of(e), set()).add((norm(e), norm(l)))
    tf = typed_family(e)
    if tf is not None:
        typed_cands.add(tf)

def whole_len(x, arrow, ln):
    """ln describes the whole mapping of sge x"""
    f = fam_of(x)
    own = norm(x) + ('->length' if arrow else '.length')
    if norm(ln) == own:
        return True
    return (norm(x), norm(ln)) in cands.get(f, set())

@script:python reset depends on patch@
@@
cands.clear()
blocked.clear()
why.clear()
shape_stores.clear()
recv_len.clear()
recv_len_bad.clear()
recv_syncs.clear()
good_maps.clear()
del all_maps[:]
del tmp_maps[:]
tmp_uses.clear()
tmp_ok.clear()
tmp_dead.clear()
fam_facts.__init__()
for x in (own_texts, typed_blocked, member_names, typed_cands):
    x.clear()

// ---- 0. typed families: plain sge members, where spatch types them ----

@sgemember depends on patch@
identifier T, F;
@@
struct T { ...
 struct ib_sge F;
 ... };

@script:python depends on sgemember@
t << sgemember.T;
f << sgemember.F;
@@
fam_facts.members.add((t, f))
member_names.add(f)

@sgetyped depends on patch disable ptr_to_array@
identifier T;
identifier F : script:python () { (F in member_names) };
struct T *X;
position p;
@@
X->F@p

@script:python depends on sgetyped@
t << sgetyped.T;
f << sgetyped.F;
p << sgetyped.p;
@@
fam_facts.typed[pos_key(p)] = (t, f)

@sgetyped_dot depends on patch disable ptr_to_array@
identifier T;
identifier F : script:python () { (F in member_names) };
struct T X;
position p;
@@
X.F@p

@script:python depends on sgetyped_dot@
t << sgetyped_dot.T;
f << sgetyped_dot.F;
p << sgetyped_dot.p;
@@
fam_facts.typed[pos_key(p)] = (t, f)

// every access of such a name, typed or not (one rule per form)
@sgeacc depends on patch disable ptr_to_array@
expression X;
identifier F : script:python () { (F in member_names) };
position p;
@@
X->F@p

@script:python depends on sgeacc@
x << sgeacc.X;
f << sgeacc.F;
p << sgeacc.p;
@@
fam_facts.accesses[pos_key(p)] = (norm(x + "->" + f), f)

@sgeacc_dot depends on patch disable ptr_to_array@
expression X;
identifier F : script:python () { (F in member_names) };
position p;
@@
X.F@p

@script:python depends on sgeacc_dot@
x << sgeacc_dot.X;
f << sgeacc_dot.F;
p << sgeacc_dot.p;
@@
fam_facts.accesses[pos_key(p)] = (norm(x + "." + f), f)

// its address: posting it is no alias, anything else is
@sgeaddr depends on patch disable ptr_to_array@
expression X;
identifier F : script:python () { (F in member_names) };
position p;
@@
\(&X->F@p\|&X.F@p\)

@script:python depends on sgeaddr@
f << sgeaddr.F;
p << sgeaddr.p;
@@
fam_facts.addresses[pos_key(p)] = f

@sgepost depends on patch disable ptr_to_array@
expression W, X;
identifier F : script:python () { (F in member_names) };
position p;
@@
(
 W.sg_list = &X->F@p
|
 W->sg_list = &X->F@p
|
 W.sg_list = &X.F@p
|
 W->sg_list = &X.F@p
)

@script:python depends on sgepost@
p << sgepost.p;
@@
fam_facts.posted.add(pos_key(p))

@script:python depends on patch@
@@
own_texts.clear()
own_texts.update(sge_families.own_families(fam_facts))

// ---- 1. find maps with the full shape (no change yet) ----

@cand depends on patch disable ptr_to_array, unlikely@
expression D, B, L, DIR, PD, RET, OFF, E;
statement S;
position p;
@@
(
 E.addr@p = ib_dma_map_single(D, B, L, DIR);
|
 E.addr@p = ib_dma_map_page(D, B, OFF, L, DIR);
)
(
 if (unlikely(ib_dma_mapping_error(D, E.addr))) S
|
 if (ib_dma_mapping_error(D, E.addr)) S
|
 RET = ib_dma_mapping_error(D, E.addr);
)
 ... when != E.addr = ib_dma_map_single(...)
     when != E.addr = ib_dma_map_page(...)
 E.lkey = PD->local_dma_lkey;

@script:python depends on cand@
e << cand.E;
l << cand.L;
p << cand.p;
@@
add_cand(e, l)
good_maps.add(pos_key(p))

@candp depends on patch disable ptr_to_array, unlikely@
expression D, B, L, DIR, PD, RET, OFF, E;
statement S;
position p;
@@
(
 E->addr@p = ib_dma_map_single(D, B, L, DIR);
|
 E->addr@p = ib_dma_map_page(D, B, OFF, L, DIR);
)
(
 if (unlikely(ib_dma_mapping_error(D, E->addr))) S
|
 if (ib_dma_mapping_error(D, E->addr)) S
|
 RET = ib_dma_mapping_error(D, E->addr);
)
 ... when != E->addr = ib_dma_map_single(...)
     when != E->addr = ib_dma_map_page(...)
 E->lkey = PD->local_dma_lkey;

@script:python depends on candp@
e << candp.E;
l << candp.L;
p << candp.p;
@@
add_cand(e, l)
good_maps.add(pos_key(p))

// mapped into a local, checked, then stored in an sge of a struct with the
// posted length and the lkey (svcrdma's receive context): the local must
// have no other use in the function
@candt depends on patch disable ptr_to_array, unlikely@
identifier V, C, F;
expression D, B, L, L2, DIR, PD, RET, E3;
statement S;
position p0, p1, p2, p3, p4;
@@
 V@p0 = ib_dma_map_single(D, B, L, DIR);
(
 if (unlikely(ib_dma_mapping_error(D, V@p1))) S
|
 if (ib_dma_mapping_error(D, V@p1)) S
|
 RET = ib_dma_mapping_error(D, V@p1);
)
 ... when != V
     when != C = E3
     when != C->F.addr
     when != C->F.length
     when != C->F.lkey
     when != ib_post_recv(...)
     when != ib_post_send(...)
 C->F.addr@p3 = V@p2;
 C->F.length@p4 = L2;
 C->F.lkey = PD->local_dma_lkey;

@script:python depends on candt@
v << candt.V;
c << candt.C;
f << candt.F;
l << candt.L;
l2 << candt.L2;
p0 << candt.p0;
p1 << candt.p1;
p2 << candt.p2;
p3 << candt.p3;
p4 << candt.p4;
@@
shape_stores.add(pos_key(p3))
if norm(l2) == norm(l):
    shape_stores.add(pos_key(p4))
tmp_maps.append((p0[0].current_element, v, f, c, pos_key(p0),
                 {pos_key(p0), pos_key(p1), pos_key(p2)}))
add_cand(c + "->" + f, l)

@candtv depends on patch@
identifier V : script:python () { any(V == t[1] for t in tmp_maps) };
position p;
@@
V@p

@script:python depends on candtv@
v << candtv.V;
p << candtv.p;
@@
tmp_uses.setdefault((p[0].current_element, v), set()).add(pos_key(p))

@script:python depends on candt@
@@
mine = {}
for fn, v, f, c, k0, own in tmp_maps:
    mine.setdefault((fn, v), set()).update(own)
for fn, v, f, c, k0, own in tmp_maps:
    if tmp_uses.get((fn, v), set()) <= mine[(fn, v)]:
        tmp_ok.add(k0)
    else:
        block(f, "the mapped local %s has other uses in %s()" % (v, fn),
              c + "->" + f)

// ---- 2. anything in a candidate family the rules cannot follow blocks it ----

@anymap depends on patch disable ptr_to_array, unlikely@
expression E;
position p;
@@
(
 E.addr@p = \(ib_dma_map_single\|ib_dma_map_page\)(...)
|
 E->addr@p = \(ib_dma_map_single\|ib_dma_map_page\)(...)
)

@script:python depends on anymap@
e << anymap.E;
p << anymap.p;
@@
if pos_key(p) not in good_maps:
    block(fam_of(e), "map at line %s without the full shape" % p[0].line, e)

@anyunmap depends on patch disable ptr_to_array, unlikely@
expression X, D, LEN, DIR;
@@
 \(ib_dma_unmap_single\|ib_dma_unmap_page\)(D, X.addr, LEN, DIR)

@script:python depends on anyunmap@
x << anyunmap.X;
ln << anyunmap.LEN;
@@
if fam_of(x) in cands and not whole_len(x, False, ln):
    block(fam_of(x), "unmapped with the length %s, not the mapped one"
          % ln, x)

@anyunmapp depends on patch disable ptr_to_array, unlikely@
expression X, D, LEN, DIR;
@@
 \(ib_dma_unmap_single\|ib_dma_unmap_page\)(D, X->addr, LEN, DIR)

@script:python depends on anyunmapp@
x << anyunmapp.X;
ln << anyunmapp.LEN;
@@
if fam_of(x) in cands and not whole_len(x, True, ln):
    block(fam_of(x), "unmapped with the length %s, not the mapped one"
          % ln, x)

// an sge address handed to anything else (a non-ib DMA call, a helper
// that unmaps by dma_addr_t) cannot be followed
@otheruse depends on patch disable ptr_to_array, unlikely@
expression X, E2;
identifier fn !~ "^(ib_dma_map_single|ib_dma_map_page|ib_dma_mapping_error|ib_dma_unmap_single|ib_dma_unmap_page|ib_dma_sync_single_for_cpu|ib_dma_sync_single_for_device)$";
@@
(
 fn(..., \(X.addr\|X->addr\), ...)
|
 fn(..., \(X.addr + E2\|X->addr + E2\), ...)
)

@script:python depends on otheruse@
x << otheruse.X;
fn << otheruse.fn;
@@
if fam_of(x) in cands and re.match(r'^(dma_|ib_dma_)', fn):
    block(fam_of(x), "address handed to %s()" % fn, x)

// the builders fill addr and length: any other store to them (an sge
// filled from a scatterlist or another mapping, a length trimmed after the
// map) means an unmap or sync of the family may not be of a builder's sge
@astore depends on patch disable ptr_to_array, unlikely@
expression X, V;
position p;
@@
(
 X.addr@p = V
|
 X->addr@p = V
)

@script:python depends on astore@
x << astore.X;
v << astore.V;
p << astore.p;
@@
if pos_key(p) not in good_maps and pos_key(p) not in shape_stores \
        and not zero(v):
    block(fam_of(x), "its addr is set from %s at line %s, not by a map "
          "the rule recognises" % (v, p[0].line), x)

@lstore depends on patch disable ptr_to_array, unlikely@
expression X, V;
position p;
@@
(
 X.length@p = V
|
 X->length@p = V
)

@script:python depends on lstore@
x << lstore.X;
v << lstore.V;
p << lstore.p;
@@
f = fam_of(x)
if not zero(v) and pos_key(p) not in shape_stores and \
        (norm(x), norm(v)) not in cands.get(f, set()):
    block(f, "length set to %s at line %s, not the mapped length"
          % (v, p[0].line), x)

// a plain sge member stored whole (a copy of another sge) is not a
// builder's; this only matters to the typed families
@wstore depends on patch disable ptr_to_array@
expression X, V;
identifier F : script:python () { (F in member_names) };
position p;
@@
(
 X->F@p = V
|
 X.F@p = V
)

@script:python depends on wstore@
x << wstore.X;
f << wstore.F;
p << wstore.p;
@@
tf = fam_facts.typed.get(pos_key(p))
if tf is not None and tf in fam_facts.members:
    typed_blocked.setdefault(tf, "stored whole at line %s" % p[0].line)

@cstore depends on patch disable ptr_to_array, unlikely@
expression X, V;
position p;
@@
(
 X.addr@p += V
|
 X->addr@p += V
|
 X.addr@p -= V
|
 X->addr@p -= V
|
 X.length@p += V
|
 X->length@p += V
|
 X.length@p -= V
|
 X->length@p -= V
)

@script:python depends on cstore@
x << cstore.X;
p << cstore.p;
@@
block(fam_of(x), "addr or length changed in place at line %s" % p[0].line,
      x)

// a sync of another length than the whole sge: the range helpers need a
// range provably inside the mapping, which the rule cannot show
// what a receive completion reports: wc->byte_len, or a member that is
// only ever assigned it (svcrdma's ctxt->rc_byte_len)
@rlen depends on patch disable ptr_to_array@
struct ib_wc *W;
expression X;
identifier M;
@@
(
 X->M = W->byte_len
|
 X.M = W->byte_len
)

@script:python depends on rlen@
m << rlen.M;
@@
recv_len.add(m)

@rlenother depends on patch disable ptr_to_array@
expression X, V;
identifier M : script:python () { (M in recv_len) };
position p;
@@
(
 X->M = V@p
|
 X.M = V@p
|
 &X->M@p
|
 &X.M@p
)

@script:python depends on rlenother@
m << rlenother.M;
v << rlenother.V = "";
@@
if not re.match(r'^\w+\s*->\s*byte_len$', v.strip()):
    recv_len_bad.add(m)

@rsync depends on patch disable ptr_to_array, unlikely@
struct ib_wc *W;
expression X, D, Y;
identifier M : script:python () { (M in recv_len and M not in recv_len_bad) };
position p;
@@
 ib_dma_sync_single_for_cpu@p(D, \(X.addr\|X->addr\),
                              \(W->byte_len\|Y->M\|Y.M\), DMA_FROM_DEVICE)

@script:python depends on rsync@
p << rsync.p;
@@
recv_syncs.add(pos_key(p))

@osync depends on patch disable ptr_to_array, unlikely@
identifier fn =~ "^ib_dma_sync_single_for_(cpu|device)$";
expression X, D, LEN, DIR;
position p;
@@
 fn@p(D, \(X.addr\|X->addr\), LEN, DIR)

@script:python depends on osync@
x << osync.X;
ln << osync.LEN;
p << osync.p;
@@
f = fam_of(x)
own = norm(ln) in (norm(x) + "->length", norm(x) + ".length")
if f in cands and not own and pos_key(p) not in recv_syncs and \
        (norm(x), norm(ln)) not in cands.get(f, set()):
    block(f, "synced with %s at line %s: not shown to be inside the "
          "mapping" % (ln, p[0].line), x)

@osyncoff depends on patch disable ptr_to_array, unlikely@
identifier fn =~ "^ib_dma_sync_single_for_(cpu|device)$";
expression X, D, LEN, DIR, OFF;
position p;
@@
 fn@p(D, \(X.addr + OFF\|X->addr + OFF\), LEN, DIR)

@script:python depends on osyncoff@
x << osyncoff.X;
p << osyncoff.p;
@@
block(fam_of(x), "synced at an offset at line %s: not shown to be inside "
      "the mapping" % p[0].line, x)

@script:python depends on patch@
@@
if os.environ.get("RDMA_SGE_COCCI_DEBUG"):
    # the families the rule would have converted, not every sge named
    for f in sorted(why):
        if f in cands:
            sys.stderr.write("rule 10: %s stays: %s\n" % (f, why[f]))
    for t, f in sorted(typed_blocked):
        if (t, f) in typed_cands:
            sys.stderr.write("rule 10: %s.%s stays: %s\n"
                             % (t, f, typed_blocked[(t, f)]))

// ---- 3. convert the maps of unblocked families ----

// first, while the positions of the scan still hold: maps into a local
@depends on patch disable ptr_to_array, unlikely@
identifier V, C;
identifier F : script:python (C) { family_ok(C + "->" + F) };
position p0 : script:python () { pos_key(p0) in tmp_ok };
expression D, B, L, L2, DIR, PD, RET, E3;
statement S;
@@
- V@p0 = ib_dma_map_single(D, B, L, DIR);
(
- if (unlikely(ib_dma_mapping_error(D, V)))
+ if (unlikely(rdma_map_sge_single(PD, &C->F, B, L, DIR)))
  S
|
- if (ib_dma_mapping_error(D, V))
+ if (rdma_map_sge_single(PD, &C->F, B, L, DIR))
  S
|
- RET = ib_dma_mapping_error(D, V);
+ RET = rdma_map_sge_single(PD, &C->F, B, L, DIR);
)
 ... when != V
     when != C = E3
- C->F.addr = V;
(
- C->F.length = L;
|
 C->F.length = L2;
)
- C->F.lkey = PD->local_dma_lkey;

@script:python depends on patch@
@@
for fn, v, f, c, k0, own in tmp_maps:
    if k0 in tmp_ok and family_ok(c + "->" + f):
        tmp_dead.add(v)

@depends on patch@
identifier V : script:python () { (V in tmp_dead) };
type TV;
@@
- TV V;
  ... when != V


@m depends on patch disable ptr_to_array, unlikely@
expression D, B, L, DIR, PD, RET, OFF;
expression E : script:python () { family_ok(E) };
statement S;
@@
(
- E.addr = ib_dma_map_single(D, B, L, DIR);
(
- if (unlikely(ib_dma_mapping_error(D, E.addr)))
+ if (unlikely(rdma_map_sge_single(PD, &E, B, L, DIR)))
  S
|
- if (ib_dma_mapping_error(D, E.addr))
+ if (rdma_map_sge_single(PD, &E, B, L, DIR))
  S
|
- RET = ib_dma_mapping_error(D, E.addr);
+ RET = rdma_map_sge_single(PD, &E, B, L, DIR);
)
|
- E.addr = ib_dma_map_page(D, B, OFF, L, DIR);
(
- if (unlikely(ib_dma_mapping_error(D, E.addr)))
+ if (unlikely(rdma_map_sge_page(PD, &E, B, OFF, L, DIR)))
  S
|
- if (ib_dma_mapping_error(D, E.addr))
+ if (rdma_map_sge_page(PD, &E, B, OFF, L, DIR))
  S
|
- RET = ib_dma_mapping_error(D, E.addr);
+ RET = rdma_map_sge_page(PD, &E, B, OFF, L, DIR);
)
)
 ... when != E.addr = ib_dma_map_single(...)
     when != E.addr = ib_dma_map_page(...)
- E.lkey = PD->local_dma_lkey;

@mp depends on patch disable ptr_to_array, unlikely@
expression D, B, L, DIR, PD, RET, OFF;
expression E : script:python () { family_ok(E) };
statement S;
@@
(
- E->addr = ib_dma_map_single(D, B, L, DIR);
(
- if (unlikely(ib_dma_mapping_error(D, E->addr)))
+ if (unlikely(rdma_map_sge_single(PD, E, B, L, DIR)))
  S
|
- if (ib_dma_mapping_error(D, E->addr))
+ if (rdma_map_sge_single(PD, E, B, L, DIR))
  S
|
- RET = ib_dma_mapping_error(D, E->addr);
+ RET = rdma_map_sge_single(PD, E, B, L, DIR);
)
|
- E->addr = ib_dma_map_page(D, B, OFF, L, DIR);
(
- if (unlikely(ib_dma_mapping_error(D, E->addr)))
+ if (unlikely(rdma_map_sge_page(PD, E, B, OFF, L, DIR)))
  S
|
- if (ib_dma_mapping_error(D, E->addr))
+ if (rdma_map_sge_page(PD, E, B, OFF, L, DIR))
  S
|
- RET = ib_dma_mapping_error(D, E->addr);
+ RET = rdma_map_sge_page(PD, E, B, OFF, L, DIR);
)
)
 ... when != E->addr = ib_dma_map_single(...)
     when != E->addr = ib_dma_map_page(...)
- E->lkey = PD->local_dma_lkey;

// the builder stored the mapped length: drop a store of the same length
@depends on patch disable ptr_to_array, unlikely@
expression PD, B, L, DIR, E, OFF, RET;
statement S;
@@
(
 if (\(rdma_map_sge_single(PD, &E, B, L, DIR)\|unlikely(rdma_map_sge_single(PD, &E, B, L, DIR))\|rdma_map_sge_page(PD, &E, B, OFF, L, DIR)\|unlikely(rdma_map_sge_page(PD, &E, B, OFF, L, DIR))\)) S
|
 RET = \(rdma_map_sge_single(PD, &E, B, L, DIR)\|rdma_map_sge_page(PD, &E, B, OFF, L, DIR)\);
)
 ... when != E.length = L
     when != E.addr
- E.length = L;

@depends on patch disable ptr_to_array, unlikely@
expression PD, B, L, DIR, E, OFF, RET;
statement S;
@@
(
 if (\(rdma_map_sge_single(PD, E, B, L, DIR)\|unlikely(rdma_map_sge_single(PD, E, B, L, DIR))\|rdma_map_sge_page(PD, E, B, OFF, L, DIR)\|unlikely(rdma_map_sge_page(PD, E, B, OFF, L, DIR))\)) S
|
 RET = \(rdma_map_sge_single(PD, E, B, L, DIR)\|rdma_map_sge_page(PD, E, B, OFF, L, DIR)\);
)
 ... when != E->length = L
     when != E->addr
- E->length = L;

// ---- 4. unmaps and syncs of the converted families ----

@depends on patch disable ptr_to_array, unlikely@
expression D, LEN, DIR;
expression X : script:python () { family_ok(X) };
@@
(
- \(ib_dma_unmap_single\|ib_dma_unmap_page\)(D, X.addr, LEN, DIR)
+ rdma_unmap_sge(D, &X, DIR)
|
- \(ib_dma_unmap_single\|ib_dma_unmap_page\)(D, X->addr, LEN, DIR)
+ rdma_unmap_sge(D, X, DIR)
|
- ib_dma_sync_single_for_cpu(D, X.addr, X.length, DIR)
+ rdma_sync_sge_for_cpu(D, &X, DIR)
|
- ib_dma_sync_single_for_cpu(D, X->addr, X->length, DIR)
+ rdma_sync_sge_for_cpu(D, X, DIR)
|
- ib_dma_sync_single_for_device(D, X.addr, X.length, DIR)
+ rdma_sync_sge_for_device(D, &X, DIR)
|
- ib_dma_sync_single_for_device(D, X->addr, X->length, DIR)
+ rdma_sync_sge_for_device(D, X, DIR)
)

// a sync of the mapped length is a whole-sge sync (any other length
// blocked the family)
@depends on patch disable ptr_to_array, unlikely@
expression D, DIR, X;
expression LEN : script:python (X) { family_ok(X) and whole_len(X, False, LEN) };
@@
- ib_dma_sync_single_for_cpu(D, X.addr, LEN, DIR)
+ rdma_sync_sge_for_cpu(D, &X, DIR)

@depends on patch disable ptr_to_array, unlikely@
expression D, DIR, X;
expression LEN : script:python (X) { family_ok(X) and whole_len(X, False, LEN) };
@@
- ib_dma_sync_single_for_device(D, X.addr, LEN, DIR)
+ rdma_sync_sge_for_device(D, &X, DIR)

@depends on patch disable ptr_to_array, unlikely@
expression D, DIR, X;
expression LEN : script:python (X) { family_ok(X) and whole_len(X, True, LEN) };
@@
- ib_dma_sync_single_for_cpu(D, X->addr, LEN, DIR)
+ rdma_sync_sge_for_cpu(D, X, DIR)

@depends on patch disable ptr_to_array, unlikely@
expression D, DIR, X;
expression LEN : script:python (X) { family_ok(X) and whole_len(X, True, LEN) };
@@
- ib_dma_sync_single_for_device(D, X->addr, LEN, DIR)
+ rdma_sync_sge_for_device(D, X, DIR)

// the received byte count of a receive sge: the range from 0
@depends on patch disable ptr_to_array, unlikely@
expression D, DIR, LEN;
expression X : script:python () { family_ok(X) };
position p : script:python () { pos_key(p) in recv_syncs };
@@
(
- ib_dma_sync_single_for_cpu@p(D, X.addr, LEN, DIR)
+ rdma_sync_sge_range_for_cpu(D, &X, 0, LEN, DIR)
|
- ib_dma_sync_single_for_cpu@p(D, X->addr, LEN, DIR)
+ rdma_sync_sge_range_for_cpu(D, X, 0, LEN, DIR)
)
