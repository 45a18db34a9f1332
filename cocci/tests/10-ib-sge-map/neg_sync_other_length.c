/* A receive buffer mapped whole, synced for the CPU with a length the
 * caller passes: nothing shows it is inside the mapping (srp's IUs are
 * synced with lengths renegotiated at every reconnect), so the family
 * stays: a range sync that falls outside would sync nothing. */
struct ulp_rx {
	struct ib_sge sge;
	void *buf;
};

static int ulp_rx_map(struct ulp_dev *dev, struct ulp_rx *rx, size_t size)
{
	rx->sge.addr = ib_dma_map_single(dev->ibdev, rx->buf, size,
					 DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(dev->ibdev, rx->sge.addr))
		return -ENOMEM;
	rx->sge.length = size;
	rx->sge.lkey = dev->pd->local_dma_lkey;
	return 0;
}

static void ulp_rx_peek(struct ulp_dev *dev, struct ulp_rx *rx, u32 len)
{
	ib_dma_sync_single_for_cpu(dev->ibdev, rx->sge.addr, len,
				   DMA_FROM_DEVICE);
	ulp_handle(rx->buf, len);
	ib_dma_sync_single_for_device(dev->ibdev, rx->sge.addr, len,
				      DMA_FROM_DEVICE);
}

static void ulp_rx_unmap(struct ulp_dev *dev, struct ulp_rx *rx)
{
	ib_dma_unmap_single(dev->ibdev, rx->sge.addr, rx->sge.length,
			    DMA_FROM_DEVICE);
}
