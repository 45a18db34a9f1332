// Shaped after ib_dma_map_sg_attrs() in include/rdma/ib_verbs.h (Linux
// 6.12): a helper that is not a wrapper of the DMA API (ib_dma_virt_map_sg)
// and a call of the DMA API itself stay as they are.
static int example_map(struct ib_device *dev, struct scatterlist *sg, int nents)
{
	if (ib_uses_virt_dma(dev))
		return ib_dma_virt_map_sg(dev, sg, nents);
	return dma_map_sg(dev->dma_device, sg, nents, DMA_TO_DEVICE);
}
