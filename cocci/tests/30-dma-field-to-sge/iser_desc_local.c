/* iser's tx and rx descriptors: each is mapped into a local that is then
 * stored in the descriptor's dma_addr; both structs name the field
 * dma_addr, with a different mapped length.  rx maps in a loop with
 * unwinding on error. */
struct iser_tx_desc {
	struct iser_ctrl iser_header;
	u64 dma_addr;
	struct ib_sge tx_sg[2];
	int num_sge;
	bool mapped;
};

struct iser_rx_desc {
	struct iser_ctrl iser_header;
	char data[ISER_RECV_DATA_SEG_LEN];
	u64 dma_addr;
	struct ib_sge rx_sg;
	struct ib_cqe cqe;
};

struct iser_device {
	struct ib_device *ib_device;
	struct ib_pd *pd;
};

int iser_initialize_task_headers(struct iser_device *device,
				 struct iser_tx_desc *tx_desc)
{
	u64 dma_addr;

	dma_addr = ib_dma_map_single(device->ib_device, (void *)tx_desc,
				     ISER_HEADERS_LEN, DMA_TO_DEVICE);
	if (unlikely(ib_dma_mapping_error(device->ib_device, dma_addr)))
		return -ENOMEM;

	tx_desc->mapped = true;
	tx_desc->dma_addr = dma_addr;
	tx_desc->tx_sg[0].addr = tx_desc->dma_addr;
	tx_desc->tx_sg[0].length = ISER_HEADERS_LEN;
	tx_desc->tx_sg[0].lkey = device->pd->local_dma_lkey;
	return 0;
}

int iser_alloc_rx_descriptors(struct iser_device *device,
			      struct iser_rx_desc *descs, int n)
{
	struct iser_rx_desc *rx_desc = descs;
	struct ib_sge *rx_sg;
	u64 dma_addr;
	int i, j;

	for (i = 0; i < n; i++, rx_desc++) {
		dma_addr = ib_dma_map_single(device->ib_device, (void *)rx_desc,
					     ISER_RX_PAYLOAD_SIZE,
					     DMA_FROM_DEVICE);
		if (ib_dma_mapping_error(device->ib_device, dma_addr))
			goto map_failed;

		rx_desc->dma_addr = dma_addr;
		rx_desc->cqe.done = iser_task_rsp;
		rx_sg = &rx_desc->rx_sg;
		rx_sg->addr = rx_desc->dma_addr;
		rx_sg->length = ISER_RX_PAYLOAD_SIZE;
		rx_sg->lkey = device->pd->local_dma_lkey;
	}
	return 0;

map_failed:
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

void iser_create_send_desc(struct iser_device *device,
			   struct iser_tx_desc *tx_desc)
{
	ib_dma_sync_single_for_cpu(device->ib_device, tx_desc->dma_addr,
				   ISER_HEADERS_LEN, DMA_TO_DEVICE);
	tx_desc->num_sge = 1;
}

void iscsi_iser_cleanup_task(struct iser_device *device,
			     struct iser_tx_desc *tx_desc)
{
	if (tx_desc->mapped) {
		ib_dma_unmap_single(device->ib_device, tx_desc->dma_addr,
				    ISER_HEADERS_LEN, DMA_TO_DEVICE);
		tx_desc->mapped = false;
	}
}
