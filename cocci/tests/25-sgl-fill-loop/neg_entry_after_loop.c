/* The entry variable is read after the loop (the entry past the last one
 * filled): one call over the list would leave it unset. */
static struct scatterlist *fill_data(struct ib_pd *pd, struct ib_sge *sge,
				     struct scatterlist *sglist, u32 count)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sglist, sg, count, i)
		rdma_fill_ib_sge_from_sgl(pd, &sge[i], 1, sg, 1);
	return sg;
}
