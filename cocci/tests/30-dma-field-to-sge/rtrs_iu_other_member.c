/* Shaped after rtrs: the iu is mapped in a helper that takes the device
 * as its fourth parameter and is called with path->s.dev->ib_dev (struct
 * rtrs_ib_dev holds ib_pd); another struct has a dma_addr member of
 * another type (an array of DMA addresses), whose uses, through a pointer
 * of that struct type, are not the iu's field.  The post length is a
 * parameter named like the map length: not the mapped length, so the
 * copy is trimmed.  rtrs_iu_free(), the release of rtrs_iu_alloc(),
 * takes the pd as well, so the pair takes one handle. */
struct rtrs_ib_dev {
	struct ib_device *ib_dev;
	struct ib_pd *ib_pd;
};

struct rtrs_path {
	struct rtrs_ib_dev *dev;
};

struct rtrs_srv_path {
	struct rtrs_path s;
	dma_addr_t *dma_addr;
};

struct rtrs_iu {
	struct ib_cqe cqe;
	dma_addr_t dma_addr;
	void *buf;
	size_t size;
	enum dma_data_direction direction;
};

static void rtrs_iu_free(struct rtrs_iu *ius, struct ib_device *ibdev,
			 u32 queue_num)
{
	struct rtrs_iu *iu;
	int i;

	for (i = 0; i < queue_num; i++) {
		iu = &ius[i];
		ib_dma_unmap_single(ibdev, iu->dma_addr, iu->size, iu->direction);
		kfree(iu->buf);
	}
	kfree(ius);
}

static struct rtrs_iu *rtrs_iu_alloc(u32 iu_num, size_t size, gfp_t gfp_mask,
				     struct ib_device *dma_dev,
				     enum dma_data_direction dir)
{
	struct rtrs_iu *ius, *iu;
	int i;

	ius = kcalloc(iu_num, sizeof(*ius), gfp_mask);
	if (!ius)
		return NULL;
	for (i = 0; i < iu_num; i++) {
		iu = &ius[i];
		iu->direction = dir;
		iu->buf = kzalloc(size, gfp_mask);
		if (!iu->buf)
			goto err;

		iu->dma_addr = ib_dma_map_single(dma_dev, iu->buf, size, dir);
		if (ib_dma_mapping_error(dma_dev, iu->dma_addr)) {
			kfree(iu->buf);
			goto err;
		}
		iu->size = size;
	}
	return ius;
err:
	rtrs_iu_free(ius, dma_dev, i);
	return NULL;
}

static int rtrs_iu_post_send(struct rtrs_path *path, struct rtrs_iu *iu,
			     size_t size)
{
	struct ib_sge list;

	list.addr   = iu->dma_addr;
	list.length = size;
	list.lkey   = path->dev->ib_pd->local_dma_lkey;
	return post(path, &list);
}

static int map_cont_bufs(struct rtrs_srv_path *srv_path, int ind,
			 dma_addr_t dma_addr)
{
	struct rtrs_iu *iu;

	srv_path->dma_addr[ind] = dma_addr;
	iu = rtrs_iu_alloc(1, 64, GFP_KERNEL, srv_path->s.dev->ib_dev,
			   DMA_TO_DEVICE);
	if (!iu)
		return -ENOMEM;
	ib_dma_sync_single_for_device(srv_path->s.dev->ib_dev, iu->dma_addr,
				      iu->size, DMA_TO_DEVICE);
	rtrs_iu_free(iu, srv_path->s.dev->ib_dev, 1);
	kfree(srv_path->dma_addr);
	return 0;
}
