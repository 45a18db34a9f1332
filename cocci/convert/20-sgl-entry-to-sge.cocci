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
/// fill alone.
//
// Confidence: High
// Options: --no-includes --include-headers

virtual patch
virtual context
virtual org
virtual report

@depends on patch@
expression X, SG, PD;
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
expression X, SG, PD, E;
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
