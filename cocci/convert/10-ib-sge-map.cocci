// SPDX-License-Identifier: GPL-2.0-only
/// Convert buffers that a ULP already describes with a struct ib_sge from
/// ib_dma_map_single()/ib_dma_map_page() + ib_dma_mapping_error() + a
/// hand-filled sge (addr, length, lkey = pd->local_dma_lkey) to
/// rdma_map_sge_single()/rdma_map_sge_page(), and the unmaps and syncs of
/// those sges to rdma_unmap_sge()/rdma_sync_sge_*().
///
/// A family is the sge field name (c->sge[0], r->send_sge, sge->...).  It is
/// converted in a file only when every map into it there has the full
/// shape map, error check, lkey from a pd, and every unmap of it uses its own
/// length or the mapped length.  Otherwise the file is left alone for that
/// family (the audit reports it).  A converted sge keeps any length that the
/// code stores after the map (the API fills the mapped length first).
//
// Confidence: High
// Options: --no-includes --include-headers

virtual patch
virtual context
virtual org
virtual report

@initialize:python@
@@
import re

# family -> set of (sge text, mapped length text) of convertible maps
cands = {}
# families with a use the rules cannot follow
blocked = set()
# positions (file, line, col) of maps that have the full shape
good_maps = set()
all_maps = []
# maps into a local later stored in an sge: (function, local, family, keys)
tmp_maps = []
tmp_uses = {}   # (function, local) -> positions of every use of the local
tmp_ok = set()  # map positions of those that convert
tmp_dead = set()  # locals whose maps convert

def fam_of(e):
    m = re.search(r'(\w+)\s*(\[[^\]]*\])?\s*$', e)
    return m.group(1) if m else None

def norm(s):
    return re.sub(r'\s+', '', s)

def pos_key(p):
    return (p[0].file, p[0].line, p[0].column)

def family_ok(e):
    f = fam_of(e)
    return f is not None and f in cands and f not in blocked

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
good_maps.clear()
del all_maps[:]
del tmp_maps[:]
tmp_uses.clear()
tmp_ok.clear()
tmp_dead.clear()

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
cands.setdefault(fam_of(e), set()).add((norm(e), norm(l)))
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
cands.setdefault(fam_of(e), set()).add((norm(e), norm(l)))
good_maps.add(pos_key(p))

// mapped into a local, checked, then stored in an sge of a struct with the
// posted length and the lkey (svcrdma's receive context): the local must
// have no other use in the function
@candt depends on patch disable ptr_to_array, unlikely@
identifier V, C, F;
expression D, B, L, L2, DIR, PD, RET, E3;
statement S;
position p0, p1, p2;
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
 C->F.addr = V@p2;
 C->F.length = L2;
 C->F.lkey = PD->local_dma_lkey;

@script:python depends on candt@
v << candt.V;
c << candt.C;
f << candt.F;
l << candt.L;
p0 << candt.p0;
p1 << candt.p1;
p2 << candt.p2;
@@
tmp_maps.append((p0[0].current_element, v, f, pos_key(p0),
                 {pos_key(p0), pos_key(p1), pos_key(p2)}))
cands.setdefault(f, set()).add((norm(c + "->" + f), norm(l)))

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
for fn, v, f, k0, own in tmp_maps:
    mine.setdefault((fn, v), set()).update(own)
for fn, v, f, k0, own in tmp_maps:
    if tmp_uses.get((fn, v), set()) <= mine[(fn, v)]:
        tmp_ok.add(k0)
    else:
        blocked.add(f)

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
    blocked.add(fam_of(e))

@anyunmap depends on patch disable ptr_to_array, unlikely@
expression X, D, LEN, DIR;
@@
 \(ib_dma_unmap_single\|ib_dma_unmap_page\)(D, X.addr, LEN, DIR)

@script:python depends on anyunmap@
x << anyunmap.X;
ln << anyunmap.LEN;
@@
if fam_of(x) in cands and not whole_len(x, False, ln):
    blocked.add(fam_of(x))

@anyunmapp depends on patch disable ptr_to_array, unlikely@
expression X, D, LEN, DIR;
@@
 \(ib_dma_unmap_single\|ib_dma_unmap_page\)(D, X->addr, LEN, DIR)

@script:python depends on anyunmapp@
x << anyunmapp.X;
ln << anyunmapp.LEN;
@@
if fam_of(x) in cands and not whole_len(x, True, ln):
    blocked.add(fam_of(x))

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
    blocked.add(fam_of(x))

// ---- 3. convert the maps of unblocked families ----

// first, while the positions of the scan still hold: maps into a local
@depends on patch disable ptr_to_array, unlikely@
identifier V, C;
identifier F : script:python () { family_ok(F) };
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
for fn, v, f, k0, own in tmp_maps:
    if k0 in tmp_ok and family_ok(f):
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
expression D, LEN, DIR, OFF;
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
|
- ib_dma_sync_single_for_cpu(D, X.addr + OFF, LEN, DIR)
+ rdma_sync_sge_range_for_cpu(D, &X, OFF, LEN, DIR)
|
- ib_dma_sync_single_for_cpu(D, X->addr + OFF, LEN, DIR)
+ rdma_sync_sge_range_for_cpu(D, X, OFF, LEN, DIR)
|
- ib_dma_sync_single_for_device(D, X.addr + OFF, LEN, DIR)
+ rdma_sync_sge_range_for_device(D, &X, OFF, LEN, DIR)
|
- ib_dma_sync_single_for_device(D, X->addr + OFF, LEN, DIR)
+ rdma_sync_sge_range_for_device(D, X, OFF, LEN, DIR)
)

// a sync of the mapped length is a whole-sge sync; any other length is
// the range starting at 0
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

@depends on patch disable ptr_to_array, unlikely@
expression D, DIR, LEN;
expression X : script:python () { family_ok(X) };
@@
(
- ib_dma_sync_single_for_cpu(D, X.addr, LEN, DIR)
+ rdma_sync_sge_range_for_cpu(D, &X, 0, LEN, DIR)
|
- ib_dma_sync_single_for_device(D, X.addr, LEN, DIR)
+ rdma_sync_sge_range_for_device(D, &X, 0, LEN, DIR)
|
- ib_dma_sync_single_for_cpu(D, X->addr, LEN, DIR)
+ rdma_sync_sge_range_for_cpu(D, X, 0, LEN, DIR)
|
- ib_dma_sync_single_for_device(D, X->addr, LEN, DIR)
+ rdma_sync_sge_range_for_device(D, X, 0, LEN, DIR)
)
