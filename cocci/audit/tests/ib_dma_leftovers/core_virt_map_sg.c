// SPDX-License-Identifier: GPL-2.0
/*
 * Cut from drivers/infiniband/core/device.c (Linux 6.12): an out-of-line
 * ib_dma_*() definition is reported as such, not as a call.
 */

int ib_dma_virt_map_sg(struct ib_device *dev, struct scatterlist *sg, int nents)
{
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, nents, i) {
		sg_dma_address(s) = (uintptr_t)sg_virt(s);
		sg_dma_len(s) = s->length;
	}
	return nents;
}
EXPORT_SYMBOL(ib_dma_virt_map_sg);

static const char *not_a_call = "ib_dma_map_single(dev, buf, len, dir)";
