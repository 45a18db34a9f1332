"""pytest: every golden case of cocci/tests, and idempotence."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cocci_convert  # noqa: E402
import cocci_golden  # noqa: E402

CASES = cocci_golden.cases()
IDS = [f"{s}/{c.name}" for s, c in CASES]


@pytest.mark.parametrize("stem,case", CASES, ids=IDS)
def test_golden(stem, case):
    expected, actual, errors = cocci_golden.run_case(stem, case)
    assert not errors, errors
    assert actual == expected, "\n" + cocci_golden.diff(expected, actual,
                                                        case.name)


@pytest.mark.parametrize("stem,case", CASES, ids=IDS)
def test_idempotent(stem, case):
    """Rules on already-converted code change nothing."""
    res = case.with_suffix(".res").read_text()
    again, errors = cocci_convert.convert_text(res, case.name,
                                               cocci_golden.rules_for(stem))
    assert not errors, errors
    assert again == res, "\n" + cocci_golden.diff(res, again, case.name)


@pytest.mark.parametrize("stem,case", [c for c in CASES
                                       if c[1].name.startswith("neg_")],
                         ids=[i for i, c in zip(IDS, CASES)
                              if c[1].name.startswith("neg_")])
def test_negative_cases_unchanged(stem, case):
    assert case.read_text() == case.with_suffix(".res").read_text()


def test_bad_input_left_alone(tmp_path):
    """A file spatch cannot parse: the run goes on, file unchanged, the
    error names the file with spatch's message."""
    (tmp_path / "good.c").write_text(
        (cocci_golden.TESTS / "10-ib-sge-map" / "multi_unwind.c").read_text())
    bad = "static int f(struct x *r {\n\tr->s.addr = ib_dma_map_single(\n"
    (tmp_path / "bad.c").write_text(bad)
    r = cocci_convert.run_rules(tmp_path, [Path("bad.c"), Path("good.c")])
    assert (tmp_path / "bad.c").read_text() == bad
    assert Path("good.c") in r.changed
    assert "bad.c" in r.errors and "spatch" in r.errors["bad.c"]


def test_wrap_line():
    line = ("\tif (rdma_map_sge_single(ndev->pd, &c->sge[0], c->nvme_cmd, "
            "sizeof(*c->nvme_cmd), DMA_FROM_DEVICE))")
    out = cocci_convert.wrap_line(line)
    assert all(len(x.expandtabs(8)) <= 80 for x in out)
    assert out[1].startswith("\t\t\t\t")


def test_realign_members_keeps_the_name_column():
    old = ("struct iser_login_desc {\n"
           "\tvoid                         *req;\n"
           "\tu64                          req_dma;\n"
           "};\n"
           "struct srp_iu {\n"
           "\tu64\t\t\tdma;\n"
           "\tu64 other;\n"
           "};\n")
    new = (old.replace("u64                          req_dma;",
                       "struct ib_sge req_dma;")
           .replace("u64\t\t\tdma;", "struct ib_sge dma;")
           .replace("u64 other;", "struct ib_sge other;"))
    out = cocci_convert.realign_members(old, new).splitlines()
    assert out[2] == "\tstruct ib_sge                req_dma;"
    assert out[5] == "\tstruct ib_sge\t\tdma;"
    assert out[6] == "\tstruct ib_sge other;"


def test_a_renamed_member_takes_its_old_column():
    """nvme-rdma: nvme_rdma_qe's dma becomes sge while another struct of
    the file already has a "struct ib_sge sge;" member with one blank."""
    old = ("struct nvme_rdma_qe {\n"
           "\tvoid\t\t\t*data;\n"
           "\tu64\t\t\tdma;\n"
           "};\n"
           "struct nvme_rdma_queue {\n"
           "\tstruct ib_sge sge;\n"
           "};\n")
    new = old.replace("\tu64\t\t\tdma;", "\tstruct ib_sge sge;")
    out = cocci_convert.realign_members(old, new, {"dma": "sge"})
    assert out.splitlines()[2] == "\tstruct ib_sge\t\tsge;"
    assert out.splitlines()[5] == "\tstruct ib_sge sge;"


