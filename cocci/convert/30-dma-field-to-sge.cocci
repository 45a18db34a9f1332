// SPDX-License-Identifier: GPL-2.0-only
/// "Split" shape: a struct keeps the DMA handle of a buffer in a bare
/// u64/dma_addr_t field; the buffer is mapped in one place, an sge is
/// filled from the field elsewhere, syncs and unmaps use the field.
/// The field becomes a struct ib_sge of the same name, mapped with
/// rdma_map_sge_single(); sge fills become a copy of it (trimmed when the
/// posted length differs); syncs and unmaps take the sge.
///
/// All or nothing per field: it is converted only when the field name is
/// declared once in the files processed together, every map of it is
/// followed by its error check and by a local_dma_lkey fill of the same
/// function (which gives the pd), and every other use is an sge fill
/// (addr, length, lkey = pd->local_dma_lkey), a sync, or an unmap with a
/// mapped length.  Any other use, anywhere, leaves the field alone.
/// Assumes the pd of the map and of the sge fills is the same (one pd per
/// ULP connection), as it is in every ULP.
//
// Confidence: Moderate
// Options: --no-includes --include-headers

virtual patch
virtual context
virtual org
virtual report

@initialize:python@
@@
import re

decls = {}      # field -> number of u64/dma_addr_t member declarations
members = {}    # field -> number of member declarations of any type
maplens = {}    # field -> set of mapped length texts
maps_all = {}   # field -> positions of maps
maps_ok = {}    # field -> positions of maps with the full shape
ok_pos = set()  # positions of recognised uses
uses = {}       # field -> list of positions of every use
blocked = set()
whole_fill = set()

def norm(s):
    return re.sub(r'\s+', '', s)

def key(p):
    # the end of the field access (where E->F and A positions agree)
    return (p[0].file, p[0].line_end, p[0].column_end)

def field_of(a):
    m = re.search(r'(?:->|\.)\s*(\w+)\s*$', a)
    return m.group(1) if m else None

def compute_blocked():
    blocked.clear()
    for f in set(decls) | set(uses):
        if decls.get(f, 0) != 1 or members.get(f, 0) != 1:
            blocked.add(f)
        elif not maps_all.get(f) or maps_all.get(f) != maps_ok.get(f):
            blocked.add(f)
        elif any(k not in ok_pos for k in uses.get(f, [])):
            blocked.add(f)

def conv(a):
    f = field_of(a)
    return f is not None and f in decls and f not in blocked

def whole(a, ln):
    return norm(ln) in maplens.get(field_of(a), set())

@script:python reset depends on patch@
@@
for d in (decls, members, maplens, maps_all, maps_ok, uses):
    d.clear()
ok_pos.clear()
blocked.clear()
whole_fill.clear()

// ---- 1. scan ----

@fd depends on patch@
identifier T, F;
typedef u64, dma_addr_t;
@@
struct T { ...
 \(u64\|dma_addr_t\) F;
 ... };

@script:python depends on fd@
f << fd.F;
@@
decls[f] = decls.get(f, 0) + 1

@md depends on patch@
identifier T, F;
type FT;
@@
struct T { ...
 FT F;
 ... };

@script:python depends on md@
f << md.F;
@@
members[f] = members.get(f, 0) + 1

@anyuse depends on patch disable ptr_to_array@
expression E;
identifier F;
position p;
@@
\(E->F@p\|E.F@p\)

@script:python depends on anyuse@
f << anyuse.F;
p << anyuse.p;
@@
if f in decls:
    uses.setdefault(f, []).append(key(p))

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
l << cm.L;
p1 << cm.p1;
p2 << cm.p2;
@@
f = field_of(a)
maps_ok.setdefault(f, set()).add(key(p1))
maplens.setdefault(f, set()).add(norm(l))
ok_pos.add(key(p1))
ok_pos.add(key(p2))

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
p << cf.p;
@@
ok_pos.add(key(p))

@cs depends on patch disable ptr_to_array@
expression A : script:python () { field_of(A) in decls };
expression D, L2, DIR;
position p;
@@
\(ib_dma_sync_single_for_cpu\|ib_dma_sync_single_for_device\)(D, A@p, L2, DIR)

@script:python depends on cs@
p << cs.p;
@@
ok_pos.add(key(p))

@cu depends on patch disable ptr_to_array@
expression A : script:python () { field_of(A) in decls };
expression D, L2, DIR;
position p;
@@
ib_dma_unmap_single(D, A@p, L2, DIR)

@script:python depends on cu@
a << cu.A;
l << cu.L2;
p << cu.p;
@@
cu_pending = globals().setdefault('cu_pending', [])
cu_pending.append((field_of(a), norm(l), key(p)))

@script:python fin depends on patch@
@@
for f, l, k in globals().get('cu_pending', []):
    if l in maplens.get(f, set()):
        ok_pos.add(k)
del globals().setdefault('cu_pending', [])[:]
compute_blocked()

// ---- 2. convert the unblocked fields ----

@depends on patch@
identifier T;
identifier F : script:python () { F in decls and F not in blocked };
@@
struct T { ...
- \(u64\|dma_addr_t\) F;
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

// sge fills posting the mapped length become a plain copy
@wf depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression X, PD, L2;
position p;
@@
(
 X.addr = A;
 X.length@p = L2;
 X.lkey = PD->local_dma_lkey;
|
 X->addr = A;
 X->length@p = L2;
 X->lkey = PD->local_dma_lkey;
)

@script:python depends on wf@
a << wf.A;
l << wf.L2;
p << wf.p;
@@
if whole(a, l):
    whole_fill.add(key(p))

@depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression X, PD, L2;
position p : script:python () { key(p) in whole_fill };
@@
(
- X.addr = A;
- X.length@p = L2;
- X.lkey = PD->local_dma_lkey;
+ X = A;
|
- X->addr = A;
- X->length@p = L2;
- X->lkey = PD->local_dma_lkey;
+ *X = A;
)

@depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression X, PD, L2;
@@
(
- X.addr = A;
+ X = A;
  X.length = L2;
- X.lkey = PD->local_dma_lkey;
|
- X->addr = A;
+ *X = A;
  X->length = L2;
- X->lkey = PD->local_dma_lkey;
)

@depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression D, L2, DIR;
@@
- ib_dma_unmap_single(D, A, L2, DIR)
+ rdma_unmap_sge(D, &A, DIR)

@depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression D, DIR;
expression L2 : script:python (A) { whole(A, L2) };
@@
- ib_dma_sync_single_for_cpu(D, A, L2, DIR)
+ rdma_sync_sge_for_cpu(D, &A, DIR)

@depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression D, DIR;
expression L2 : script:python (A) { whole(A, L2) };
@@
- ib_dma_sync_single_for_device(D, A, L2, DIR)
+ rdma_sync_sge_for_device(D, &A, DIR)

@depends on patch disable ptr_to_array@
expression A : script:python () { conv(A) };
expression D, DIR, L2;
@@
(
- ib_dma_sync_single_for_cpu(D, A, L2, DIR)
+ rdma_sync_sge_range_for_cpu(D, &A, 0, L2, DIR)
|
- ib_dma_sync_single_for_device(D, A, L2, DIR)
+ rdma_sync_sge_range_for_device(D, &A, 0, L2, DIR)
)
