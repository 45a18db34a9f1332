// SPDX-License-Identifier: GPL-2.0-only
/// "Split" shape: a struct keeps the DMA handle of a buffer in a bare
/// u64/dma_addr_t field; the buffer is mapped in one place, an sge is
/// filled from the field elsewhere, syncs and unmaps use the field.
/// The field becomes a struct ib_sge of the same name, mapped with
/// rdma_map_sge_single(); sge fills become a copy of it (trimmed when the
/// posted length differs); syncs and unmaps take the sge.
///
/// All or nothing per field: it is converted only when the field name is
/// declared in the files processed together (in several structs only when
/// spatch places a use in each: they convert together), every map of it
/// (straight into the field, or into a local with no other use that is
/// then stored in it) is followed by its error check and has a pd, and
/// every other use is an sge fill (addr, length, lkey = pd->local_dma_lkey
/// or a cached copy of it), a sync, an unmap, or, on a typed struct, a
/// test against 0, a reset to 0 or a debug message argument.  Any other
/// use, anywhere, leaves the field alone.
///
/// The pd of a map is found in one of two ways:
/// - a local_dma_lkey fill after the map in the same function gives it
///   (X.lkey = PD->local_dma_lkey: PD);
/// - the device is a member of a ULP struct that holds exactly one pd,
///   as in struct srp_device { struct ib_device *dev; struct ib_pd *pd; }:
///   ib_dma_map_single(E->dev, ...) maps with E->pd.  The device may also
///   come through a local variable assigned from E->dev.
/// A cached lkey is a u32 member of a ULP struct that is only ever assigned
/// pd->local_dma_lkey (srp's target->lkey, srpt's sdev->lkey); an sge fill
/// from it is a local_dma_lkey fill.  The cache itself is left in place.
/// The DMA API requires an unmap to pass the mapped size, so any unmap of
/// the field becomes rdma_unmap_sge(), which passes the sge's length.
/// Assumes the pd of the map and of the sge fills is the same (one pd per
/// ULP connection), as it is in every ULP.
//
// Confidence: Moderate
// Options: --local-includes --include-headers-for-types --include-headers

virtual patch
virtual context
virtual org
virtual report

@initialize:python@
@@
# the facts this rule collects and the functions that read them:
# scripts/field_scan.py, with the toolkit's decision modules (the driver
# puts scripts/ on PYTHONPATH; by hand: PYTHONPATH=<toolkit>/scripts make
# coccicheck ...)
import re

import fill_order
import sge_sync
import struct_layout
from field_scan import *

@script:python reset depends on patch@
@@
reset()

// ---- 1. scan ----

@fd depends on patch@
identifier T, F;
typedef u64, dma_addr_t;
position p;
@@
struct T { ...
 \(u64\|dma_addr_t\) F@p;
 ... };

@script:python depends on fd@
f << fd.F;
t << fd.T;
p << fd.p;
@@
decls[f] = decls.get(f, 0) + 1
decl_struct.setdefault(f, set()).add(t)
why = struct_layout.member_refusal(p[0].file, t, f)
if why:
    fix = struct_layout.member_pad_fix(p[0].file, t, f)
    if fix is None:
        struct_block[(f, t)] = why
    else:
        pad_fixes.setdefault(f, set()).add((t, fix))

@md depends on patch@
identifier T, F;
type FT;
@@
struct T { ...
 FT F;
 ... };

@script:python depends on md@
f << md.F;
t << md.T;
@@
members[f] = members.get(f, 0) + 1
struct_members.setdefault(t, set()).add(f)

@sdev depends on patch@
identifier T, F;
@@
struct T { ...
 struct ib_device *F;
 ... };

@script:python depends on sdev@
t << sdev.T;
f << sdev.F;
@@
devf.setdefault(t, set()).add(f)

@spd depends on patch@
identifier T, P;
@@
struct T { ...
 struct ib_pd *P;
 ... };

@script:python depends on spd@
t << spd.T;
p << spd.P;
@@
if p not in pdf.setdefault(t, []):
    pdf[t].append(p)

// struct T { struct U *S; }: the device may sit one struct further,
// as in smc's lnk->smcibdev->ibdev next to lnk->roce_pd
@smem depends on patch@
identifier T, U, S;
@@
struct T { ...
 struct U *S;
 ... };

@script:python depends on smem@
t << smem.T;
u << smem.U;
s << smem.S;
@@
memtype[(t, s)] = u

@lcache depends on patch disable ptr_to_array@
identifier T : script:python () { T != "ib_sge" };
struct T *C;
identifier M;
expression PD;
@@
C->M = PD->local_dma_lkey;

@script:python depends on lcache@
t << lcache.T;
m << lcache.M;
@@
lkc.add((t, m))

@lcother depends on patch disable ptr_to_array@
identifier T;
identifier M : script:python (T) { (T, M) in lkc };
struct T *C;
expression E : script:python () { not E.endswith("local_dma_lkey") };
@@
C->M = E

@script:python depends on lcother@
t << lcother.T;
m << lcother.M;
@@
lkc_bad.add((t, m))

@lcaddr depends on patch disable ptr_to_array@
identifier T;
identifier M : script:python (T) { (T, M) in lkc };
struct T *C;
expression E;
@@
E = &C->M

@script:python depends on lcaddr@
t << lcaddr.T;
m << lcaddr.M;
@@
lkc_bad.add((t, m))

// One rule per access form: in a disjunction spatch stops at the first
// branch that matches a subterm, and E.F uses would go unseen.
@anyuse depends on patch disable ptr_to_array@
expression E;
identifier F;
position p;
@@
E->F@p

@script:python depends on anyuse@
e << anyuse.E;
f << anyuse.F;
p << anyuse.p;
@@
if f in decls:
    uses.setdefault(f, []).append(key(p))
    use_text[key(p)] = norm(e) + "->" + f

@anyuse_dot depends on patch disable ptr_to_array@
expression E;
identifier F;
position p;
@@
E.F@p

@script:python depends on anyuse_dot@
e << anyuse_dot.E;
f << anyuse_dot.F;
p << anyuse_dot.p;
@@
if f in decls:
    uses.setdefault(f, []).append(key(p))
    use_text[key(p)] = norm(e) + "." + f

// the struct type of the object, where spatch knows it: a member of the
// same name in another struct is not the DMA address field
@tuse depends on patch disable ptr_to_array@
identifier T;
identifier TF : script:python () { (TF in decls) };
struct T *E;
position p;
@@
E->TF@p

@script:python depends on tuse@
t << tuse.T;
p << tuse.p;
@@
typed[key(p)] = t

@tuse_dot depends on patch disable ptr_to_array@
identifier T;
identifier TF : script:python () { (TF in decls) };
struct T E;
position p;
@@
E.TF@p

@script:python depends on tuse_dot@
t << tuse_dot.T;
p << tuse_dot.p;
@@
typed[key(p)] = t

@anymap depends on patch disable ptr_to_array@
expression A : script:python () { field_of(A) in decls };
position p;
@@
A@p = ib_dma_map_single(...)

@script:python depends on anymap@
a << anymap.A;
p << anymap.p;
@@
f = field_of(a)
maps_all.setdefault(f, set()).add(key(p))

@cm depends on patch disable ptr_to_array, unlikely@
expression A : script:python () { field_of(A) in decls };
expression D, B, L, DIR, PD, RET, X;
statement S;
position p1, p2;
@@
 A@p1 = ib_dma_map_single(D, B, L, DIR);
(
 if (unlikely(ib_dma_mapping_error(D, A@p2))) S
|
 if (ib_dma_mapping_error(D, A@p2)) S
|
 RET = ib_dma_mapping_error(D, A@p2);
)
 ... when != A = ib_dma_map_single(...)
\(X.lkey\|X->lkey\) = PD->local_dma_lkey;

@script:python depends on cm@
a << cm.A;
b << cm.B;
l << cm.L;
p1 << cm.p1;
p2 << cm.p2;
@@
f = field_of(a)
add_map(a, b, l, p1)
maps_ok.setdefault(f, set()).add(key(p1))
maplens.setdefault(f, set()).add(norm(l))
ok_pos.add(key(p1))
ok_pos.add(key(p2))

