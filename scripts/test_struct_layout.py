"""struct_layout on struct definitions cut from Linux 6.12."""

import struct_layout

# drivers/infiniband/ulp/iser/iscsi_iser.h (6.12), shortened
ISER_H = r"""
#define ISER_RECV_DATA_SEG_LEN	128
#define ISER_RX_PAYLOAD_SIZE	(ISER_HEADERS_LEN + ISER_RECV_DATA_SEG_LEN)
#define ISER_HEADERS_LEN	(sizeof(struct iser_ctrl) + \
				 sizeof(struct iscsi_hdr))

/**
 * struct iser_tx_desc - iSER TX descriptor
 * @dma_addr:      header buffer dma_address
 */
struct iser_tx_desc {
	struct iser_ctrl             iser_header;
	struct iscsi_hdr             iscsi_header;
	enum   iser_desc_type        type;
	u64		             dma_addr;
	struct ib_sge		     tx_sg[2];
	int                          num_sge;
	struct ib_cqe		     cqe;
	bool			     mapped;
	struct ib_reg_wr	     reg_wr;
	struct ib_send_wr	     send_wr;
	struct ib_send_wr	     inv_wr;
};

#define ISER_RX_PAD_SIZE	(256 - (ISER_RX_PAYLOAD_SIZE + \
				 sizeof(u64) + sizeof(struct ib_sge) + \
				 sizeof(struct ib_cqe)))
struct iser_rx_desc {
	struct iser_ctrl             iser_header;
	struct iscsi_hdr             iscsi_header;
	char		             data[ISER_RECV_DATA_SEG_LEN];
	u64		             dma_addr;
	struct ib_sge		     rx_sg;
	struct ib_cqe		     cqe;
	char		             pad[ISER_RX_PAD_SIZE];
} __packed;
"""

# the same rx descriptor without __packed: the pad alone still refuses
ISER_H_UNPACKED = ISER_H.replace("} __packed;", "};")

# drivers/infiniband/ulp/srp/ib_srp.h and ib_srp.c (6.12), shortened
SRP_H = r"""
struct srp_iu {
	struct list_head	list;
	u64			dma;
	void		       *buf;
	size_t			size;
	enum dma_data_direction	direction;
	u32			num_sge;
	struct ib_sge		sge[SRP_MAX_SGE];
	struct ib_cqe		cqe;
};
"""
SRP_C = r"""
static int __init srp_init_module(void)
{
	int ret;

	BUILD_BUG_ON(sizeof(struct srp_aer_req) != 36);
	BUILD_BUG_ON(sizeof(struct srp_cmd) != 48);
"""


def test_a_packed_descriptor_with_a_stride_pad_is_refused():
    why = struct_layout.refusal({"iscsi_iser.h": ISER_H}, "iser_rx_desc",
                                "dma_addr")
    assert why and "pad[ISER_RX_PAD_SIZE]" in why
    assert struct_layout.packed({"iscsi_iser.h": ISER_H}, "iser_rx_desc")


# drivers/infiniband/ulp/isert/ib_isert.h (6.12): packed, no pad
ISERT_H = r"""
struct iser_tx_desc {
	struct iser_ctrl iser_header;
	struct iscsi_hdr iscsi_header;
	enum isert_desc_type type;
	u64		dma_addr;
	struct ib_sge	tx_sg[2];
	struct ib_cqe	tx_cqe;
	int		num_sge;
	struct ib_send_wr send_wr;
} __packed;
"""

# net/smc/smc_core.h (6.12): an array sized by the size of another type
SMC_H = r"""
#define SMC_GID_SIZE			sizeof(union ib_gid)
struct smc_link {
	struct ib_sge		*wr_tx_sges;
	u64			wr_tx_dma_addr;
	u8			gid[SMC_GID_SIZE];
	u8			sgid_index;
};
"""


def test_packed_alone_or_a_size_of_another_type_is_not_refused():
    assert struct_layout.refusal({"ib_isert.h": ISERT_H}, "iser_tx_desc",
                                 "dma_addr") is None
    assert struct_layout.packed({"ib_isert.h": ISERT_H}, "iser_tx_desc")
    assert struct_layout.refusal({"smc_core.h": SMC_H}, "smc_link",
                                 "wr_tx_dma_addr") is None
    assert not struct_layout.packed({"smc_core.h": SMC_H}, "smc_link")


def test_a_pad_sized_from_member_sizes_is_refused():
    why = struct_layout.refusal({"iscsi_iser.h": ISER_H_UNPACKED},
                                "iser_rx_desc", "dma_addr")
    assert why and "pad[ISER_RX_PAD_SIZE]" in why and "sizeof(u64)" in why
    # a pad that counts the struct in another way: a difference of sizes
    other = ISER_H_UNPACKED.replace("sizeof(u64) +", "8 +")
    why = struct_layout.refusal({"iscsi_iser.h": other}, "iser_rx_desc",
                                "dma_addr")
    assert why and "256 -" in why


