/* The pd comes from a call, made once per entry in the loop: one call
 * over the list would make it once. */
static void fill_data(struct rtrs_clt_con *con, struct ib_sge *sge,
		      struct scatterlist *sglist, u32 count)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sglist, sg, count, i)
		rdma_fill_ib_sge_from_sgl(to_clt_path(con->c.path)->s.dev->ib_pd,
					  &sge[i], 1, sg, 1);
}