@cms depends on patch disable ptr_to_array, unlikely@
expression A : script:python () { field_of(A) in decls };
identifier T : script:python () { pd_member(T) is not None };
struct T *E;
identifier F : script:python (T) { dev_member(T, F) };
expression B, L, DIR, RET;
statement S;
position p1, p2;
@@
 A@p1 = ib_dma_map_single(E->F, B, L, DIR);
(
 if (unlikely(ib_dma_mapping_error(E->F, A@p2))) S
|
 if (ib_dma_mapping_error(E->F, A@p2)) S
|
 RET = ib_dma_mapping_error(E->F, A@p2);
)

@script:python depends on cms@
a << cms.A;
b << cms.B;
l << cms.L;
p1 << cms.p1;
p2 << cms.p2;
@@
f = field_of(a)
add_map(a, b, l, p1)
maps_ok.setdefault(f, set()).add(key(p1))
maplens.setdefault(f, set()).add(norm(l))
ok_pos.add(key(p1))
ok_pos.add(key(p2))

@cml depends on patch disable ptr_to_array, unlikely@
expression A : script:python () { field_of(A) in decls };
identifier T : script:python () { pd_member(T) is not None };
struct T *E;
identifier F : script:python (T) { dev_member(T, F) };
identifier D;
expression B, L, DIR, RET, D2;
statement S;
position p1, p2;
@@
(
 D = E->F;
|
 struct ib_device *D = E->F;
)
 ... when != D = D2
 A@p1 = ib_dma_map_single(D, B, L, DIR);
(
 if (unlikely(ib_dma_mapping_error(D, A@p2))) S
|
 if (ib_dma_mapping_error(D, A@p2)) S
|
 RET = ib_dma_mapping_error(D, A@p2);
)

@script:python depends on cml@
a << cml.A;
b << cml.B;
l << cml.L;
p1 << cml.p1;
p2 << cml.p2;
@@
f = field_of(a)
add_map(a, b, l, p1)
maps_ok.setdefault(f, set()).add(key(p1))
maplens.setdefault(f, set()).add(norm(l))
ok_pos.add(key(p1))
ok_pos.add(key(p2))

// the device local is never assigned again in its function, and the map
// may sit in a branch (smc's SMC_V2 buffers)
@dset depends on patch@
identifier D;
expression D2;
position p;
@@
 D@p = D2

@script:python depends on dset@
d << dset.D;
p << dset.p;
@@
dev_assigned.add((p[0].current_element, d, key(p)))

@cmln depends on patch disable ptr_to_array, unlikely exists@
expression A : script:python () { field_of(A) in decls };
identifier T : script:python () { pd_member(T) is not None };
struct T *E;
identifier SM;
identifier F : script:python (T, SM) { dev_nested(T, SM, F) };
identifier D;
expression B, L, DIR, RET;
statement S;
position p0, p1, p2;
@@
 struct ib_device *D@p0 = E->SM->F;
 ...
 A@p1 = ib_dma_map_single(D, B, L, DIR);
(
 if (unlikely(ib_dma_mapping_error(D, A@p2))) S
|
 if (ib_dma_mapping_error(D, A@p2)) S
|
 RET = ib_dma_mapping_error(D, A@p2);
)

@script:python depends on cmln@
a << cmln.A;
b << cmln.B;
d << cmln.D;
e << cmln.E;
t << cmln.T;
l << cmln.L;
p0 << cmln.p0;
p1 << cmln.p1;
p2 << cmln.p2;
@@
if not any(x[:2] == (p0[0].current_element, d) and x[2] != key(p0)
           for x in dev_assigned):
    nested_pd[(p0[0].current_element, d)] = tidy("%s->%s" % (e, pd_member(t)))
    f = field_of(a)
    add_map(a, b, l, p1)
    maps_ok.setdefault(f, set()).add(key(p1))
    maplens.setdefault(f, set()).add(norm(l))
    ok_pos.add(key(p1))
    ok_pos.add(key(p2))

// mapped into a local first, then stored in the field (iser's tx and rx
// descriptors): the local must have no other use in the function
@cmt depends on patch disable ptr_to_array, unlikely@
identifier V;
expression E, E2;
identifier F : script:python () { (F in decls) };
expression D, B, L, DIR, PD, RET, X;
statement S;
position p0, p1, p2, p3;
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
     when != E = E2
(
 E->F@p2 = V@p3;
|
 E.F@p2 = V@p3;
)
 ... when != V
     when != E->F = ib_dma_map_single(...)
     when != E.F = ib_dma_map_single(...)
\(X.lkey\|X->lkey\) = PD->local_dma_lkey;

@script:python depends on cmt@
v << cmt.V;
f << cmt.F;
e << cmt.E;
b << cmt.B;
l << cmt.L;
p0 << cmt.p0;
p1 << cmt.p1;
p2 << cmt.p2;
p3 << cmt.p3;
@@
add_map(e, b, l, p2, base=sge_sync.norm(e), f=f)
tmp_maps.append((p0[0].current_element, v, f, key(p0), key(p2),
                 {key(p0), key(p1), key(p3)}))
maplens.setdefault(f, set()).add(norm(l))

// mapped into a local with the device of a struct that holds one pd
// (srp's indirect descriptor table: "dma_addr = ib_dma_map_single(ibdev,
// ...); ... req->indirect_dma_addr = dma_addr;" with ibdev = srp_dev->dev)
@cmts depends on patch disable ptr_to_array, unlikely@
identifier V, D;
identifier T : script:python () { pd_member(T) is not None };
struct T *E0;
identifier F0 : script:python (T) { dev_member(T, F0) };
expression E, E2, D2;
identifier F : script:python () { (F in decls) };
expression B, L, DIR, RET;
statement S;
position p0, p1, p2, p3;
@@
(
 D = E0->F0;
|
 struct ib_device *D = E0->F0;
)
 ... when != D = D2
 V@p0 = ib_dma_map_single(D, B, L, DIR);
(
 if (unlikely(ib_dma_mapping_error(D, V@p1))) S
|
 if (ib_dma_mapping_error(D, V@p1)) S
|
 RET = ib_dma_mapping_error(D, V@p1);
)
 ... when != V
     when != E = E2
(
 E->F@p2 = V@p3;
|
 E.F@p2 = V@p3;
)
 ... when != V
     when != E->F = ib_dma_map_single(...)
     when != E.F = ib_dma_map_single(...)

@script:python depends on cmts@
v << cmts.V;
f << cmts.F;
e << cmts.E;
b << cmts.B;
l << cmts.L;
p0 << cmts.p0;
p1 << cmts.p1;
p2 << cmts.p2;
p3 << cmts.p3;
@@
add_map(e, b, l, p2, base=sge_sync.norm(e), f=f)
tmp_maps.append((p0[0].current_element, v, f, key(p0), key(p2),
                 {key(p0), key(p1), key(p3)}))
maplens.setdefault(f, set()).add(norm(l))

@cmtv depends on patch@
identifier V : script:python () { any(V == t[1] for t in tmp_maps) };
position p;
@@
V@p

@script:python depends on cmtv@
v << cmtv.V;
p << cmtv.p;
@@
tmp_uses.setdefault((p[0].current_element, v), set()).add(key(p))

@cfc depends on patch disable ptr_to_array@
expression A : script:python () { field_of(A) in decls };
identifier T;
identifier M : script:python (T) { cached_lkey(T, M) };
struct T *C;
expression X, L2;
position p;
@@
(
 X.addr = A@p;
 X.length = L2;
 X.lkey = C->M;
|
 X->addr = A@p;
 X->length = L2;
 X->lkey = C->M;
)

@script:python depends on cfc@
a << cfc.A;
l2 << cfc.L2;
p << cfc.p;
@@
ok_pos.add(key(p))
fill_ok.add(key(p))
sync_facts.posted.add((p[0].current_element, sge_sync.norm(a),
                       sge_sync.norm(l2)))

@cf depends on patch disable ptr_to_array@
expression A : script:python () { field_of(A) in decls };
expression X, L2, PD;
position p;
@@
(
 X.addr = A@p;
 X.length = L2;
 X.lkey = PD->local_dma_lkey;
|
 X->addr = A@p;
 X->length = L2;
 X->lkey = PD->local_dma_lkey;
)

@script:python depends on cf@
a << cf.A;
l2 << cf.L2;
p << cf.p;
@@
ok_pos.add(key(p))
fill_ok.add(key(p))
sync_facts.posted.add((p[0].current_element, sge_sync.norm(a),
                       sge_sync.norm(l2)))