def test_an_ordinary_descriptor_is_not_refused():
    assert struct_layout.refusal({"iscsi_iser.h": ISER_H}, "iser_tx_desc",
                                 "dma_addr") is None
    assert struct_layout.refusal({"ib_srp.h": SRP_H, "ib_srp.c": SRP_C},
                                 "srp_iu", "dma") is None


def test_a_build_bug_on_the_size_is_refused():
    pinned = SRP_C.replace("struct srp_cmd", "struct srp_iu")
    why = struct_layout.refusal({"ib_srp.h": SRP_H, "ib_srp.c": pinned},
                                "srp_iu", "dma")
    assert why and why.startswith("ib_srp.c:7 ") and "BUILD_BUG_ON" in why


def test_a_uapi_struct_is_refused():
    why = struct_layout.refusal({"include/uapi/rdma/x.h": SRP_H}, "srp_iu",
                                "dma")
    assert why and "uapi" in why


def test_a_struct_not_found_or_without_the_member_is_not_refused():
    assert struct_layout.refusal({"a.h": ISER_H}, "nvme_rdma_qe",
                                 "dma") is None
    assert struct_layout.refusal({"a.h": ISER_H}, "iser_rx_desc",
                                 "dma") is None


def test_comments_do_not_count():
    commented = ISER_H_UNPACKED.replace(
        "char		             pad[ISER_RX_PAD_SIZE];",
        "/* char pad[ISER_RX_PAD_SIZE]; */")
    assert struct_layout.refusal({"a.h": commented}, "iser_rx_desc",
                                 "dma_addr") is None


def test_members_and_packing_are_read(tmp_path):
    [rx] = struct_layout.structs(ISER_H)["iser_rx_desc"]
    assert rx.packed
    assert [name for _, name in rx.members] == [
        "iser_header", "iscsi_header", "data", "dma_addr", "rx_sg", "cqe",
        "pad"]
    (tmp_path / "iscsi_iser.h").write_text(ISER_H)
    (tmp_path / "iser_verbs.c").write_text("/* nothing */\n")
    assert struct_layout.member_refusal(str(tmp_path / "iscsi_iser.h"),
                                        "iser_rx_desc", "dma_addr")


def test_a_pad_that_counts_the_member_once_is_fixed_not_refused():
    fix = struct_layout.pad_fix({"iscsi_iser.h": ISER_H}, "iser_rx_desc",
                                "dma_addr")
    assert fix == struct_layout.PadFix("iscsi_iser.h", "ISER_RX_PAD_SIZE",
                                       "sizeof(u64)")
    fixed = fix.apply(ISER_H)
    # 80 columns: the grown line is split after a " + "
    assert ("#define ISER_RX_PAD_SIZE\t(256 - (ISER_RX_PAYLOAD_SIZE + \\\n"
            "\t\t\t\t sizeof(struct ib_sge) + \\\n"
            "\t\t\t\t sizeof(struct ib_sge) + \\\n"
            "\t\t\t\t sizeof(struct ib_cqe)))\n" in fixed)
    assert fixed.count("sizeof(u64)") == 0
    assert struct_layout.PadFix.decode(fix.encode()) == fix
    # the tx descriptor has no pad: nothing to fix
    assert struct_layout.pad_fix({"iscsi_iser.h": ISER_H}, "iser_tx_desc",
                                 "dma_addr") is None


def test_a_pad_that_cannot_be_fixed_in_one_place_is_not():
    # the pad counts the member as a plain 8
    other = ISER_H.replace("sizeof(u64) +", "8 +")
    assert struct_layout.pad_fix({"a.h": other}, "iser_rx_desc",
                                 "dma_addr") is None
    # a second u64 member: which one does sizeof(u64) count?
    two = ISER_H.replace("\tu64\t\t             dma_addr;\n\tstruct ib_sge",
                         "\tu64\t\t             dma_addr;\n"
                         "\tu64\t\t             cookie;\n\tstruct ib_sge")
    assert "cookie" in two
    assert struct_layout.pad_fix({"a.h": two}, "iser_rx_desc",
                                 "dma_addr") is None
    # the macro is used elsewhere too
    shared = ISER_H + "static char spare[ISER_RX_PAD_SIZE];\n"
    assert struct_layout.pad_fix({"a.h": shared}, "iser_rx_desc",
                                 "dma_addr") is None
    # the size is pinned
    pinned = ISER_H + "BUILD_BUG_ON(sizeof(struct iser_rx_desc) != 256);\n"
    assert struct_layout.pad_fix({"a.h": pinned}, "iser_rx_desc",
                                 "dma_addr") is None
