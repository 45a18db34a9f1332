import re
import subprocess
from pathlib import Path

import pytest

import apply
import wrapper_removal

# Shaped after include/rdma/ib_verbs.h (Linux 6.12): a wrapper under a
# plain comment, one under kernel-doc, the prototype of the out-of-line
# helper, and what must stay around them.
HEADER = """\
static inline bool ib_uses_virt_dma(struct ib_device *dev)
{
	return IS_ENABLED(CONFIG_INFINIBAND_VIRT_DMA) && !dev->dma_device;
}

/*
 * Check if a IB device's underlying DMA mapping supports P2PDMA transfers.
 */
static inline bool ib_dma_pci_p2p_dma_supported(struct ib_device *dev)
{
	if (ib_uses_virt_dma(dev))
		return false;

	return dma_pci_p2pdma_supported(dev->dma_device);
}

/**
 * ib_virt_dma_to_ptr - Convert a dma_addr to a kernel pointer
 * @dma_addr: The DMA address
 */
static inline void *ib_virt_dma_to_ptr(u64 dma_addr)
{
	/* virt_dma mode maps the kvs's directly into the dma addr */
	return (void *)(uintptr_t)dma_addr;
}

/**
 * ib_dma_map_single - Map a kernel virtual address to DMA address
 * @dev: The device for which the dma_addr is to be created
 */
static inline u64 ib_dma_map_single(struct ib_device *dev,
				    void *cpu_addr, size_t size,
				    enum dma_data_direction direction)
{
	if (ib_uses_virt_dma(dev))
		return (uintptr_t)cpu_addr;
	return dma_map_single(dev->dma_device, cpu_addr, size, direction);
}

/* Not about the function below it. */

int ib_dma_virt_map_sg(struct ib_device *dev, struct scatterlist *sg, int nents);
static inline int ib_dma_map_sg_attrs(struct ib_device *dev,
				      struct scatterlist *sg, int nents,
				      enum dma_data_direction direction,
				      unsigned long dma_attrs)
{
	if (ib_uses_virt_dma(dev))
		return ib_dma_virt_map_sg(dev, sg, nents);
	return dma_map_sg_attrs(dev->dma_device, sg, nents, direction,
				dma_attrs);
}

/* ib_reg_user_mr - register a memory region for virtual addresses from kernel
 * space. This function should be called when 'current' is the owning MM.
 */
"""

KEPT = """\
static inline bool ib_uses_virt_dma(struct ib_device *dev)
{
	return IS_ENABLED(CONFIG_INFINIBAND_VIRT_DMA) && !dev->dma_device;
}

/**
 * ib_virt_dma_to_ptr - Convert a dma_addr to a kernel pointer
 * @dma_addr: The DMA address
 */
static inline void *ib_virt_dma_to_ptr(u64 dma_addr)
{
	/* virt_dma mode maps the kvs's directly into the dma addr */
	return (void *)(uintptr_t)dma_addr;
}

/* Not about the function below it. */

/* ib_reg_user_mr - register a memory region for virtual addresses from kernel
 * space. This function should be called when 'current' is the owning MM.
 */
"""


def test_deletes_each_wrapper_with_its_own_comment_only():
    text, names = wrapper_removal.delete_header_wrappers(HEADER)
    assert names == ["ib_dma_pci_p2p_dma_supported", "ib_dma_map_single",
                     "ib_dma_map_sg_attrs", "ib_dma_virt_map_sg"]
    assert text == KEPT
    # nothing left to delete the second time
    assert wrapper_removal.delete_header_wrappers(text) == (KEPT, [])


DEVICE_C = """\
EXPORT_SYMBOL(ib_del_sub_device_and_put);

#ifdef CONFIG_INFINIBAND_VIRT_DMA
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
#endif /* CONFIG_INFINIBAND_VIRT_DMA */

static const struct rdma_nl_cbs ibnl_ls_cb_table[RDMA_NL_LS_NUM_OPS] = {
"""


def test_virt_map_sg_goes_with_its_ifdef_or_not_at_all():
    assert wrapper_removal.delete_virt_map_sg(DEVICE_C) == (
        "EXPORT_SYMBOL(ib_del_sub_device_and_put);\n\n"
        "static const struct rdma_nl_cbs ibnl_ls_cb_table"
        "[RDMA_NL_LS_NUM_OPS] = {\n")
    moved = DEVICE_C.replace("#endif /* CONFIG_INFINIBAND_VIRT_DMA */",
                             "#endif")
    with pytest.raises(wrapper_removal.DefinitionError):
        wrapper_removal.delete_virt_map_sg(moved)