// a fill at an offset into the buffer (srpt's dma + offset); it becomes
// rdma_sge_part(), which runs the length before any store: only when the
// length cannot read the sge (fill_order.py), or the field stays
@cfo depends on patch disable ptr_to_array@
expression A : script:python () { field_of(A) in decls };
expression PD;
expression X, OFF;
expression L2 : script:python (X) { not fill_order.length_reads_sge(L2, X) };
position pa;
@@
(
 X.addr = A@pa + OFF;
 X.length = L2;
 X.lkey = PD->local_dma_lkey;
|
 X->addr = A@pa + OFF;
 X->length = L2;
 X->lkey = PD->local_dma_lkey;
)

@script:python depends on cfo@
a << cfo.A;
off << cfo.OFF;
l2 << cfo.L2;
pa << cfo.pa;
@@
ok_pos.add(key(pa))
base = sge_sync.base_of(a)
off = sge_sync.norm(off)
if off.startswith(base):
    sync_facts.posted_ends.add(off[len(base):] + "+" + sge_sync.norm(l2))

@cfoc depends on patch disable ptr_to_array@
expression A : script:python () { field_of(A) in decls };
identifier T;
identifier M : script:python (T) { cached_lkey(T, M) };
struct T *C;
expression X, OFF;
expression L2 : script:python (X) { not fill_order.length_reads_sge(L2, X) };
position pa;
@@
(
 X.addr = A@pa + OFF;
 X.length = L2;
 X.lkey = C->M;
|
 X->addr = A@pa + OFF;
 X->length = L2;
 X->lkey = C->M;
)

@script:python depends on cfoc@
a << cfoc.A;
off << cfoc.OFF;
l2 << cfoc.L2;
pa << cfoc.pa;
@@
ok_pos.add(key(pa))
base = sge_sync.base_of(a)
off = sge_sync.norm(off)
if off.startswith(base):
    sync_facts.posted_ends.add(off[len(base):] + "+" + sge_sync.norm(l2))

@cs depends on patch disable ptr_to_array@
expression A : script:python () { field_of(A) in decls };
expression D, L2, DIR;
identifier sfn =~ "^ib_dma_sync_single_for_(cpu|device)$";
position p;
@@
sfn(D, A@p, L2, DIR)

@script:python depends on cs@
a << cs.A;
l2 << cs.L2;
dir << cs.DIR;
sfn << cs.sfn;
p << cs.p;
@@
ok_pos.add(key(p))
sync_fields.setdefault(p[0].current_element, set()).add(
    (field_of(a), typed.get(key(p))))
sync_recs.append((field_of(a), sge_sync.Sync(
    p[0].current_element, a, l2, sfn.endswith("_cpu"),
    dir.strip() in ("DMA_FROM_DEVICE", "DMA_BIDIRECTIONAL"),
    typed.get(key(p)))))

@cu depends on patch disable ptr_to_array@
expression A : script:python () { field_of(A) in decls };
expression D, L2, DIR;
position p;
@@
ib_dma_unmap_single(D, A@p, L2, DIR)

// The DMA API requires the unmap size to be the mapped size, so every
// unmap of a mapped field releases what rdma_unmap_sge() releases.
@script:python depends on cu@
p << cu.p;
@@
ok_pos.add(key(p))

// a handle tested against 0 or reset to 0 (isert's pdu_buf_dma): the
// test and the reset move to the sge's addr
// Only where spatch knows the struct: a same-named member of another
// struct (rtrs's srv_path->dma_addr array) is tested the same way.
@cz depends on patch disable ptr_to_array@
identifier T;
struct T *E;
identifier F : script:python () { (F in decls) };
position p;
@@
(
 E->F@p = 0
|
 E->F@p != 0
|
 E->F@p == 0
|
 !E->F@p
)

@script:python depends on cz@
t << cz.T;
f << cz.F;
p << cz.p;
@@
if t in decl_struct.get(f, ()):
    ok_pos.add(key(p))

@czif depends on patch disable ptr_to_array@
identifier T;
struct T *E;
identifier F : script:python () { (F in decls) };
statement S1;
position p;
@@
 if (E->F@p) S1

@script:python depends on czif@
t << czif.T;
f << czif.F;
p << czif.p;
@@
if t in decl_struct.get(f, ()):
    ok_pos.add(key(p))

// printed in a debug or error message (isert's "DMA: 0x%llx"): the
// message prints the sge's addr
@cp depends on patch disable ptr_to_array@
identifier T;
struct T *E;
identifier F : script:python () { (F in decls) };
identifier fn =~ "^(printk|pr_[a-z_]+|dev_(dbg|info|warn|err)|ibdev_(dbg|info|warn|err)|[a-z0-9]+_(dbg|debug|info|warn|err))$";
position p;
@@
 fn(..., E->F@p, ...)

@script:python depends on cp@
t << cp.T;
f << cp.F;
p << cp.p;
@@
if t in decl_struct.get(f, ()):
    ok_pos.add(key(p))

// Any other use on a typed struct that only reads the value (srp's
// cpu_to_be64(req->indirect_dma_addr), smc's wr_tx_dma_addr + i * size)
// reads the sge's addr, which holds the same value.  Not a read: a
// store, an address taken, sizeof, an argument of a dma_*() call, and
// the addr of an sge fill that no rule converts (its lkey is an MR's or
// chosen at run time: the field stays, and the audit reports the fill).
@cnr depends on patch disable ptr_to_array@
identifier T;
struct T *E;
identifier F : script:python () { (F in decls) };
identifier dfn =~ "^(ib_)?dma_";
expression X, Y;
position p;
@@
(
 E->F@p = X
|
 E->F@p += X
|
 E->F@p -= X
|
 E->F@p |= X
|
 E->F@p &= X
|
 E->F@p++
|
 E->F@p--
|
 ++E->F@p
|
 --E->F@p
|
 &E->F@p
|
 sizeof(E->F@p)
|
 dfn(..., E->F@p, ...)
|
 Y.addr = E->F@p
|
 Y->addr = E->F@p
|
 Y.addr = E->F@p + X
|
 Y->addr = E->F@p + X
)

@script:python depends on cnr@
p << cnr.p;
@@
not_read.add(key(p))

@cnr_dot depends on patch disable ptr_to_array@
identifier T;
struct T E;
identifier F : script:python () { (F in decls) };
identifier dfn =~ "^(ib_)?dma_";
expression X, Y;
position p;
@@
(
 E.F@p = X
|
 E.F@p += X
|
 E.F@p -= X
|
 E.F@p |= X
|
 E.F@p &= X
|
 E.F@p++
|
 E.F@p--
|
 ++E.F@p
|
 --E.F@p
|
 &E.F@p
|
 sizeof(E.F@p)
|
 dfn(..., E.F@p, ...)
|
 Y.addr = E.F@p
|
 Y->addr = E.F@p
|
 Y.addr = E.F@p + X
|
 Y->addr = E.F@p + X
)

@script:python depends on cnr_dot@
p << cnr_dot.p;
@@
not_read.add(key(p))

// A length member read only as the size of unmaps of a converted field
// (isert's pdu_buf_len) is dead once rdma_unmap_sge() takes the sge's
// length: its stores and its declaration go too.
@culen depends on patch disable ptr_to_array@
expression A : script:python () { field_of(A) in decls };
expression D, DIR, E;
identifier M;
position p;
@@
(
 ib_dma_unmap_single(D, A, E->M@p, DIR)
|
 ib_dma_unmap_single(D, A, E.M@p, DIR)
)

@script:python depends on culen@
a << culen.A;
m << culen.M;
p << culen.p;
@@
lenuse.setdefault(m, set()).add(key(p))
lenfld.setdefault(m, set()).add(field_of(a))

@clenuse depends on patch disable ptr_to_array@
identifier M : script:python () { (M in lenuse) };
expression E;
position p;
@@
(
 E->M@p
|
 E.M@p
)

@script:python depends on clenuse@
m << clenuse.M;
p << clenuse.p;
@@
lenall.setdefault(m, set()).add(key(p))

@clenstore depends on patch disable ptr_to_array@
identifier M : script:python () { (M in lenuse) };
expression E, X;
position p;
@@
(
 E->M@p = X;
|
 E.M@p = X;
)

