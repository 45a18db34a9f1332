/* The loops rule 20 leaves, shaped after rtrs_post_rdma_write_sg()
 * (drivers/infiniband/ulp/rtrs/rtrs-clt.c). */

/* the index is not used after the loop: both loop variables go */
static void fill_data(struct rtrs_clt_path *clt_path, struct ib_sge *sge,
		      struct scatterlist *sglist, int count)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sglist, sg, count, i) {
		rdma_fill_ib_sge_from_sgl(clt_path->s.dev->ib_pd,
					  &sge[i], 1, sg, 1);
	}
}

/* the index is where the next sge goes: it keeps its value after the loop */
static size_t fill_data_then_header(struct ib_pd *pd,
				    struct rtrs_clt_io_req *req, u32 count,
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