def test_message_names_what_goes_and_what_stays():
    text = wrapper_removal.deletion_message(
        ["ib_dma_map_single", "ib_dma_virt_map_sg"], ("A U Thor", "a@b.c"))
    lines = text.splitlines()
    assert lines[0] == "RDMA/core: Remove the ib_dma_* wrappers"
    assert all(len(l) <= 72 for l in lines
               if not l.startswith(("Signed-off-by", "Link")))
    joined = " ".join(lines)
    assert "include/rdma/ib_verbs.h (ib_dma_map_single())" in joined
    assert "ib_dma_virt_map_sg(), which only they called, from " \
        "drivers/infiniband/core/device.c" in joined
    assert lines[-1] == "Signed-off-by: A U Thor <a@b.c>"


@pytest.mark.kernel
def test_deletion_on_the_real_tree(default_tree: Path, tmp_path: Path):
    """On a copy of the default tree's two files: every wrapper of the
    header goes, and nothing else does."""
    for rel in (wrapper_removal.WRAPPER_HEADER,
                wrapper_removal.VIRT_MAP_SOURCE):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text((default_tree / rel).read_text())
    before = (tmp_path / wrapper_removal.WRAPPER_HEADER).read_text()
    defined = set(re.findall(r"^static inline [^;{(]*\b(ib_dma_\w+)\(",
                             before, re.M))
    names = wrapper_removal.delete_wrappers(tmp_path)
    assert set(names) == defined | {"ib_dma_virt_map_sg"}
    assert len(defined) >= 15
    header = (tmp_path / wrapper_removal.WRAPPER_HEADER).read_text()
    source = (tmp_path / wrapper_removal.VIRT_MAP_SOURCE).read_text()
    assert "ib_dma_" not in header and "ib_dma_" not in source
    for kept in ("ib_uses_virt_dma", "ib_virt_dma_to_ptr",
                 "ib_virt_dma_to_page"):
        assert re.search(rf"^static inline .*\b{kept}\(", header, re.M)
    assert "struct ib_mr *ib_reg_user_mr(" in header
    # only whole lines went, and only lines of the definitions
    assert set(header.splitlines()) <= set(before.splitlines())
    assert before.count("{") - header.count("{") == \
        before.count("}") - header.count("}")


def series_sge_source(out: Path) -> str:
    """sge.c as the core series leaves it: every patch applied, its sge.c
    hunks only."""
    for patch in apply.series_patches(apply.PATCHES_DIR):
        subprocess.run(["git", "apply", f"--include={SGE}", str(patch)],
                       cwd=out, check=True, capture_output=True)
    return (out / SGE).read_text()


SGE = wrapper_removal.SGE_SOURCE


def test_the_series_kernel_doc_stops_naming_the_wrappers(tmp_path):
    """The deletion's edits are those the series' own sge.c needs: each
    one matches, and afterwards no line names a wrapper, every changed
    line is a comment line within 80 columns."""
    text = series_sge_source(tmp_path)
    for old, _ in wrapper_removal.SGE_DOC_EDITS:
        assert old in text, old
    new = wrapper_removal.unname_wrappers_in_sge_doc(text)
    assert "ib_dma_" not in new
    changed = set(new.splitlines()) - set(text.splitlines())
    assert changed and all(line.startswith(" *") and
                           len(line.expandtabs()) <= 80 for line in changed)
    assert "rdma_unmap_sgtable()" in new and "rdma_map_sgtable()" in new


def test_a_wrapper_named_in_unknown_words_stops_the_deletion(tmp_path):
    text = series_sge_source(tmp_path)
    text = text.replace(" * @max_sge: number of entries in @sge\n",
                        " * @max_sge: number of entries in @sge, see "
                        "ib_dma_map_sg()\n")
    with pytest.raises(wrapper_removal.DefinitionError,
                       match=r"sge\.c:\d+ names a wrapper"):
        wrapper_removal.unname_wrappers_in_sge_doc(text)
    # and delete_wrappers() then writes none of the files
    tree = tmp_path / "tree"
    for rel in (wrapper_removal.WRAPPER_HEADER, SGE):
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
    (tree / wrapper_removal.WRAPPER_HEADER).write_text(
        "static inline u64 ib_dma_map_single(struct ib_device *dev)\n"
        "{\n\treturn 0;\n}\n")
    (tree / SGE).write_text(text)
    with pytest.raises(wrapper_removal.DefinitionError):
        wrapper_removal.delete_wrappers(tree)
    assert "ib_dma_map_single" in (tree / wrapper_removal.WRAPPER_HEADER
                                   ).read_text()