@script:python depends on clenstore@
m << clenstore.M;
x << clenstore.X;
p << clenstore.p;
@@
if re.search(r'\(', re.sub(r'sizeof\s*\([^()]*\)', '', x)) or \
        re.search(r'\+\+|--|(?<![=!<>])=(?!=)', x):
    lenbad.add(m)
else:
    lenstore.setdefault(m, set()).add(key(p))

// ---- pd threading (scan) ----

@fdev depends on patch@
identifier fn, D;
parameter list[n] ps;
type TR;
@@
TR fn(ps, struct ib_device *D, ...) { ... }

@script:python depends on fdev@
fn << fdev.fn;
d << fdev.D;
n << fdev.n;
@@
if fn in devparam and devparam[fn] != (n, d):
    fn_bad.add(fn)
devparam[fn] = (n, d)
fn_defs[fn] = fn_defs.get(fn, 0) + 1

// the name "pd" is taken in the helper, or the device param is reassigned
@fpd depends on patch@
identifier fdev.fn, fdev.D;
expression E;
type TR;
symbol pd;
@@
TR fn(...) { <+... \( pd \| D = E \) ...+> }

@script:python depends on fpd@
fn << fdev.fn;
@@
fn_bad.add(fn)

// the helper used other than by a call (a function pointer): it has
// more references than calls
@fref depends on patch@
identifier fdev.fn;
position p;
@@
fn@p

@script:python depends on fref@
fn << fdev.fn;
p << fref.p;
@@
fn_refs[fn] = fn_refs.get(fn, 0) + 1

@fcall depends on patch@
identifier fdev.fn;
position p;
@@
fn@p(...)

@script:python depends on fcall@
fn << fdev.fn;
p << fcall.p;
@@
fn_calls[fn] = fn_calls.get(fn, 0) + 1

// an exported helper: the export is a reference, not a function pointer
@fexp depends on patch@
identifier fdev.fn;
declarer name EXPORT_SYMBOL, EXPORT_SYMBOL_GPL;
position p;
@@
\(EXPORT_SYMBOL\|EXPORT_SYMBOL_GPL\)(fn@p);

@script:python depends on fexp@
fn << fdev.fn;
p << fexp.p;
@@
fn_calls[fn] = fn_calls.get(fn, 0) + 1

// a helper that is not static must be declared in a header of the ULP
@fstatic depends on patch@
identifier fdev.fn;
type TR;
@@
static TR fn(...) { ... }

@script:python depends on fstatic@
fn << fdev.fn;
@@
fn_local.add(fn)

@fproto depends on patch@
identifier fdev.fn;
type TR;
position p;
@@
TR fn@p(...);

@script:python depends on fproto@
fn << fdev.fn;
p << fproto.p;
@@
if p[0].file.endswith(".h"):
    fn_local.add(fn)

@pm depends on patch disable ptr_to_array, unlikely@
identifier fdev.fn, fdev.D;
expression A : script:python () { field_of(A) in decls };
expression B, L, DIR, RET;
statement S;
position p1, p2;
type TR;
@@
TR fn(...) { <...
(
 A@p1 = ib_dma_map_single(D, B, L, DIR);
 if (unlikely(ib_dma_mapping_error(D, A@p2))) S
|
 A@p1 = ib_dma_map_single(D, B, L, DIR);
 if (ib_dma_mapping_error(D, A@p2)) S
|
 A@p1 = ib_dma_map_single(D, B, L, DIR);
 RET = ib_dma_mapping_error(D, A@p2);
)
...> }

@script:python depends on pm@
fn << fdev.fn;
a << pm.A;
b << pm.B;
l << pm.L;
p1 << pm.p1;
p2 << pm.p2;
@@
add_map(a, b, l, p1)
pmaps.setdefault(fn, []).append((field_of(a), key(p1), key(p2)))
maplens.setdefault(field_of(a), set()).add(norm(l))

// every call of a helper: what its device argument is
@pcall depends on patch@
identifier fdev.fn;
expression list[fdev.n] es;
identifier g;
expression X;
type TR;
@@
TR g(...) { <+... fn(es, X, ...) ...+> }

@script:python depends on pcall@
fn << fdev.fn;
g << pcall.g;
x << pcall.X;
@@
calls.append((g, fn, norm(x), None))

@pcall_member depends on patch disable ptr_to_array@
identifier fdev.fn;
expression list[fdev.n] es;
identifier g;
identifier T : script:python () { pd_member(T) is not None };
struct T *E;
identifier F : script:python (T) { dev_member(T, F) };
type TR;
@@
TR g(...) { <+... fn(es, E->F, ...) ...+> }

@script:python depends on pcall_member@
fn << fdev.fn;
g << pcall_member.g;
e << pcall_member.E;
f << pcall_member.F;
t << pcall_member.T;
@@
x = norm(e + "->" + f)
for i, c in enumerate(calls):
    if c[:3] == (g, fn, x):
        calls[i] = (g, fn, x, tidy("%s->%s" % (e, pd_member(t))))

// A ULP getter that returns the ULP device for an rdma_cm_id's device:
// after D = GET(cm_id), cm_id->device is D's device and D's pd is the pd.
// isert_device_get() finds or makes the isert_device whose ib_device is
// cma_id->device (matched by node GUID).
@pcall_getter depends on patch disable ptr_to_array@
identifier fdev.fn;
expression list[fdev.n] es;
identifier g, D;
identifier GET : script:python () { (GET in dev_getters) };
expression C, D2;
type TR;
@@
TR g(...) {
  ... when any
  D = GET(C);
  ... when != D = D2
      when != C = D2
      when any
  fn(es, C->device, ...)
  ... when any
}

@script:python depends on pcall_getter@
fn << fdev.fn;
g << pcall_getter.g;
d << pcall_getter.D;
c << pcall_getter.C;
get << pcall_getter.GET;
@@
x = norm(c + "->device")
for i, cl in enumerate(calls):
    if cl[:3] == (g, fn, x):
        calls[i] = (g, fn, x, "%s->%s" % (d, dev_getters[get]))

// the initializers of the locals of each function (their stores are
// dev_assigned) and the parameters: a device local next to a pd must be
// stored once
@linit_all depends on patch@
identifier D2;
expression V;
type T2;
position p;
@@
 T2 D2@p = V;

@script:python depends on linit_all@
d2 << linit_all.D2;
p << linit_all.p;
@@
local_stores.setdefault((p[0].current_element, d2), set()).add(key(p))

@lparam_all depends on patch@
identifier g, P;
type TR, T;
@@
TR g(..., T P, ...) { ... }

@script:python depends on lparam_all@
g << lparam_all.g;
pn << lparam_all.P;
@@
fn_params.add((g, pn))

// a local stored once, from the device member of a struct with a pd, and
// passed to the helper on a path from that store (exists: error paths
// after a goto too); stored once and not a parameter, every path that
// reaches the call has stored it there, or it would read it uninitialised
@pcall_local depends on patch disable ptr_to_array exists@
identifier fdev.fn;
expression list[fdev.n] es;
identifier g, D2;
identifier T : script:python () { pd_member(T) is not None };
struct T *E;
identifier F : script:python (T) { dev_member(T, F) };
expression D3;
type TR;
@@
TR g(...) {
  ... when any
(
  D2 = E->F;
|
  struct ib_device *D2 = E->F;
)
  ... when != D2 = D3
      when any
  fn(es, D2, ...)
  ... when any
}

@script:python depends on pcall_local@
fn << fdev.fn;
g << pcall_local.g;
d2 << pcall_local.D2;
e << pcall_local.E;
t << pcall_local.T;
@@
stores = {x[2] for x in dev_assigned if x[:2] == (g, d2)} | \
    local_stores.get((g, d2), set())
once = len(stores) == 1 and (g, d2) not in fn_params
for i, c in enumerate(calls if once else ()):
    if c[:3] == (g, fn, d2):
        calls[i] = (g, fn, d2, tidy("%s->%s" % (e, pd_member(t))))

// ---- facts that decide the form of each sync (scripts/sge_sync.py) ----

// the parameters of every function, and what callers pass for those of
// the functions that map, and of the helpers that pass one of their own
// parameters on to them (nvme_rdma_alloc_ring -> nvme_rdma_alloc_qe)
@mparam depends on patch@
identifier fn;
parameter list[n] ps;
identifier P;
type T, TR;
@@
TR fn(ps, T P, ...) { ... }

