/// Find DMA-API mismatches that the code has today, before any conversion:
/// an sge whose length is trimmed after the map and that is then unmapped
/// with its own length (the unmap size is not the mapped size), sges filled
/// from a mapped scatterlist and released one by one with
/// ib_dma_unmap_single()/ib_dma_unmap_page(), memory mapped as a page and
/// released as a single buffer, and a sync of a DMA handle in a function
/// that its caller runs before the one that maps it.
///
/// These are worth a patch of their own to the ULP's maintainer, and they
/// are why the conversion leaves such sges alone: rdma_unmap_sge() and the
/// rdma_sync_sge_*() helpers promise the sge is the one a builder mapped.
/// An sge family is the member name (c->sge[0], sge->...), as in the
/// conversion rule 10.  Each report names both lines.
//
// Confidence: Moderate
// Comments: one file at a time; a helper that maps in another file is
//  not seen.
// Options: --no-includes --include-headers

virtual report
virtual org

@initialize:python@
@@
import re

maps = {}      # family -> [(kind, length, line, sge text)]
trims = {}     # family -> [(value, line, mapped length, map line)]
sgfills = {}   # family -> [line]
unmaps = []    # (family, kind, length, sge text, position)
syncfns = {}   # function -> {member: position of the sync}
mapfns = {}    # function -> {member: line of the map}

def fam_of(e):
    m = re.search(r'(\w+)\s*(\[[^\]]*\])?\s*$', e)
    return m.group(1) if m else None

def norm(s):
    return re.sub(r'\s+', '', s)

def zero(v):
    return norm(v) in ("0", "0UL", "0ULL", "0u")

def variable(e):
    # an sge picked at run time: a variable index, or a pointer walking
    # the array (sge->addr)
    m = re.search(r'\[([^\]]*)\]\s*$', e)
    if m is not None:
        return not re.match(r'^\s*\d+\s*$', m.group(1))
    return re.match(r'^\s*\w+\s*$', e) is not None

def add_map(e, kind, length, p):
    maps.setdefault(fam_of(e), []).append((kind, norm(length),
                                           p[0].line, norm(e)))

@map_single depends on report || org@
expression X, D, B, L, DIR;
position p;
@@
(
 X.addr@p = ib_dma_map_single(D, B, L, DIR)
|
 X->addr@p = ib_dma_map_single(D, B, L, DIR)
)

@script:python depends on map_single@
x << map_single.X;
l << map_single.L;
p << map_single.p;
@@
add_map(x, "single", l, p)

@map_page depends on report || org@
expression X, D, B, O, L, DIR;
position p;
@@
(
 X.addr@p = ib_dma_map_page(D, B, O, L, DIR)
|
 X->addr@p = ib_dma_map_page(D, B, O, L, DIR)
)

@script:python depends on map_page@
x << map_page.X;
l << map_page.L;
p << map_page.p;
@@
add_map(x, "page", l, p)

// mapped into a local that is then stored in an sge (smb client's
// smb_set_sge())
@map_local depends on report || org@
identifier V;
expression X, D, B, O, L, DIR, E;
position p;
@@
(
 V = ib_dma_map_page(D, B, O, L, DIR);
|
 V = ib_dma_map_single(D, B, L, DIR);
)
 ... when != V = E
(
 X.addr@p = V
|
 X->addr@p = V
)

@script:python depends on map_local@
x << map_local.X;
l << map_local.L;
o << map_local.O = "";
p << map_local.p;
@@
add_map(x, "page" if o else "single", l, p)

// a length stored after the map of the same sge, in the same function
@trim depends on report || org@
expression X, V, D, B, O, L, DIR, E;
position p, pm;
@@
(
 X.addr@pm = \(ib_dma_map_single(D, B, L, DIR)\|ib_dma_map_page(D, B, O, L, DIR)\);
 ... when != X.addr = E
 X.length@p = V;
|
 X->addr@pm = \(ib_dma_map_single(D, B, L, DIR)\|ib_dma_map_page(D, B, O, L, DIR)\);
 ... when != X->addr = E
 X->length@p = V;
)

@script:python depends on trim@
x << trim.X;
v << trim.V;
l << trim.L;
p << trim.p;
pm << trim.pm;
@@
if not zero(v) and norm(v) != norm(l):
    trims.setdefault(fam_of(x), []).append((norm(v), p[0].line, norm(l),
                                            pm[0].line))

