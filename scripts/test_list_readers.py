"""pytest: list_readers, the proof behind rule 60 (ib_dma_map_sg() ->
rdma_map_sgl()), on text cut from 6.12's ULPs and on a real git tree."""
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cocci_convert  # noqa: E402
import list_readers  # noqa: E402

# net/sunrpc/xprtrdma/rpc_rdma.c: the wrapper named in a comment only
RPC_RDMA = """\
/* Ensure that any DMA mapped pages associated with
 * the Send of the RPC Call have been unmapped before
 * allowing the RPC to complete. This protects argument
 * memory not controlled by the RPC client from being
 * re-used before we're done with it, and its pages
 * ib_dma_unmap_sg()'d; sg_dma_address() is not read.
 */
static void rpcrdma_complete_rqst(struct rpcrdma_rep *rep)
{
	pr_info("sg_dma_len(%d)\\n", 1); // sg_dma_len(sg) in a comment
}
"""

# fs/smb/server/transport_rdma.c: sges filled from the DMA side
KSMBD = """\
static int get_sg_list(void *buf, int size, struct scatterlist *sg_list,
		       int nentries)
{
	return ib_dma_map_sg(device, sg_list, *npages, dir);
}

static int post_sendmsg(struct smb_direct_transport *t)
{
		for (j = 0; j < sg_cnt; j++) {
			sge->addr = sg_dma_address(&sg[j]);
			sge->length = sg_dma_len(&sg[j]);
		}
}
"""


def test_readers_found_with_their_lines():
    found = list_readers.readers({"fs/smb/server/transport_rdma.c": KSMBD})
    assert [(r.line, r.call) for r in found] == \
        [(10, "sg_dma_address"), (11, "sg_dma_len")]
    why = list_readers.why_kept(found)
    assert why.startswith("fs/smb/server/transport_rdma.c:10 reads "
                          "sg_dma_address() and 1 more")


def test_comments_and_strings_are_not_readers():
    texts = {"net/sunrpc/xprtrdma/rpc_rdma.c": RPC_RDMA}
    assert list_readers.readers(texts) == []
    assert list_readers.why_kept([]) is None
    # ... nor calls of the wrappers
    assert not list_readers.maps_lists(texts)
    assert list_readers.maps_lists({"x.c": KSMBD})


def test_dma_page_iterator_is_a_reader():
    # drivers/nvme/host/pci.c's shape, in a ULP's file
    text = ("\tfor_each_sg_dma_page(sgl, &iter, count, 0)\n"
            "\t\tpages[i++] = sg_page_iter_dma_address(&iter);\n")
    assert [r.call for r in list_readers.readers({"a.c": text})] == \
        ["for_each_sg_dma_page", "sg_page_iter_dma_address"]


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t",
                    *args], cwd=cwd, check=True, capture_output=True)


def _ulp_tree(tmp_path, reader_text):
    """A git tree holding iser's two files: the one with the maps and one
    the conversion does not touch (no wrapper, no lkey)."""
    iser = tmp_path / "drivers/infiniband/ulp/iser"
    iser.mkdir(parents=True)
    (iser / "iser_memory.c").write_text(
        "int iser_dma_map_task_data(struct iser_data_buf *data)\n{\n"
        "\tdata->dma_nents = ib_dma_map_sg(dev, data->sg, data->size, "
        "dma_dir);\n\tif (unlikely(data->dma_nents == 0))\n"
        "\t\treturn -EINVAL;\n\treturn 0;\n}\n")
    (iser / "iser_other.c").write_text(reader_text)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "t")
    return [Path("drivers/infiniband/ulp/iser/iser_memory.c")]


def test_a_reader_outside_the_group_keeps_the_maps(tmp_path):
    group = _ulp_tree(tmp_path, "u64 a(struct scatterlist *s)\n"
                      "{\n\treturn sg_dma_address(s);\n}\n")
    [outside] = list_readers.outside_readers(tmp_path, group)
    assert str(outside) == ("drivers/infiniband/ulp/iser/iser_other.c:3 "
                            "reads sg_dma_address()")
    rule = cocci_convert.RULES_DIR / "60-sgl-map.cocci"
    changed, errors, log = cocci_convert.convert_group(tmp_path, group,
                                                       [rule])
    assert not errors and changed == []
    [(number, family, why)] = cocci_convert.kept_reasons(log)
    assert (number, family) == ("60", "ib_dma_map_sg")
    assert "iser_other.c:3 reads sg_dma_address()" in why


def test_no_reader_in_the_ulp_converts(tmp_path):
    group = _ulp_tree(tmp_path, "int b(void)\n{\n\treturn 0;\n}\n")
    assert list_readers.outside_readers(tmp_path, group) == []
    rule = cocci_convert.RULES_DIR / "60-sgl-map.cocci"
    changed, errors, log = cocci_convert.convert_group(tmp_path, group,
                                                       [rule])
    assert not errors and changed == group
    text = (tmp_path / group[0]).read_text()
    assert "rdma_map_sgl(dev, data->sg, data->size, dma_dir)" in text
    assert "ib_dma_map_sg" not in text


# include/trace/events/rpcrdma.h (6.12): a tracepoint that records the
# DMA side of an MR's list by its field
RPCRDMA_H = """\
DECLARE_EVENT_CLASS(xprtrdma_frwr_maperr,
	TP_fast_assign(
		__entry->mr_id = mr->mr_ibmr->res.id;
		__entry->addr = mr->mr_sg->dma_address;
		__entry->dir = mr->mr_dir;
	)
);
"""


def test_a_field_read_is_a_reader():
    [found] = list_readers.readers({"include/trace/events/rpcrdma.h":
                                    RPCRDMA_H})
    assert (found.line, found.call) == (4, "->dma_address")
    assert str(found).endswith("rpcrdma.h:4 reads the dma_address field")


def test_a_tracepoint_the_ulp_includes_keeps_the_maps(tmp_path):
    frwr = tmp_path / "net/sunrpc/xprtrdma/frwr_ops.c"
    frwr.parent.mkdir(parents=True)
    frwr.write_text("#include <trace/events/rpcrdma.h>\n\n"
                    "int frwr_map(struct rpcrdma_mr *mr)\n{\n"
                    "\treturn ib_dma_map_sg(mr->mr_device, mr->mr_sg, "
                    "mr->mr_nents, mr->mr_dir);\n}\n")
    trace = tmp_path / "include/trace/events/rpcrdma.h"
    trace.parent.mkdir(parents=True)
    trace.write_text(RPCRDMA_H)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "t")
    group = [Path("net/sunrpc/xprtrdma/frwr_ops.c")]
    rule = cocci_convert.RULES_DIR / "60-sgl-map.cocci"
    changed, errors, log = cocci_convert.convert_group(tmp_path, group,
                                                       [rule])
    assert not errors and changed == []
    [(_, _, why)] = cocci_convert.kept_reasons(log)
    assert "include/trace/events/rpcrdma.h:4 reads the dma_address field" \
        in why
    # without the tracepoint's read the same list is converted
    trace.write_text("DECLARE_EVENT_CLASS(xprtrdma_frwr_maperr);\n")
    changed, errors, _ = cocci_convert.convert_group(tmp_path, group, [rule])
    assert not errors and changed == group