@script:python depends on mparam@
fn << mparam.fn;
pn << mparam.P;
n << mparam.n;
@@
param_name[(fn, n)] = pn
sync_facts.params.add((fn, pn))

@margs depends on patch@
identifier fn : script:python () { (fn in map_fns) };
expression list[n] es;
expression X;
position p;
@@
fn(es, X@p, ...)

@script:python depends on margs@
fn << margs.fn;
n << margs.n;
x << margs.X;
p << margs.p;
@@
caller = p[0].current_element
if (fn, n) in param_name:
    sync_facts.args.setdefault((fn, param_name[(fn, n)]), set()).add(
        (caller, sge_sync.norm(x)))
    if (caller, sge_sync.norm(x)) in sync_facts.params:
        pass_fns.add(caller)

@margs2 depends on patch@
identifier fn : script:python () { (fn in pass_fns) };
expression list[n] es;
expression X;
position p;
@@
fn(es, X@p, ...)

@script:python depends on margs2@
fn << margs2.fn;
n << margs2.n;
x << margs2.X;
p << margs2.p;
@@
if (fn, n) in param_name:
    sync_facts.args.setdefault((fn, param_name[(fn, n)]), set()).add(
        (p[0].current_element, sge_sync.norm(x)))

// sizeof(*p) where spatch knows the type of p
@msizeof depends on patch@
type T;
T *P;
position p;
@@
sizeof(*P@p)

@script:python depends on msizeof@
t << msizeof.T;
pp << msizeof.P;
p << msizeof.p;
@@
if re.match(r'^struct\s+\w+$', t.strip()):
    sync_facts.sizeofs[(p[0].current_element,
                        "sizeof(*%s)" % sge_sync.norm(pp))] = \
        "sizeof(%s)" % t.strip()

// every store into a member (with the struct, where spatch knows it), and
// the members changed otherwise
@mst_typed depends on patch disable ptr_to_array@
identifier T, M;
struct T *E;
struct T ES;
expression V;
position p;
@@
(
 E->M@p = V
|
 ES.M@p = V
)

@script:python depends on mst_typed@
t << mst_typed.T;
p << mst_typed.p;
@@
store_struct[key(p)] = t

@mst depends on patch disable ptr_to_array@
expression E, V;
identifier M;
position p;
@@
(
 E->M@p = V
|
 E.M@p = V
)

@script:python depends on mst@
m << mst.M;
v << mst.V;
p << mst.p;
@@
sync_facts.add_member_store(m, p[0].current_element, v,
                            store_struct.get(key(p)))

@mbad depends on patch disable ptr_to_array@
expression E, V;
identifier M;
@@
(
 E->M += V
|
 E->M -= V
|
 E.M += V
|
 E.M -= V
|
 E->M++
|
 E.M++
|
 E->M--
|
 E.M--
|
 &E->M
|
 &E.M
)

@script:python depends on mbad@
m << mbad.M;
@@
sync_facts.member_bad.add(m)

@mrecv depends on patch disable ptr_to_array@
struct ib_wc *W;
expression E;
identifier M;
@@
(
 E->M = W->byte_len
|
 E.M = W->byte_len
)

@script:python depends on mrecv@
m << mrecv.M;
@@
recv_cand.add(m)

// the CPU copies or sets that many bytes at a buffer
@mcopy depends on patch@
identifier cpf =~ "^(memcpy|memmove|memset)$";
expression B, S, L;
position p;
@@
cpf@p(B, S, L)

@script:python depends on mcopy@
cpf << mcopy.cpf;
b << mcopy.B;
s << mcopy.S;
l << mcopy.L;
p << mcopy.p;
@@
fn = p[0].current_element
sync_facts.bounded.add((fn, sge_sync.norm(b), sge_sync.norm(l)))
if cpf != "memset":
    sync_facts.bounded.add((fn, sge_sync.norm(s), sge_sync.norm(l)))

// locals that point at a buffer (tsk_mgmt = iu->buf)
@malias depends on patch@
identifier V;
expression E;
position p;
@@
V@p = E

@script:python depends on malias@
v << malias.V;
e << malias.E;
p << malias.p;
@@
sync_facts.aliases.setdefault((p[0].current_element, v), set()).add(
    sge_sync.norm(e))

@maliasd depends on patch@
identifier V;
expression E;
type T;
position p;
@@
T V@p = E;

@script:python depends on maliasd@
v << maliasd.V;
e << maliasd.E;
p << maliasd.p;
@@
sync_facts.aliases.setdefault((p[0].current_element, v), set()).add(
    sge_sync.norm(e))

// a sync before the map that makes the sge: in one function, or a call of
// a function that syncs the field before a call of one that maps it
// (isert_create_send_desc() syncs tx_desc->dma_addr, then
// isert_init_tx_hdrs() maps it): the original synced a stale or unmapped
// handle, the conversion would sync an sge nobody filled yet
@sbm exists@
identifier G : script:python () { (G in sync_fields) };
identifier M : script:python () { (M in map_fields) };
position p1, p2;
@@
 G@p1(...)
 ...
 M@p2(...)

@script:python depends on sbm@
g << sbm.G;
m << sbm.M;
p1 << sbm.p1;
p2 << sbm.p2;
@@
why = ("%s() syncs it before %s() maps it (%s, lines %s and %s): a sync "
       "of no mapping" % (g, m, p1[0].current_element, p1[0].line,
                          p2[0].line))
synced = sync_fields[g] if g != m else set()
for f, t in map_fields[m]:
    structs = {u for h, u in synced if h == f}
    if not structs:
        continue
    if t is not None and None not in structs:
        # tied to the struct both typed; another struct of that name is
        # not the one synced early
        if t in structs:
            struct_block.setdefault((f, t), why)
    else:
        sync_block.setdefault(f, why)

@script:python sync_decide depends on patch@
@@
for m in recv_cand:
    if m not in sync_facts.member_bad and all(
            re.match(r'^\w+->byte_len$', v)
            for fn, v, _ in sync_facts.member_stores.get(m, set())):
        sync_facts.received.add(m)
for f, sync in sync_recs:
    form, why = sge_sync.decide(f, sync, sync_facts)
    if form == "leave" and sync.struct is not None:
        struct_block.setdefault((f, sync.struct), why)
    elif form == "leave":
        sync_block.setdefault(f, why)
    else:
        sync_form[sync_key(sync.function, sync.access, sync.length,
                           sync.to_cpu)] = form

@script:python fin depends on patch@
@@
finish()

// ---- 2. convert the unblocked fields ----

// first, while the positions of the scan still hold: the plain reads
// read the sge's addr
@depends on patch disable ptr_to_array@
expression E;
identifier F : script:python () { conv(". " + F) };
position p : script:python () { key(p) in reads };
@@
(
- E->F@p
+ E->F.addr
|
- E.F@p
+ E.F.addr
)

// then maps into a local
@depends on patch disable ptr_to_array, unlikely@
identifier V;
position p0 : script:python () { key(p0) in tmp_ok };
expression E, E2;
identifier F;
expression D, B, L, DIR, PD, RET, X;
statement S;
@@
- V@p0 = ib_dma_map_single(D, B, L, DIR);
(
- if (unlikely(ib_dma_mapping_error(D, V)))
+ if (unlikely(rdma_map_sge_single(PD, &E->F, B, L, DIR)))
  S
|
- if (ib_dma_mapping_error(D, V))
+ if (rdma_map_sge_single(PD, &E->F, B, L, DIR))
  S
|
- RET = ib_dma_mapping_error(D, V);
+ RET = rdma_map_sge_single(PD, &E->F, B, L, DIR);
)
 ... when != V
     when != E = E2
- E->F = V;
 ... when != V
\(X.lkey\|X->lkey\) = PD->local_dma_lkey;

@depends on patch disable ptr_to_array, unlikely@
identifier V;
position p0 : script:python () { key(p0) in tmp_ok };
expression E, E2;
identifier F;
expression D, B, L, DIR, PD, RET, X;
statement S;
@@
- V@p0 = ib_dma_map_single(D, B, L, DIR);
(
- if (unlikely(ib_dma_mapping_error(D, V)))
+ if (unlikely(rdma_map_sge_single(PD, &E.F, B, L, DIR)))
  S
|
- if (ib_dma_mapping_error(D, V))
+ if (rdma_map_sge_single(PD, &E.F, B, L, DIR))
  S
|
- RET = ib_dma_mapping_error(D, V);
+ RET = rdma_map_sge_single(PD, &E.F, B, L, DIR);
)
 ... when != V
     when != E = E2
