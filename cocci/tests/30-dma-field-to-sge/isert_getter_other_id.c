/* As isert_login_getter, but the isert_device was got for another cm_id
 * (the listener) than the one whose device the helper maps with: nothing
 * says they are one device, so the receive descriptor's dma_addr (the
 * login descriptor) stays.  The send descriptor's dma_addr, another
 * member of the same name whose every use is typed and spelt tx_desc->,
 * is mapped with device->pd and converts on its own. */
struct isert_device {
	int refcount;
	struct ib_device *ib_device;
	struct ib_pd *pd;
};

struct iser_rx_desc {
	char buf[ISER_RX_SIZE];
	u64 dma_addr;
	struct ib_sge rx_sg;
};

struct iser_tx_desc {
	struct iser_ctrl iser_header;
	u64 dma_addr;
	struct ib_sge tx_sg[2];
};

struct isert_conn {
	struct isert_device *device;
	struct iser_rx_desc *login_desc;
	char *login_rsp_buf;
	u64 login_rsp_dma;
	struct ib_qp *qp;
};

static int isert_alloc_login_buf(struct isert_conn *isert_conn,
				 struct ib_device *ib_dev)
{
	int ret;

	isert_conn->login_desc = kzalloc(sizeof(*isert_conn->login_desc),
					 GFP_KERNEL);
	if (!isert_conn->login_desc)
		return -ENOMEM;

	isert_conn->login_desc->dma_addr = ib_dma_map_single(ib_dev,
				isert_conn->login_desc->buf,
				ISER_RX_SIZE, DMA_FROM_DEVICE);
	ret = ib_dma_mapping_error(ib_dev, isert_conn->login_desc->dma_addr);
	if (ret) {
		isert_err("login_desc dma mapping error: %d\n", ret);
		isert_conn->login_desc->dma_addr = 0;
		goto out_free_login_desc;
	}
	return 0;

out_free_login_desc:
	kfree(isert_conn->login_desc);
	return ret;
}

static int isert_connect_request(struct rdma_cm_id *listen_id,
				 struct rdma_cm_id *cma_id)
{
	struct isert_conn *isert_conn;
	struct isert_device *device;
	int ret;

	isert_conn = kzalloc(sizeof(*isert_conn), GFP_KERNEL);
	if (!isert_conn)
		return -ENOMEM;

	device = isert_device_get(listen_id);
	if (IS_ERR(device)) {
		kfree(isert_conn);
		return PTR_ERR(device);
	}
	isert_conn->device = device;

	ret = isert_alloc_login_buf(isert_conn, cma_id->device);
	if (ret)
		isert_device_put(device);
	return ret;
}

static int isert_login_post_recv(struct isert_conn *isert_conn)
{
	struct ib_recv_wr rx_wr;
	struct ib_sge sge;

	memset(&sge, 0, sizeof(struct ib_sge));
	sge.addr = isert_conn->login_desc->dma_addr +
		isert_get_hdr_offset(isert_conn->login_desc);
	sge.length = ISER_RX_PAYLOAD_SIZE;
	sge.lkey = isert_conn->device->pd->local_dma_lkey;

	rx_wr.sg_list = &sge;
	rx_wr.num_sge = 1;
	return ib_post_recv(isert_conn->qp, &rx_wr, NULL);
}

static void isert_login_recv_done(struct isert_conn *isert_conn,
				  struct ib_device *ib_dev)
{
	struct iser_rx_desc *rx_desc = isert_conn->login_desc;

	ib_dma_sync_single_for_cpu(ib_dev, rx_desc->dma_addr,
				   ISER_RX_SIZE, DMA_FROM_DEVICE);
	isert_dbg("DMA: 0x%llx\n", rx_desc->dma_addr);
	ib_dma_sync_single_for_device(ib_dev, rx_desc->dma_addr,
				      ISER_RX_SIZE, DMA_FROM_DEVICE);
}

static void isert_free_login_buf(struct isert_conn *isert_conn)
{
	struct ib_device *ib_dev = isert_conn->device->ib_device;

	ib_dma_unmap_single(ib_dev, isert_conn->login_desc->dma_addr,
			    ISER_RX_SIZE, DMA_FROM_DEVICE);
	kfree(isert_conn->login_desc);
}

static int isert_init_tx_hdrs(struct isert_conn *isert_conn,
			      struct iser_tx_desc *tx_desc)
{
	struct isert_device *device = isert_conn->device;
	struct ib_device *ib_dev = device->ib_device;
	u64 dma_addr;

	dma_addr = ib_dma_map_single(ib_dev, (void *)tx_desc,
				     ISER_HEADERS_LEN, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(ib_dev, dma_addr)) {
		isert_err("ib_dma_mapping_error() failed\n");
		return -ENOMEM;
	}

	tx_desc->dma_addr = dma_addr;
	tx_desc->tx_sg[0].addr = tx_desc->dma_addr;
	tx_desc->tx_sg[0].length = ISER_HEADERS_LEN;
	tx_desc->tx_sg[0].lkey = device->pd->local_dma_lkey;
	return 0;
}

static void isert_unmap_tx_desc(struct iser_tx_desc *tx_desc,
				struct ib_device *ib_dev)
{
	if (tx_desc->dma_addr != 0) {
		ib_dma_unmap_single(ib_dev, tx_desc->dma_addr,
				    ISER_HEADERS_LEN, DMA_TO_DEVICE);
		tx_desc->dma_addr = 0;
	}
}
