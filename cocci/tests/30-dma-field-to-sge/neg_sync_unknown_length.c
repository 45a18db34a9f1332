/* A descriptor mapped whole in its alloc helper and synced for the CPU
 * with a length the caller passes, in a function that neither copies that
 * many bytes at the buffer nor posts it: nothing shows the range is inside
 * the mapping, and a range that falls outside syncs nothing.  The field
 * stays (RDMA_SGE_COCCI_DEBUG=1 says why). */
struct ulp_device {
	struct ib_device *dev;
	struct ib_pd *pd;
};

struct ulp_desc {
	void *buf;
	u64 dma;
};

static int ulp_desc_alloc(struct ulp_device *udev, struct ulp_desc *desc,
			  size_t size)
{
	desc->buf = kzalloc(size, GFP_KERNEL);
	if (!desc->buf)
		return -ENOMEM;
	desc->dma = ib_dma_map_single(udev->dev, desc->buf, size,
				      DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(udev->dev, desc->dma)) {
		kfree(desc->buf);
		return -ENOMEM;
	}
	return 0;
}

static void ulp_desc_peek(struct ulp_device *udev, struct ulp_desc *desc,
			  u32 len)
{
	ib_dma_sync_single_for_cpu(udev->dev, desc->dma, len,
				   DMA_FROM_DEVICE);
	ulp_parse(desc->buf, len);
}

static void ulp_desc_free(struct ulp_device *udev, struct ulp_desc *desc,
			  size_t size)
{
	ib_dma_unmap_single(udev->dev, desc->dma, size, DMA_FROM_DEVICE);
	kfree(desc->buf);
}