- E.F = V;
 ... when != V
\(X.lkey\|X->lkey\) = PD->local_dma_lkey;

@depends on patch disable ptr_to_array, unlikely@
identifier V, D;
position p0 : script:python () { key(p0) in tmp_ok };
identifier T : script:python () { pd_member(T) is not None };
struct T *E0;
identifier F0 : script:python (T) { dev_member(T, F0) };
fresh identifier P = script:python (T) { pd_member(T) };
expression E, E2, D2;
identifier F;
expression B, L, DIR, RET;
statement S;
@@
(
 D = E0->F0;
|
 struct ib_device *D = E0->F0;
)
 ... when != D = D2
- V@p0 = ib_dma_map_single(D, B, L, DIR);
(
- if (unlikely(ib_dma_mapping_error(D, V)))
+ if (unlikely(rdma_map_sge_single(E0->P, &E->F, B, L, DIR)))
  S
|
- if (ib_dma_mapping_error(D, V))
+ if (rdma_map_sge_single(E0->P, &E->F, B, L, DIR))
  S
|
- RET = ib_dma_mapping_error(D, V);
+ RET = rdma_map_sge_single(E0->P, &E->F, B, L, DIR);
)
 ... when != V
     when != E = E2
- E->F = V;

@depends on patch disable ptr_to_array, unlikely@
identifier V, D;
position p0 : script:python () { key(p0) in tmp_ok };
identifier T : script:python () { pd_member(T) is not None };
struct T *E0;
identifier F0 : script:python (T) { dev_member(T, F0) };
fresh identifier P = script:python (T) { pd_member(T) };
expression E, E2, D2;
identifier F;
expression B, L, DIR, RET;
statement S;
@@
(
 D = E0->F0;
|
 struct ib_device *D = E0->F0;
)
 ... when != D = D2
- V@p0 = ib_dma_map_single(D, B, L, DIR);
(
- if (unlikely(ib_dma_mapping_error(D, V)))
+ if (unlikely(rdma_map_sge_single(E0->P, &E.F, B, L, DIR)))
  S
|
- if (ib_dma_mapping_error(D, V))
+ if (rdma_map_sge_single(E0->P, &E.F, B, L, DIR))
  S
|
- RET = ib_dma_mapping_error(D, V);
+ RET = rdma_map_sge_single(E0->P, &E.F, B, L, DIR);
)
 ... when != V
     when != E = E2
- E.F = V;

@depends on patch@
identifier V : script:python () { (V in tmp_dead) };
type TV;
@@
- TV V;
  ... when != V


// tests, resets and messages first: spatch matches them on the struct
// types as declared, before the fields become struct ib_sge
@cpr depends on patch disable ptr_to_array@
identifier T : script:python () { conv_struct(T) };
struct T *E;
identifier F : script:python () { conv(". " + F) };
identifier fn =~ "^(printk|pr_[a-z_]+|dev_(dbg|info|warn|err)|ibdev_(dbg|info|warn|err)|[a-z0-9]+_(dbg|debug|info|warn|err))$";
position p;
@@
 fn(..., E->F@p, ...)

@script:python cprs@
t << cpr.T;
f << cpr.F;
p << cpr.p;
@@
if not converts_in(t, f):
    cocci.include_match(False)

@depends on cprs disable ptr_to_array@
position cpr.p;
expression E;
identifier F;
@@
- E->F@p
+ E->F.addr

@czr depends on patch disable ptr_to_array@
identifier T : script:python () { conv_struct(T) };
struct T *E;
identifier F : script:python () { conv(". " + F) };
position p;
@@
 E->F@p = 0;

@script:python czrs@
t << czr.T;
f << czr.F;
p << czr.p;
@@
if not converts_in(t, f):
    cocci.include_match(False)

@depends on czrs disable ptr_to_array@
position czr.p;
expression E;
identifier F;
@@
- E->F@p = 0;
+ E->F.addr = 0;

@czt depends on patch disable ptr_to_array, is_zero, isnt_zero@
identifier T : script:python () { conv_struct(T) };
struct T *E;
identifier F : script:python () { conv(". " + F) };
position p;
@@
(
 E->F@p != 0
|
 E->F@p == 0
|
 !E->F@p
)

@script:python czts@
t << czt.T;
f << czt.F;
p << czt.p;
@@
if not converts_in(t, f):
    cocci.include_match(False)

@depends on czts disable ptr_to_array, is_zero, isnt_zero@
position czt.p;
expression E;
identifier F;
@@
(
- E->F@p != 0
+ E->F.addr != 0
|
- E->F@p == 0
+ E->F.addr == 0
|
- !E->F@p
+ !E->F.addr
)

@czi depends on patch disable ptr_to_array@
identifier T : script:python () { conv_struct(T) };
struct T *E;
identifier F : script:python () { conv(". " + F) };
statement S1;
position p;
@@
 if (E->F@p) S1

@script:python czis@
t << czi.T;
f << czi.F;
p << czi.p;
@@
if not converts_in(t, f):
    cocci.include_match(False)

@depends on czis disable ptr_to_array@
position czi.p;
expression E;
identifier F;
statement S1;
@@
- if (E->F@p)
+ if (E->F.addr)
  S1

@cdecl depends on patch@
identifier T;
identifier F : script:python () { (F in decls and F not in blocked) };
typedef u64, dma_addr_t;
position p;
@@
struct T { ...
 \(u64\|dma_addr_t\) F@p;
 ... };

@script:python cdecls@
t << cdecl.T;
f << cdecl.F;
p << cdecl.p;
@@
if (f, t) in kept_members:
    cocci.include_match(False)

@depends on cdecls@
identifier T, F;
typedef u64, dma_addr_t;
position cdecl.p;
@@
struct T { ...
- \(u64\|dma_addr_t\) F@p;
+ struct ib_sge F;
 ... };

@depends on patch disable ptr_to_array, unlikely@
expression A : script:python () { conv(A) };
expression D, B, L, DIR, PD, RET, X;
statement S;
@@
- A = ib_dma_map_single(D, B, L, DIR);
(
- if (unlikely(ib_dma_mapping_error(D, A)))
+ if (unlikely(rdma_map_sge_single(PD, &A, B, L, DIR)))
  S
|
- if (ib_dma_mapping_error(D, A))
+ if (rdma_map_sge_single(PD, &A, B, L, DIR))
  S
|
- RET = ib_dma_mapping_error(D, A);
+ RET = rdma_map_sge_single(PD, &A, B, L, DIR);
)
 ... when != A = ib_dma_map_single(...)
\(X.lkey\|X->lkey\) = PD->local_dma_lkey;

@depends on patch disable ptr_to_array, unlikely@
expression A : script:python () { conv(A) };
identifier T : script:python () { pd_member(T) is not None };
struct T *E;
identifier F : script:python (T) { dev_member(T, F) };
fresh identifier P = script:python (T) { pd_member(T) };
expression B, L, DIR, RET;
statement S;
@@
- A = ib_dma_map_single(E->F, B, L, DIR);
(
- if (unlikely(ib_dma_mapping_error(E->F, A)))
+ if (unlikely(rdma_map_sge_single(E->P, &A, B, L, DIR)))
  S
|
- if (ib_dma_mapping_error(E->F, A))
+ if (rdma_map_sge_single(E->P, &A, B, L, DIR))
  S
|
- RET = ib_dma_mapping_error(E->F, A);
+ RET = rdma_map_sge_single(E->P, &A, B, L, DIR);
)

@depends on patch disable ptr_to_array, unlikely@
expression A : script:python () { conv(A) };
identifier T : script:python () { pd_member(T) is not None };
struct T *E;
identifier F : script:python (T) { dev_member(T, F) };
fresh identifier P = script:python (T) { pd_member(T) };
identifier D;
expression B, L, DIR, RET, D2;
statement S;
@@
(
 D = E->F;
|
 struct ib_device *D = E->F;
)
 ... when != D = D2