@sgfill depends on report || org@
expression X, S;
position p;
@@
(
 X.addr@p = sg_dma_address(S)
|
 X->addr@p = sg_dma_address(S)
)

@script:python depends on sgfill@
x << sgfill.X;
p << sgfill.p;
@@
sgfills.setdefault(fam_of(x), []).append(p[0].line)

// the same, after the conversion: rdma_fill_ib_sge_from_sgl() fills it
@sgfill_builder depends on report || org@
expression PD, X, N, S, M;
position p;
@@
 rdma_fill_ib_sge_from_sgl@p(PD, X, N, S, M)

@script:python depends on sgfill_builder@
x << sgfill_builder.X;
p << sgfill_builder.p;
@@
sgfills.setdefault(fam_of(x.lstrip("&").strip()), []).append(p[0].line)

@unmap depends on report || org@
identifier fn =~ "^ib_dma_unmap_(single|page)$";
expression X, D, LEN, DIR;
position p;
@@
(
 fn@p(D, X.addr, LEN, DIR)
|
 fn@p(D, X->addr, LEN, DIR)
)

@script:python depends on unmap@
fn << unmap.fn;
x << unmap.X;
ln << unmap.LEN;
p << unmap.p;
@@
unmaps.append((fam_of(x), fn[len("ib_dma_unmap_"):], norm(ln), norm(x), p))

// a DMA handle kept in a member: which functions sync it, which map it
@hsync depends on report || org@
identifier sfn =~ "^ib_dma_sync_single_for_(cpu|device)$";
expression E, D, L, DIR;
identifier F;
position p;
@@
 sfn@p(D, E->F, L, DIR)

@script:python depends on hsync@
f << hsync.F;
p << hsync.p;
@@
syncfns.setdefault(p[0].current_element, {}).setdefault(f, p)

@hmap depends on report || org@
expression E, D, B, L, DIR;
identifier F;
position p;
@@
 E->F@p = ib_dma_map_single(D, B, L, DIR)

@script:python depends on hmap@
f << hmap.F;
p << hmap.p;
@@
mapfns.setdefault(p[0].current_element, {}).setdefault(f, p[0].line)

@hmapl depends on report || org@
expression E, D, B, L, DIR, E2;
identifier F, V;
position p;
@@
 V = ib_dma_map_single(D, B, L, DIR);
 ... when != V = E2
 E->F@p = V;

@script:python depends on hmapl@
f << hmapl.F;
p << hmapl.p;
@@
mapfns.setdefault(p[0].current_element, {}).setdefault(f, p[0].line)

@order exists@
identifier G : script:python () { (G in syncfns) };
identifier M : script:python () { (M in mapfns) };
position p1, p2;
@@
 G@p1(...)
 ...
 M@p2(...)

@script:python depends on order && report@
g << order.G;
m << order.M;
p1 << order.p1;
p2 << order.p2;
@@
if g != m:
    for f in sorted(set(syncfns[g]) & set(mapfns[m])):
        coccilib.report.print_report(
            syncfns[g][f][0],
            "MISMATCH syncs ->%s before it is mapped: %s() (line %s) "
            "runs %s() before %s() (line %s), which maps it (line %s)"
            % (f, p1[0].current_element, p1[0].line, g, m, p2[0].line,
               mapfns[m][f]))

@finalize:python depends on report@
@@
for fam, kind, ln, x, p in unmaps:
    mapped = maps.get(fam, [])
    own = ln in (x + "->length", x + ".length")
    cut = trims.get(fam, [])
    if own and cut:
        value, line, length, map_line = cut[0]
        coccilib.report.print_report(
            p[0], "MISMATCH unmaps with its length, which line %s trims "
            "to %s after the map of %s (line %s): not the mapped size"
            % (line, value, length, map_line))
    elif sgfills.get(fam) and variable(x) and \
            x not in {m[3] for m in mapped}:
        coccilib.report.print_report(
            p[0], "MISMATCH releases with ib_dma_unmap_%s() an sge filled "
            "from a mapped scatterlist (line %s): a list mapped with "
            "ib_dma_map_sg() goes back with ib_dma_unmap_sg()"
            % (kind, sgfills[fam][0]))
    elif variable(x):
        picked = [m for m in mapped if variable(m[3])]
        if picked and kind not in {m[0] for m in picked}:
            coccilib.report.print_report(
                p[0], "MISMATCH releases with ib_dma_unmap_%s() sges "
                "mapped with ib_dma_map_%s() (line %s)"
                % (kind, picked[0][0], picked[0][2]))
