/* Shaped after rtrs_post_rdma_write_sg() (drivers/infiniband/ulp/rtrs/
 * rtrs-clt.c): the data sges are the mapped request list, one per entry;
 * the index after the loop is where the header sge goes. */
static int post_rdma_write_sg(struct rtrs_clt_con *con,
			      struct rtrs_clt_io_req *req, bool fr_en,
			      u32 count, u32 size)
{
	struct rtrs_clt_path *clt_path = to_clt_path(con->c.path);
	struct ib_sge *sge = req->sge;
	struct scatterlist *sg;
	size_t num_sge;
	int i;

	if (fr_en) {
		i = 0;
		sge[i].addr   = req->mr->iova;
		sge[i].length = req->mr->length;
		sge[i].lkey   = req->mr->lkey;
		i++;
		num_sge = 2;
	} else {
		for_each_sg(req->sglist, sg, count, i) {
			sge[i].addr   = sg_dma_address(sg);
			sge[i].length = sg_dma_len(sg);
			sge[i].lkey   = clt_path->s.dev->ib_pd->local_dma_lkey;
		}
		num_sge = 1 + count;
	}
	sge[i] = req->iu->sge;
	sge[i].length = size;

	return post_write(con, req->iu, sge, num_sge);
}

/* Shaped after nvme_rdma_map_sg_inline() (drivers/nvme/host/rdma.c): the
 * loop also sums the lengths and moves the pointer; only the fill goes. */
static int map_sg_inline(struct nvme_rdma_queue *queue,
			 struct nvme_rdma_request *req, int count)
{
	struct ib_sge *sge = &req->sge[1];
	struct scatterlist *sgl;
	u32 len = 0;
	int i;

	for_each_sg(req->data_sgl.sg_table.sgl, sgl, count, i) {
		sge->addr = sg_dma_address(sgl);
		sge->length = sg_dma_len(sgl);
		sge->lkey = queue->device->pd->local_dma_lkey;
		len += sge->length;
		sge++;
	}
	req->num_sge += count;
	return len;
}