def test_realign_members_leaves_statements_alone():
    """An assignment is not a member whose type changed: a reset of a
    converted field keeps its single blank before the value."""
    old = ("\tif (tx_desc->dma_addr != 0) {\n"
           "\t\ttx_desc->dma_addr = 0;\n"
           "\t\treturn 0;\n")
    new = ("\tif (tx_desc->dma_addr.addr != 0) {\n"
           "\t\ttx_desc->dma_addr.addr = 0;\n"
           "\t\treturn  0;\n")
    assert cocci_convert.realign_members(old, new) == new


def test_tidy_new_lines_only_touches_new_lines():
    old = ("\tmemset(cmd, 0, sizeof *cmd);\n"
           "\tib_dma_sync_single_for_cpu(dev, iu->dma, sizeof *tsk_mgmt,\n")
    new = ("\tmemset(cmd, 0, sizeof *cmd);\n"
           "\trdma_sync_sge_range_for_cpu(dev, &iu->dma, 0, sizeof *tsk_mgmt,\n")
    out = cocci_convert.tidy_new_lines(old, new).splitlines()
    assert out[0] == "\tmemset(cmd, 0, sizeof *cmd);"
    assert out[1].endswith("0, sizeof(*tsk_mgmt),")


def test_align_continuations_follows_a_rewritten_first_line():
    old = ("\trx_iu = rtrs_iu_alloc(1, rx_sz, GFP_KERNEL, path->dev,\n"
           "\t\t\t       DMA_FROM_DEVICE, done);\n"
           "\tfoo(a,\n"
           "\t\tb);\n")
    new = old.replace("path->dev,", "path->pd,")
    out = cocci_convert.align_continuations(old, new).splitlines()
    assert out[1] == "\t\t\t      DMA_FROM_DEVICE, done);"
    assert out[3] == "\t\tb);"


@pytest.mark.kernel
def test_scope_files_adds_headers_of_the_ulps_only(default_tree):

    files = {f.as_posix() for f in cocci_convert.scope_files(default_tree)}
    # ib_srp.h declares the iu's dma field but names no wrapper
    assert "drivers/infiniband/ulp/srp/ib_srp.h" in files
    assert "fs/smb/client/smbdirect.h" in files
    # headers of a directory shared with non-RDMA code stay out
    assert "fs/smb/client/cifsglob.h" not in files
    assert "drivers/nvme/host/nvme.h" not in files


def test_a_second_run_on_the_same_input_comes_from_the_cache(tmp_path):
    """The outcome of a group is kept under the hash of its input: the
    same input again is taken from the cache (here: an entry changed by
    hand shows that it is read), a changed input runs spatch again."""
    case = cocci_golden.TESTS / "10-ib-sge-map" / "multi_unwind.c"
    rules = cocci_golden.rules_for("10-ib-sge-map")
    cache = tmp_path / "cache"
    first = tmp_path / "first"
    first.mkdir()
    (first / "a.c").write_text(case.read_text())
    r = cocci_convert.run_rules(first, [Path("a.c")], rules=rules,
                                cache_dir=cache)
    assert r.changed == [Path("a.c")] and not r.errors
    converted = (first / "a.c").read_text()
    assert converted == case.with_suffix(".res").read_text()

    [entry] = [p for p in cache.rglob("*.json")
               if '"new"' in p.read_text()]
    marked = converted.replace("rdma_map_sge_single", "CACHED_map")
    entry.write_text(entry.read_text().replace("rdma_map_sge_single",
                                               "CACHED_map"))
    again = tmp_path / "again"
    again.mkdir()
    (again / "a.c").write_text(case.read_text())
    r = cocci_convert.run_rules(again, [Path("a.c")], rules=rules,
                                cache_dir=cache)
    assert r.changed == [Path("a.c")]
    assert (again / "a.c").read_text() == marked

    # one byte more in the input: not the cached group, spatch runs
    (again / "a.c").write_text(case.read_text() + "\n")
    r = cocci_convert.run_rules(again, [Path("a.c")], rules=rules,
                                cache_dir=cache)
    assert "CACHED_map" not in (again / "a.c").read_text()
    assert "rdma_map_sge_single" in (again / "a.c").read_text()


