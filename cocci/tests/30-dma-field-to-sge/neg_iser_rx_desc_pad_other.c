/* iser's rx descriptor with a pad that counts dma_addr as a plain 8: no
 * single sizeof to change, so a wider field would grow every descriptor
 * of the ring past its 256-byte stride: the field stays. */
#define ISER_RX_PAD_SIZE	(256 - (ISER_RX_PAYLOAD_SIZE + \
				 8 + sizeof(struct ib_sge) + \
				 sizeof(struct ib_cqe)))
struct iser_rx_desc {
	struct iser_ctrl             iser_header;
	struct iscsi_hdr             iscsi_header;
	char		             data[ISER_RECV_DATA_SEG_LEN];
	u64		             dma_addr;
	struct ib_sge		     rx_sg;
	struct ib_cqe		     cqe;
	char		             pad[ISER_RX_PAD_SIZE];
} __packed;

struct iser_device {
	struct ib_device *ib_device;
	struct ib_pd *pd;
};

int iser_alloc_rx_descriptors(struct iser_device *device,
			      struct iser_rx_desc *descs, int n)
{
	int i, j;
	u64 dma_addr;
	struct iser_rx_desc *rx_desc;
	struct ib_sge       *rx_sg;

	rx_desc = descs;
	for (i = 0; i < n; i++, rx_desc++)  {
		dma_addr = ib_dma_map_single(device->ib_device, (void *)rx_desc,
					ISER_RX_PAYLOAD_SIZE, DMA_FROM_DEVICE);
		if (ib_dma_mapping_error(device->ib_device, dma_addr))
			goto rx_desc_dma_map_failed;

		rx_desc->dma_addr = dma_addr;
		rx_desc->cqe.done = iser_task_rsp;
		rx_sg = &rx_desc->rx_sg;
		rx_sg->addr = rx_desc->dma_addr;
		rx_sg->length = ISER_RX_PAYLOAD_SIZE;
		rx_sg->lkey = device->pd->local_dma_lkey;
	}

	return 0;

rx_desc_dma_map_failed:
	rx_desc = descs;
	for (j = 0; j < i; j++, rx_desc++)
		ib_dma_unmap_single(device->ib_device, rx_desc->dma_addr,
				    ISER_RX_PAYLOAD_SIZE, DMA_FROM_DEVICE);
	return -ENOMEM;
}

void iser_task_rsp(struct iser_device *device, struct iser_rx_desc *desc)
{
	ib_dma_sync_single_for_cpu(device->ib_device, desc->dma_addr,
				   ISER_RX_PAYLOAD_SIZE, DMA_FROM_DEVICE);
	iser_handle(desc);
	ib_dma_sync_single_for_device(device->ib_device, desc->dma_addr,
				      ISER_RX_PAYLOAD_SIZE, DMA_FROM_DEVICE);
}
