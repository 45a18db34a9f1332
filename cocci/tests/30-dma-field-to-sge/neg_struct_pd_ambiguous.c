/* NEGATIVE: the struct holding the device has two pds, so which one the
 * map needs is not known; and the cached lkey of the second field is
 * also assigned an MR's lkey.  Both fields stay as they are. */
struct ulp_device {
	struct ib_device *dev;
	struct ib_pd *pd;
	struct ib_pd *mr_pd;
};

struct ulp_port {
	struct ulp_device *udev;
	struct ib_device *ibdev;
	struct ib_pd *pd;
	u32 lkey;
};

struct ulp_iu {
	u64 dma;
	void *buf;
	size_t size;
};

struct ulp_rsp {
	u64 rsp_dma;
	void *rsp;
};

static int ulp_alloc_iu(struct ulp_device *udev, struct ulp_iu *iu)
{
	iu->dma = ib_dma_map_single(udev->dev, iu->buf, iu->size,
				    DMA_TO_DEVICE);
	if (ib_dma_mapping_error(udev->dev, iu->dma))
		return -ENOMEM;
	return 0;
}

static void ulp_free_iu(struct ulp_device *udev, struct ulp_iu *iu)
{
	ib_dma_unmap_single(udev->dev, iu->dma, iu->size, DMA_TO_DEVICE);
}

static int ulp_alloc_rsp(struct ulp_port *port, struct ulp_rsp *r)
{
	r->rsp_dma = ib_dma_map_single(port->ibdev, r->rsp, 64,
				       DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(port->ibdev, r->rsp_dma))
		return -ENOMEM;
	return 0;
}

static int ulp_post_recv(struct ulp_port *port, struct ulp_rsp *r)
{
	struct ib_sge list;

	list.addr = r->rsp_dma;
	list.length = 64;
	list.lkey = port->lkey;
	return ib_post_recv(port->qp, &list, NULL);
}

static void ulp_port_init(struct ulp_port *port, struct ib_mr *mr)
{
	port->lkey = port->pd->local_dma_lkey;
	if (mr)
		port->lkey = mr->lkey;
}
