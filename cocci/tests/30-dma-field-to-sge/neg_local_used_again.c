/* NEGATIVE: the local the buffer is mapped into is read again after it is
 * stored in the field (printed here): nothing can take its place, so the
 * field is left alone. */
struct tx_desc {
	u64 dma_addr;
	struct ib_sge tx_sg[2];
};

struct dev {
	struct ib_device *ib_device;
	struct ib_pd *pd;
};

static int init_tx_hdrs(struct dev *device, struct tx_desc *tx_desc)
{
	u64 dma_addr;

	dma_addr = ib_dma_map_single(device->ib_device, (void *)tx_desc,
				     ISER_HEADERS_LEN, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(device->ib_device, dma_addr))
		return -ENOMEM;

	tx_desc->dma_addr = dma_addr;
	tx_desc->tx_sg[0].addr = tx_desc->dma_addr;
	tx_desc->tx_sg[0].length = ISER_HEADERS_LEN;
	tx_desc->tx_sg[0].lkey = device->pd->local_dma_lkey;
	pr_debug("tx_desc %p mapped at 0x%llx\n", tx_desc, dma_addr);
	return 0;
}

static void unmap_tx_desc(struct dev *device, struct tx_desc *tx_desc)
{
	ib_dma_unmap_single(device->ib_device, tx_desc->dma_addr,
			    ISER_HEADERS_LEN, DMA_TO_DEVICE);
}