def test_the_reasons_a_rule_gives_for_what_it_leaves_are_kept(tmp_path):
    """A run's log holds each rule's "stays" lines (spatch's stderr with
    RDMA_SGE_COCCI_DEBUG=1, which the driver sets)."""
    case = cocci_golden.TESTS / "10-ib-sge-map" / "neg_trimmed_length.c"
    (tmp_path / case.name).write_text(case.read_text())
    r = cocci_convert.run_rules(tmp_path, [Path(case.name)],
                                rules=cocci_golden.rules_for("10-ib-sge-map"))
    assert r.changed == [] and not r.errors
    [(rule, family, why)] = r.kept[case.name]
    assert (rule, family) == ("10", "sge")
    assert why == ("length set to min_t(int, len, PAGE_SIZE) at line 47, "
                   "not the mapped length")


SRPT_IOCTX = """\
/**
 * struct srpt_ioctx - shared SRPT I/O context information
 * @cqe:   Completion queue element.
 * @buf:   Pointer to the buffer.
 * @dma:   DMA address of the buffer.
 * @offset: Offset of the first byte in @buf and @dma that is actually used.
 * @index: Index of the I/O context in its ioctx_ring array.
 */
struct srpt_ioctx {
	struct ib_cqe		cqe;
	void			*buf;
	struct ib_sge		sge;
	uint32_t		offset;
	uint32_t		index;
};
"""


def test_the_kernel_doc_of_a_renamed_field_follows_it():
    """drivers/infiniband/ulp/srpt/ib_srpt.h (6.12), after rule 30 renamed
    dma to sge: the member line and the reference to @dma follow."""
    out = cocci_convert.rename_kernel_doc(SRPT_IOCTX, {"dma": "sge"})
    assert " * @sge:   sge of the buffer." in out
    assert "in @buf and @sge that" in out and "@dma" not in out
    # a struct that does not declare the new name keeps its comment
    other = SRPT_IOCTX.replace("struct ib_sge		sge;", "u64 dma;")
    assert cocci_convert.rename_kernel_doc(other, {"dma": "sge"}) == other


def test_error_messages_of_a_converted_map_follow_it():
    """drivers/infiniband/ulp/isert/ib_isert.c (6.12) after rule 30."""
    old = ('\tisert_conn->login_rsp_dma = ib_dma_map_single(ib_dev,\n'
           '\t\t\t\tisert_conn->login_rsp_buf,\n'
           '\t\t\t\tISER_RX_PAYLOAD_SIZE, DMA_TO_DEVICE);\n'
           '\tret = ib_dma_mapping_error(ib_dev, isert_conn->login_rsp_dma);\n'
           '\tif (ret) {\n'
           '\t\tisert_err("login_rsp_dma mapping error: %d\\n", ret);\n'
           '\t\tisert_conn->login_rsp_dma = 0;\n'
           '\t}\n'
           '\tif (ib_dma_mapping_error(ib_dev, dma_addr)) {\n'
           '\t\tisert_err("ib_dma_mapping_error() failed\\n");\n'
           '\t}\n')
    new = ('\tret = rdma_map_sge_single(pd, &isert_conn->login_rsp_sge,\n'
           '\t\t\t\t  isert_conn->login_rsp_buf,\n'
           '\t\t\t\t  ISER_RX_PAYLOAD_SIZE, DMA_TO_DEVICE);\n'
           '\tif (ret) {\n'
           '\t\tisert_err("login_rsp_dma mapping error: %d\\n", ret);\n'
           '\t}\n'
           '\tif (ib_dma_mapping_error(ib_dev, dma_addr)) {\n'
           '\t\tisert_err("ib_dma_mapping_error() failed\\n");\n'
           '\t}\n')
    # the error branch names the sge its builder fills, four lines up
    # (rule 50 took the reset that named it too)
    out = cocci_convert.mend_error_messages(
        old, new, {"login_rsp_dma": "login_rsp_sge"})
    assert 'isert_err("login_rsp_sge mapping error: %d\\n", ret);' in out
    # a map that is still ib_dma_*: its message stays
    assert 'isert_err("ib_dma_mapping_error() failed\\n");' in out
    converted = new.replace(
        '\tif (ib_dma_mapping_error(ib_dev, dma_addr)) {\n',
        '\tif (rdma_map_sge_single(pd, &tx_desc->sge, tx_desc, 76, dir)) {\n')
    out = cocci_convert.mend_error_messages(old, converted, {})
    assert 'isert_err("rdma_map_sge_single() failed\\n");' in out
    # a debug message next to a use of the renamed field
    unmap = ('\tif (isert_cmd->pdu_buf_sge.addr != 0) {\n'
             '\t\tisert_dbg("unmap single for isert_cmd->pdu_buf_dma\\n");\n'
             '\t\trdma_unmap_sge(ib_dev, &isert_cmd->pdu_buf_sge, dir);\n'
             '\t}\n'
             '\tpr_debug("pdu_buf_dma of another struct\\n");\n'
             '\n\n\n\n')
    out = cocci_convert.mend_error_messages("", unmap,
                                            {"pdu_buf_dma": "pdu_buf_sge"})
    assert "unmap single for isert_cmd->pdu_buf_sge" in out