- A = ib_dma_map_single(D, B, L, DIR);
(
- if (unlikely(ib_dma_mapping_error(D, A)))
+ if (unlikely(rdma_map_sge_single(E->P, &A, B, L, DIR)))
  S
|
- if (ib_dma_mapping_error(D, A))
+ if (rdma_map_sge_single(E->P, &A, B, L, DIR))
  S
|
- RET = ib_dma_mapping_error(D, A);
+ RET = rdma_map_sge_single(E->P, &A, B, L, DIR);
)

@depends on patch disable ptr_to_array@
identifier M : script:python () { (M in dead_len) };
expression E, X;
@@
(
- E->M = X;
|
- E.M = X;
)

@depends on patch@
identifier T;
identifier M : script:python () { (M in dead_len) };
type FT;
@@
struct T { ...
- FT M;
 ... };

// ---- pd threading (rewrite) ----
// in a helper that gets the pd: its maps, the pd passed on to helpers that
// get it too, its signature, then the device it still needs: pd->device

@thr depends on patch@
identifier HF, D;
type TR;
@@
TR HF(..., struct ib_device *D, ...) { ... }

@script:python thrs@
hf << thr.HF;
d << thr.D;
@@
if hf not in threaded or devparam[hf][1] != d:
    cocci.include_match(False)

@depends on thrs disable ptr_to_array, unlikely@
identifier thr.HF, thr.D;
expression A : script:python () { conv(A) };
expression B, L, DIR, RET;
statement S;
type TR;
symbol pd;
@@
TR HF(...) { <...
(
- A = ib_dma_map_single(D, B, L, DIR);
- if (unlikely(ib_dma_mapping_error(D, A)))
+ if (unlikely(rdma_map_sge_single(pd, &A, B, L, DIR)))
  S
|
- A = ib_dma_map_single(D, B, L, DIR);
- if (ib_dma_mapping_error(D, A))
+ if (rdma_map_sge_single(pd, &A, B, L, DIR))
  S
|
- A = ib_dma_map_single(D, B, L, DIR);
- RET = ib_dma_mapping_error(D, A);
+ RET = rdma_map_sge_single(pd, &A, B, L, DIR);
)
...> }

// prototypes in the ULP's headers: the parameter at the helper's index
@tp depends on patch@
identifier TPF;
parameter list[n] ps;
identifier D2;
type TR;
position p;
@@
TR TPF(ps, struct ib_device *D2@p, ...);

@script:python depends on tp@
fn << tp.TPF;
n << tp.n;
p << tp.p;
@@
if fn in threaded and devparam[fn][0] == n:
    proto_pos.add(key(p))

@depends on patch@
identifier TPF2 : script:python () { (TPF2 in threaded) };
identifier D2;
type TR;
position p : script:python () { key(p) in proto_pos };
symbol pd;
@@
TR TPF2(...,
- struct ib_device *D2@p
+ struct ib_pd *pd
 , ...);

@depends on thrs@
identifier thr.HF, thr.D;
type TR;
symbol pd;
@@
TR HF(...,
- struct ib_device *D
+ struct ib_pd *pd
 , ...) { ... }

@depends on thrs@
identifier thr.HF, thr.D;
type TR;
symbol pd;
@@
TR HF(...) { <...
- D
+ pd->device
...> }

// the callers, after the helpers (whose own calls now pass pd->device):
// the device argument at the helper's index becomes the pd next to it
@tc depends on patch@
identifier fdev.fn;
expression list[fdev.n] es;
identifier g;
expression X;
type TR;
@@
TR g(...) { <+... fn(es, X, ...) ...+> }

@script:python tcs@
fn << fdev.fn;
g << tc.g;
x << tc.X;
PDX;
@@
pdx = call_pd(g, fn, x) if fn in threaded else None
if pdx is None:
    cocci.include_match(False)
else:
    coccinelle.PDX = pdx
    pd_callers.add(g)

@depends on patch@
identifier fdev.fn, tc.g, tcs.PDX;
expression list[fdev.n] es;
expression tc.X;
type TR;
@@
TR g(...) { <...
 fn(es,
- X
+ PDX
 , ...)
...> }

// maps with a device local of a nested device (scan: cmln): the pd of
// the struct that holds it, by function and local
@nm depends on patch disable ptr_to_array, unlikely@
expression A : script:python () { conv(A) };
identifier D;
expression B, L, DIR;
position p;
@@
 A = ib_dma_map_single(D@p, B, L, DIR);

@script:python nms@
d << nm.D;
p << nm.p;
NPD;
@@
k = (p[0].current_element, d)
if k in nested_pd:
    coccinelle.NPD = nested_pd[k]
else:
    cocci.include_match(False)

@depends on nms disable ptr_to_array, unlikely@
expression nm.A, nm.B, nm.L, nm.DIR;
identifier nm.D, nms.NPD;
position nm.p;
expression RET;
statement S;
@@
- A = ib_dma_map_single(D@p, B, L, DIR);
(
- if (unlikely(ib_dma_mapping_error(D, A)))
+ if (unlikely(rdma_map_sge_single(NPD, &A, B, L, DIR)))
  S
|
- if (ib_dma_mapping_error(D, A))
+ if (rdma_map_sge_single(NPD, &A, B, L, DIR))
  S
|
- RET = ib_dma_mapping_error(D, A);
+ RET = rdma_map_sge_single(NPD, &A, B, L, DIR);
)

// sge fills (lkey = pd->local_dma_lkey or a cached copy of it) posting
// the mapped length become a plain copy.  Positions are recorded right
// before the rule that uses them: a rewrite changes the positions after it.
@wf depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression PD;
expression X, L2;
position pa, p;
@@
(
 X.addr = A@pa;
 X.length@p = L2;
 X.lkey = PD->local_dma_lkey;
|
 X->addr = A@pa;
 X->length@p = L2;
 X->lkey = PD->local_dma_lkey;
)

@script:python depends on wf@
a << wf.A;
l << wf.L2;
pa << wf.pa;
p << wf.p;
@@
fill_now.add(key(pa))
filled_fns.add(pa[0].current_element)
if whole(a, l) or fill_is_whole(a, l, pa):
    whole_fill.add(key(p))

@wfc depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
identifier T;
identifier M : script:python (T) { cached_lkey(T, M) };
struct T *C;
expression X, L2;
position pa, p;
@@
(
 X.addr = A@pa;
 X.length@p = L2;
 X.lkey = C->M;
|
 X->addr = A@pa;
 X->length@p = L2;
 X->lkey = C->M;
)

@script:python depends on wfc@
a << wfc.A;
l << wfc.L2;
pa << wfc.pa;
p << wfc.p;
@@
fill_now.add(key(pa))
filled_fns.add(pa[0].current_element)
if whole(a, l) or fill_is_whole(a, l, pa):
    whole_fill.add(key(p))

// a fill that follows the map in the same function posts what was mapped
@wfm depends on patch disable ptr_to_array, unlikely@
expression A : script:python () { conv(A) };
expression PD, PD2, B, L, DIR, RET, X, LK, E2;
statement S;
position p;
@@
(
 if (rdma_map_sge_single(PD, &A, B, L, DIR)) S
|
 if (unlikely(rdma_map_sge_single(PD, &A, B, L, DIR))) S
|
 RET = rdma_map_sge_single(PD, &A, B, L, DIR);
)
 ... when != rdma_map_sge_single(PD2, &A, ...)
     when != L = E2
(
 X.addr = A;
 X.length@p = L;
 X.lkey = LK;
|
 X->addr = A;
 X->length@p = L;
 X->lkey = LK;
)

@script:python depends on wfm@
p << wfm.p;
@@
whole_fill.add(key(p))

@depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression X, LK, L2;
position pa : script:python () { key(pa) in fill_now };
position p : script:python () { key(p) in whole_fill };
@@
(
- X.addr = A@pa;
- X.length@p = L2;
- X.lkey = LK;
+ X = A;
|
- X->addr = A@pa;
- X->length@p = L2;
- X->lkey = LK;
+ *X = A;
)

@script:python depends on patch@
@@
fill_now.clear()

// the other fills: copy, then trim the length
@tf depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression PD;
expression X, L2;
position pa, p;
@@
(
 X.addr = A@pa;
 X.length@p = L2;
 X.lkey = PD->local_dma_lkey;
|
 X->addr = A@pa;
 X->length@p = L2;
 X->lkey = PD->local_dma_lkey;
)

