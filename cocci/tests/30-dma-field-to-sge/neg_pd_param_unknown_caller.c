/* NEGATIVE: the helper maps with its ib_device parameter, but one caller
 * passes a device with no pd next to it (a bare ib_device parameter of a
 * function that does not map), and the other helper is also used as a
 * function pointer: neither gets a pd, so the fields stay as they are. */
struct ulp_device {
	struct ib_device *dev;
	struct ib_pd *pd;
};

struct ulp_qe {
	void *data;
	u64 dma;
};

struct ulp_rsp {
	void *buf;
	u64 rsp_dma;
};

struct ulp_ops {
	int (*alloc)(struct ib_device *ibdev, struct ulp_rsp *r);
};

static int ulp_alloc_qe(struct ib_device *ibdev, struct ulp_qe *qe, size_t len)
{
	qe->dma = ib_dma_map_single(ibdev, qe->data, len, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(ibdev, qe->dma))
		return -ENOMEM;
	return 0;
}

static int ulp_alloc_rsp(struct ib_device *ibdev, struct ulp_rsp *r)
{
	r->rsp_dma = ib_dma_map_single(ibdev, r->buf, 64, DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(ibdev, r->rsp_dma))
		return -ENOMEM;
	return 0;
}

static const struct ulp_ops ulp_ops = {
	.alloc = ulp_alloc_rsp,
};

int ulp_setup(struct ib_device *ibdev, struct ulp_qe *qe)
{
	return ulp_alloc_qe(ibdev, qe, 128);
}

static int ulp_setup_dev(struct ulp_device *udev, struct ulp_qe *qe,
			 struct ulp_rsp *r)
{
	int ret;

	ret = ulp_alloc_qe(udev->dev, qe, 128);
	if (ret)
		return ret;
	return ulp_alloc_rsp(udev->dev, r);
}

static int ulp_post(struct ulp_device *udev, struct ulp_qe *qe,
		    struct ulp_rsp *r, struct ib_sge *sge)
{
	sge[0].addr = qe->dma;
	sge[0].length = 128;
	sge[0].lkey = udev->pd->local_dma_lkey;
	sge[1].addr = r->rsp_dma;
	sge[1].length = 64;
	sge[1].lkey = udev->pd->local_dma_lkey;
	return 0;
}
