// SPDX-License-Identifier: GPL-2.0-only
/// An sge filled by hand from one entry of a DMA-mapped scatterlist
/// (addr = sg_dma_address(sg), length = sg_dma_len(sg), lkey =
/// pd->local_dma_lkey) becomes rdma_fill_ib_sge_from_sgl(pd, &sge, 1, sg, 1),
/// which stores the same three values.  The scatterlist keeps owning the
/// mapping: its map and unmap stay (the map_mr_sg step).
///
/// The lkey store may come first, as in iser's single-entry registration,
/// when nothing between it and the other two mentions the sge or the
/// scatterlist entry or calls a function: the fill then takes its place.  Any other
/// lkey (an MR's, or one chosen at run time) or another length leaves the
/// fill alone.  So does a family of sges (the member name, as in rule 10)
/// that the code releases one by one with ib_dma_unmap_single() or
/// ib_dma_unmap_page() (ksmbd's data sges): memory a list mapping owns,
/// released as single mappings, is a mismatch of the original that the
/// audit reports; the builder would hide it.
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

released = set()  # families unmapped one sge at a time

def fam_of(e):
    m = re.search(r'(\w+)\s*(\[[^\]]*\])?\s*$', e.lstrip("&").strip())
    return m.group(1) if m else None

def fill_ok(x):
    return fam_of(x) not in released

@unmapped depends on patch@
identifier fn =~ "^ib_dma_unmap_(single|page)$";
expression X, D, LEN, DIR;
@@
 fn(D, \(X.addr\|X->addr\), LEN, DIR)

@script:python depends on unmapped@
x << unmapped.X;
@@
released.add(fam_of(x))

@depends on patch@
expression X : script:python () { fill_ok(X) };
expression SG, PD;
@@
(
- X.addr = sg_dma_address(SG);
- X.length = sg_dma_len(SG);
- X.lkey = PD->local_dma_lkey;
+ rdma_fill_ib_sge_from_sgl(PD, &X, 1, SG, 1);
|
- X->addr = sg_dma_address(SG);
- X->length = sg_dma_len(SG);
- X->lkey = PD->local_dma_lkey;
+ rdma_fill_ib_sge_from_sgl(PD, X, 1, SG, 1);
)

@depends on patch@
expression X : script:python () { fill_ok(X) };
expression SG, PD, E;
identifier FN;
@@
(
- X.lkey = PD->local_dma_lkey;
+ rdma_fill_ib_sge_from_sgl(PD, &X, 1, SG, 1);
  ... when != X
      when != SG
      when != PD = E
      when != FN(...)
- X.addr = sg_dma_address(SG);
- X.length = sg_dma_len(SG);
|
- X->lkey = PD->local_dma_lkey;
+ rdma_fill_ib_sge_from_sgl(PD, X, 1, SG, 1);
  ... when != X
      when != SG
      when != PD = E
      when != FN(...)
- X->addr = sg_dma_address(SG);
- X->length = sg_dma_len(SG);
)
