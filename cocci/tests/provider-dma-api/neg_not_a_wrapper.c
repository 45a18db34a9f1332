// Shaped after drivers/infiniband/core/device.c (Linux 6.12): a helper that
// is not a wrapper of the DMA API (ib_dma_virt_map_sg) and a call of the DMA
// API itself stay as they are.
int ib_dma_virt_map_sg(struct ib_device *dev, struct scatterlist *sg, int nents)
{
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, nents, i) {
		sg_dma_address(s) = (uintptr_t)sg_virt(s);
		sg_dma_len(s) = s->length;
	}
	return nents;
}
EXPORT_SYMBOL(ib_dma_virt_map_sg);

static int example_map(struct ib_device *dev, struct scatterlist *sg, int nents)
{
	if (ib_uses_virt_dma(dev))
		return ib_dma_virt_map_sg(dev, sg, nents);
	return dma_map_sg(dev->dma_device, sg, nents, DMA_TO_DEVICE);
}