def test_a_member_kept_in_one_struct_is_reported_by_struct(tmp_path):
    """The log names the member that stays by its struct, and the driver's
    parser reads it as such (the summary's "Left alone" list)."""
    case = cocci_golden.TESTS / "30-dma-field-to-sge" / \
        "isert_rx_desc_tx_synced_early.c"
    (tmp_path / "ib_isert.c").write_text(case.read_text())
    changed, errors, log = cocci_convert.convert_group(
        tmp_path, [Path("ib_isert.c")],
        cocci_golden.rules_for("30-dma-field-to-sge"))
    assert not errors, errors
    assert changed == [Path("ib_isert.c")]
    kept = cocci_convert.kept_reasons(log)
    assert [(r, f) for r, f, _ in kept] == [("30", "iser_tx_desc.dma_addr")]
    assert "isert_create_send_desc() syncs it before isert_init_tx_hdrs()" \
        in kept[0][2]


NVME_OLD = ("\tnvme_rdma_free_ring(ibdev, queue->rsp_ring, queue->queue_size,\n"
            "\t\t\t    sizeof(struct nvme_completion), DMA_FROM_DEVICE);\n"
            "out_destroy_qp:\n")


def test_refill_calls_joins_what_fits():
    """nvme-rdma after rule 40: the call the wrap left on three lines."""
    new = ("\tnvme_rdma_free_ring(queue->device->pd, queue->rsp_ring,\n"
           "\t\t\t    queue->queue_size,\n"
           "\t\t\t    DMA_FROM_DEVICE);\n"
           "out_destroy_qp:\n")
    assert cocci_convert.refill_calls(NVME_OLD, new) == (
        "\tnvme_rdma_free_ring(queue->device->pd, queue->rsp_ring,\n"
        "\t\t\t    queue->queue_size, DMA_FROM_DEVICE);\n"
        "out_destroy_qp:\n")


def test_refill_calls_leaves_what_it_cannot_shorten_or_read():
    # a comment inside the call
    new = ("\tnvme_rdma_free_ring(queue->device->pd, queue->rsp_ring,\n"
           "\t\t\t    queue->queue_size, /* entries */\n"
           "\t\t\t    DMA_FROM_DEVICE);\n"
           "out_destroy_qp:\n")
    assert cocci_convert.refill_calls(NVME_OLD, new) == new
    # the lines continue an expression the rules did not change
    old = "\tret = a +\n\t      f(x,\n\t\ty);\n"
    new = "\tret = a +\n\t      g(x,\n\t\ty);\n"
    assert cocci_convert.refill_calls(old, new) == new
    # a line of the call kept from the original code
    new = ("\tnvme_rdma_free_ring(queue->device->pd, queue->rsp_ring,\n"
           "\t\t\t    sizeof(struct nvme_completion), DMA_FROM_DEVICE);\n"
           "out_destroy_qp:\n")
    assert cocci_convert.refill_calls(NVME_OLD, new) == new
    # already as short as it can be
    new = ("\trdma_sync_sge_for_device(device->ib_device, &desc->sge,\n"
           "\t\t\t\t DMA_FROM_DEVICE);\n")
    assert cocci_convert.refill_calls("\tx();\n", new) == new
