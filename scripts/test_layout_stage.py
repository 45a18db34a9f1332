"""layout_stage on real pahole output and Kbuild command files."""


import layout_stage

# pahole -C iser_tx_desc on drivers/infiniband/ulp/isert/ib_isert.o
# (6.12, allmodconfig, compiled with -g)
PAHOLE_ISERT = """\
struct iser_tx_desc {
	struct iser_ctrl           iser_header;          /*     0    28 */
	struct iscsi_hdr           iscsi_header;         /*    28    48 */
	/* --- cacheline 1 boundary (64 bytes) was 12 bytes ago --- */
	enum isert_desc_type       type;                 /*    76     4 */
	u64                        dma_addr;             /*    80     8 */
	struct ib_sge              tx_sg[2];             /*    88    32 */
	struct ib_cqe              tx_cqe;               /*   120     8 */
	/* --- cacheline 2 boundary (128 bytes) --- */
	int                        num_sge;              /*   128     4 */
	struct ib_send_wr          send_wr;              /*   132    40 */

	/* size: 172, cachelines: 3, members: 8 */
	/* last cacheline: 44 bytes */
} __attribute__((__packed__));
"""


def test_pahole_output_gives_size_cache_lines_offsets_and_packing():
    layout = layout_stage.parse_pahole(PAHOLE_ISERT)
    assert (layout.size, layout.cachelines, layout.packed) == (172, 3, True)
    assert layout.members["dma_addr"] == (80, 8)
    assert layout.members["tx_sg"] == (88, 32)
    assert len(layout.members) == 8
    unpacked = PAHOLE_ISERT.replace(" __attribute__((__packed__))", "")
    assert not layout_stage.parse_pahole(unpacked).packed
    assert layout_stage.parse_pahole("struct x;\n") is None


def test_flags_name_packing_cache_lines_and_an_unaligned_sge():
    before = layout_stage.parse_pahole(PAHOLE_ISERT)
    after = layout_stage.Layout(180, 3, True, {**before.members,
                                               "dma_addr": (80, 16)})
    assert layout_stage.flags(before, after, ["dma_addr"]) == [
        "packed", "grows by 8 bytes: the stride of any array of it"]
    # iser's login descriptor is __packed in the source, but every member
    # is naturally aligned: pahole cannot tell
    natural = layout_stage.Layout(56, 1, False, {"req_dma": (16, 8)})
    grown = layout_stage.Layout(72, 2, False, {"req_dma": (16, 16)})
    assert layout_stage.flags(natural, grown, ["req_dma"]) == [
        "grows by 16 bytes: the stride of any array of it",
        "cache lines 1 -> 2"]
    assert layout_stage.flags(natural, grown, ["req_dma"], packed=True) == [
        "packed", "grows by 16 bytes: the stride of any array of it",
        "cache lines 1 -> 2"]
    # iser's rx descriptor: 256 -> 264 bytes, the sge at 204
    after = layout_stage.Layout(264, 5, True, {"dma_addr": (204, 16)})
    before = layout_stage.Layout(256, 4, True, {"dma_addr": (204, 8)})
    assert layout_stage.flags(before, after, ["dma_addr"]) == [
        "packed", "grows by 8 bytes: the stride of any array of it",
        "cache lines 4 -> 5",
        "dma_addr at offset 204: not 8-byte aligned"]
    # with its pad fixed it keeps its size; rx_sg was unaligned already
    before = layout_stage.Layout(256, 4, True, {"dma_addr": (204, 8),
                                                "rx_sg": (212, 16)})
    fixed = layout_stage.Layout(256, 4, True, {"sge": (204, 16),
                                               "rx_sg": (220, 16)})
    assert layout_stage.flags(before, fixed, ["dma_addr", "sge"]) == [
        "packed", "sge at offset 204: not 8-byte aligned (as rx_sg was "
        "already)"]
    change = layout_stage.LayoutChange("iser_rx_desc", "iscsi_iser.h",
                                       ["dma_addr"], before, after,
                                       ["packed"])
    assert change.line() == ("struct iser_rx_desc (iscsi_iser.h): 256 -> "
                             "264 bytes, 4 -> 5 cache lines; dma_addr "
                             "[packed]")


def test_struct_changes_find_the_retyped_member():
    old = "struct nvme_rdma_qe {\n\tstruct ib_cqe cqe;\n\tvoid *data;\n" \
          "\tu64 dma;\n};\nstruct other { int a; };\n"
    new = old.replace("\tu64 dma;", "\tstruct ib_sge dma;")
    assert layout_stage.struct_changes(old, new) == {"nvme_rdma_qe": ["dma"]}
    assert layout_stage.struct_changes(old, old) == {}


