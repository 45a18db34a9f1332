/* As rtrs_post_rdma_write_sg() but with a signed count: for a negative
 * count the loop leaves i at 0, which "i = count;" would not. */
static int fill_data_then_header(struct ib_pd *pd,
				 struct rtrs_clt_io_req *req, int count,
				 u32 size)
{
	struct ib_sge *sge = req->sge;
	struct scatterlist *sg;
	int i;

	for_each_sg(req->sglist, sg, count, i)
		rdma_fill_ib_sge_from_sgl(pd, &sge[i], 1, sg, 1);
	sge[i] = req->iu->sge;
	sge[i].length = size;
	return 1 + count;
}
