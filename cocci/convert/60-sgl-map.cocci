// SPDX-License-Identifier: GPL-2.0-only
/// ib_dma_map_sg(dev, sgl, nents, dir) becomes rdma_map_sgl(dev, sgl,
/// nents, dir) and ib_dma_unmap_sg(dev, sgl, nents, dir) becomes
/// rdma_unmap_sgl(dev, sgl, nents, dir): the same dma_map_sg() and
/// dma_unmap_sg() on the dma_device for a hardware device, the same
/// return value (the mapped count, 0 on failure), so every error check
/// stays as written. For a software device rdma_map_sgl() maps nothing
/// and leaves the DMA side of the list unset, where ib_dma_map_sg() copied
/// the page side into it.
///
/// Only in a ULP where nothing reads the DMA side of a list: the driver
/// (scripts/list_readers.py) runs this rule only when no file of the ULP,
/// as the rules before left it, calls sg_dma_address(), sg_dma_len() or
/// a DMA page iterator, and reports the first reader otherwise. The
/// *_attrs forms stay: the core series has no attrs variant.
//
// Confidence: High
// Requires: no reader of a list's DMA side in the ULP
// Options: --no-includes --include-headers

virtual patch
virtual context
virtual org
virtual report

@depends on patch@
expression DEV, SGL, NENTS, DIR;
@@
(
- ib_dma_map_sg(DEV, SGL, NENTS, DIR)
+ rdma_map_sgl(DEV, SGL, NENTS, DIR)
|
- ib_dma_unmap_sg(DEV, SGL, NENTS, DIR)
+ rdma_unmap_sgl(DEV, SGL, NENTS, DIR)
)