@script:python depends on tf@
a << tf.A;
l << tf.L2;
pa << tf.pa;
p << tf.p;
@@
fill_now.add(key(pa))
filled_fns.add(pa[0].current_element)

@tfc depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
identifier T;
identifier M : script:python (T) { cached_lkey(T, M) };
struct T *C;
expression X, L2;
position pa, p;
@@
(
 X.addr = A@pa;
 X.length@p = L2;
 X.lkey = C->M;
|
 X->addr = A@pa;
 X->length@p = L2;
 X->lkey = C->M;
)

@script:python depends on tfc@
a << tfc.A;
l << tfc.L2;
pa << tfc.pa;
p << tfc.p;
@@
fill_now.add(key(pa))
filled_fns.add(pa[0].current_element)

@depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression X, LK, L2;
position pa : script:python () { key(pa) in fill_now };
@@
(
- X.addr = A@pa;
+ X = A;
  X.length = L2;
- X.lkey = LK;
|
- X->addr = A@pa;
+ *X = A;
  X->length = L2;
- X->lkey = LK;
)

@script:python depends on patch@
@@
fill_now.clear()

// fills at an offset: rdma_sge_part(), when the length cannot read the sge
// the original was storing field by field (fill_order.py)
@of depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression PD;
expression X, OFF;
expression L2 : script:python (X) { not fill_order.length_reads_sge(L2, X) };
position pa;
@@
(
 X.addr = A@pa + OFF;
 X.length = L2;
 X.lkey = PD->local_dma_lkey;
|
 X->addr = A@pa + OFF;
 X->length = L2;
 X->lkey = PD->local_dma_lkey;
)

@script:python depends on of@
pa << of.pa;
@@
fill_now.add(key(pa))
filled_fns.add(pa[0].current_element)

@ofc depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
identifier T;
identifier M : script:python (T) { cached_lkey(T, M) };
struct T *C;
expression X, OFF;
expression L2 : script:python (X) { not fill_order.length_reads_sge(L2, X) };
position pa;
@@
(
 X.addr = A@pa + OFF;
 X.length = L2;
 X.lkey = C->M;
|
 X->addr = A@pa + OFF;
 X->length = L2;
 X->lkey = C->M;
)

@script:python depends on ofc@
pa << ofc.pa;
@@
fill_now.add(key(pa))
filled_fns.add(pa[0].current_element)

@depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression X, LK, OFF, L2;
position pa : script:python () { key(pa) in fill_now };
@@
(
- X.addr = A@pa + OFF;
- X.length = L2;
- X.lkey = LK;
+ rdma_sge_part(&X, &A, OFF, L2);
|
- X->addr = A@pa + OFF;
- X->length = L2;
- X->lkey = LK;
+ rdma_sge_part(X, &A, OFF, L2);
)

// a memset of the local sge just before the fill, which the copy of the
// mapped sge or rdma_sge_part() now overwrites whole: addr, length and lkey
// are all of struct ib_sge (isert_login_post_recv())
@depends on patch disable ptr_to_array@
identifier fn : script:python () { (fn in filled_fns) };
idexpression struct ib_sge X;
expression A : script:python () { conv(A) };
expression OFF, L2;
@@
fn(...) { <...
(
- memset(&X, 0, sizeof(struct ib_sge));
|
- memset(&X, 0, sizeof(X));
)
(
  X = A;
|
  rdma_sge_part(&X, &A, OFF, L2);
)
...> }

@depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression D, L2, DIR;
@@
- ib_dma_unmap_single(D, A, L2, DIR)
+ rdma_unmap_sge(D, &A, DIR)

// the form each sync takes was decided from the facts (sge_sync.py):
// the whole sge, or the range from 0 that is shown inside it
@depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression D, DIR, L2;
position p : script:python (A, L2) { sync_is(p[0].current_element, A, L2, True, "whole") };
@@
- ib_dma_sync_single_for_cpu@p(D, A, L2, DIR)
+ rdma_sync_sge_for_cpu(D, &A, DIR)

@depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression D, DIR, L2;
position p : script:python (A, L2) { sync_is(p[0].current_element, A, L2, False, "whole") };
@@
- ib_dma_sync_single_for_device@p(D, A, L2, DIR)
+ rdma_sync_sge_for_device(D, &A, DIR)

@depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression D, DIR, L2;
position p : script:python (A, L2) { sync_is(p[0].current_element, A, L2, True, "range") };
@@
- ib_dma_sync_single_for_cpu@p(D, A, L2, DIR)
+ rdma_sync_sge_range_for_cpu(D, &A, 0, L2, DIR)

@depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression D, DIR, L2;
position p : script:python (A, L2) { sync_is(p[0].current_element, A, L2, False, "range") };
@@
- ib_dma_sync_single_for_device@p(D, A, L2, DIR)
+ rdma_sync_sge_range_for_device(D, &A, 0, L2, DIR)

// A local pointer whose only use was the lkey of a rewritten sge fill
// (srp's "struct srp_target_port *target = ch->target;", rtrs's
// "struct rtrs_path *path = con->path;") goes with it.
@lptr depends on patch@
identifier T;
identifier fn : script:python () { (fn in filled_fns) };
identifier C;
expression E : script:python () { "(" not in E };
@@
fn(...) { <+... struct T *C = E; ...+> }

@lptr_used depends on patch@
identifier lptr.fn, lptr.C;
@@
fn(...) { <+... C ...+> }

@script:python depends on lptr_used@
fn << lptr.fn;
c << lptr.C;
@@
lptr_keep.add((fn, c))

@depends on patch@
identifier lptr.T, lptr.fn;
identifier C : script:python (fn) { (fn, C) not in lptr_keep };
expression E;
@@
fn(...) { <...
- struct T *C = E;
...> }

// A device local whose only use was the argument a helper now takes as the
// pd (nvme_rdma_destroy_queue_ib()'s "ibdev = dev->dev;") goes, with its
// stores, when they call nothing.
@dl depends on patch@
identifier g : script:python () { (g in pd_callers) };
identifier D;
type TR;
@@
TR g(...) { <+... struct ib_device *D; ...+> }

@dl_use depends on patch@
identifier dl.D;
position p;
@@
D@p

@script:python depends on dl_use@
g << dl.g;
d << dl.D;
p << dl_use.p;
@@
if p[0].current_element == g:
    dl_uses.setdefault((g, d), set()).add(key(p))

@dl_store depends on patch@
identifier dl.D;
expression E : script:python () { "(" not in E };
position p;
@@
D@p = E;

@script:python depends on dl_store@
g << dl.g;
d << dl.D;
p << dl_store.p;
@@
if p[0].current_element == g:
    dl_stores.setdefault((g, d), set()).add(key(p))

@depends on patch@
identifier dl.g;
identifier D : script:python (g) { bool(dl_uses.get((g, D))) and dl_uses.get((g, D), set()) <= dl_stores.get((g, D), set()) };
expression E;
type TR;
@@
TR g(...) { <...
(
- struct ib_device *D;
|
- D = E;
)
...> }

// a test whose block is now the one-line unmap: no braces (checkpatch)
@depends on patch@
expression E, D, A, DIR;
identifier F : script:python () { conv(". " + F) };
@@
- if (E->F.addr) {
-	rdma_unmap_sge(D, A, DIR);
- }
+ if (E->F.addr)
+	rdma_unmap_sge(D, A, DIR);

// ---- 3. the converted field says what it holds ----

@depends on patch disable ptr_to_array@
identifier T;
struct T *E;
identifier F : script:python (T) { (F in renamed and T in decl_struct.get(F, ()) and (F, T) not in kept_members) };
fresh identifier N = script:python(F) { renamed[F] };
@@
- E->F
+ E->N

@depends on patch disable ptr_to_array@
identifier T;
struct T E;
identifier F : script:python (T) { (F in renamed and T in decl_struct.get(F, ()) and (F, T) not in kept_members) };
fresh identifier N = script:python(F) { renamed[F] };
@@
- E.F
+ E.N

@depends on patch@
identifier T;
identifier F : script:python (T) { (F in renamed and T in decl_struct.get(F, ()) and (F, T) not in kept_members) };
fresh identifier N = script:python(F) { renamed[F] };
@@
struct T { ...
- struct ib_sge F;
+ struct ib_sge N;
  ... };