def test_the_kbuild_command_is_reused_with_debug_info(tmp_path):
    cmd = tmp_path / ".rdma.o.cmd"
    cmd.write_text(
        "savedcmd_drivers/nvme/host/rdma.o := gcc -Wp,-MMD,drivers/nvme/"
        "host/.rdma.o.d -nostdinc -I./include -O2 -c -o drivers/nvme/host/"
        "rdma.o /src/drivers/nvme/host/rdma.c   ; ./tools/objtool/objtool "
        "--hacks=jump_label drivers/nvme/host/rdma.o\n\nsource_x := y\n")
    words = layout_stage.debug_command(cmd, tmp_path / "out.o")
    assert words[0] == "gcc" and words[-1] == "-g"
    assert words[words.index("-o") + 1] == str(tmp_path / "out.o")
    assert not any(w.startswith("-Wp,-MMD") for w in words)
    assert "objtool" not in " ".join(words)
    assert layout_stage.debug_command(tmp_path / "missing.cmd",
                                      tmp_path / "o") is None


def test_the_probe_is_the_first_built_source_that_uses_the_struct():
    texts = {"h/a.c": "int a;", "h/b.c": '#include "rdma.h"\nint b;',
             "h/c.c": '#include "rdma.h"\nstruct nvme_rdma_qe *qe;',
             "h/d.c": '#include "rdma.h"\nstruct nvme_rdma_qe x;'}
    assert layout_stage.probe_source("nvme_rdma_qe", "h/rdma.h",
                                     ["h/a.c", "h/b.c", "h/c.c", "h/d.c"],
                                     texts.get) == "h/c.c"
    assert layout_stage.probe_source("x", "c.c", ["c.c"], texts.get) == "c.c"
    assert layout_stage.probe_source("nope", "h.h", ["h/a.c"],
                                     texts.get) is None


def test_the_probe_includes_the_header_that_declares_the_struct():
    # 6.12: iser and isert each declare a struct iser_rx_desc; the
    # initiator's sources come first and must not stand for isert's
    iser = "drivers/infiniband/ulp/iser/iser_initiator.c"
    isert = "drivers/infiniband/ulp/isert/ib_isert.c"
    texts = {iser: '#include "iscsi_iser.h"\nstruct iser_rx_desc *d;',
             isert: '#include <rdma/ib_verbs.h>\n#include "ib_isert.h"\n'
                    'struct iser_rx_desc *rx_desc;'}
    header = "drivers/infiniband/ulp/isert/ib_isert.h"
    assert layout_stage.probe_source("iser_rx_desc", header, [iser, isert],
                                     texts.get) == isert
    assert layout_stage.includes(isert, texts[isert],
                                 "include/rdma/ib_verbs.h")
    assert layout_stage.includes("net/smc/smc_wr.c",
                                 '#include "../smc/smc_core.h"',
                                 "net/smc/smc_core.h")


def test_the_probe_may_include_the_header_through_another():
    rtrs = "drivers/infiniband/ulp/rtrs/"
    texts = {rtrs + "rtrs-clt.c": '#include "rtrs-clt.h"\n'
                                  'struct rtrs_iu *iu;',
             rtrs + "rtrs-clt.h": '#include <linux/device.h>\n'
                                  '#include "rtrs-pri.h"\n'}

    def read(path):
        if path not in texts:
            raise FileNotFoundError(path)
        return texts[path]

    assert layout_stage.probe_source("rtrs_iu", rtrs + "rtrs-pri.h",
                                     [rtrs + "rtrs-clt.c"],
                                     read) == rtrs + "rtrs-clt.c"
    assert not layout_stage.includes(rtrs + "rtrs-clt.c",
                                     texts[rtrs + "rtrs-clt.c"],
                                     rtrs + "rtrs-pri.h")


def test_a_renamed_member_reads_old_to_new():
    before = layout_stage.Layout(32, 1, False, {"cqe": (0, 8), "buf": (8, 8),
                                                "dma": (16, 8)})
    after = layout_stage.Layout(40, 1, False, {"cqe": (0, 8), "buf": (8, 8),
                                               "sge": (16, 16)})
    change = layout_stage.LayoutChange("srpt_ioctx", "ib_srpt.h",
                                       ["dma", "sge"], before, after)
    assert change.described_members() == ["dma -> sge"]
    assert change.line().endswith("32 -> 40 bytes, 1 -> 1 cache lines; "
                                  "dma -> sge")


def test_a_rename_after_a_member_that_grew_is_still_a_rename():
    # smc_link: wr_rx_dma_addr grows first, so wr_rx_v2_sge sits 8 bytes
    # further on than wr_rx_v2_dma_addr did
    before = layout_stage.Layout(24, 1, False, {
        "wr_rx_dma_addr": (0, 8), "wr_rx_v2_dma_addr": (8, 8),
        "wr_rx_id": (16, 8)})
    after = layout_stage.Layout(40, 1, False, {
        "wr_rx_sge": (0, 16), "wr_rx_v2_sge": (16, 16), "wr_rx_id": (32, 8)})
    change = layout_stage.LayoutChange(
        "smc_link", "smc_core.h",
        ["wr_rx_dma_addr", "wr_rx_sge", "wr_rx_v2_dma_addr", "wr_rx_v2_sge"],
        before, after)
    assert change.described_members() == [
        "wr_rx_dma_addr -> wr_rx_sge", "wr_rx_v2_dma_addr -> wr_rx_v2_sge"]
