import commit
import maintainers
from conftest import git

MAINTAINERS = """\
NVM EXPRESS DRIVER
S:	Supported
F:	drivers/nvme/host/

NFS, SUNRPC, AND LOCKD CLIENTS
S:	Maintained
F:	net/sunrpc/

KERNEL NFSD, SUNRPC, AND LOCKD SERVERS
S:	Supported
F:	net/sunrpc/
"""


def test_subject_prefixes():
    assert commit.subject_prefix_of("nvme-rdma: fix a leak") == "nvme-rdma:"
    assert commit.subject_prefix_of("smb: client: fix a leak") == \
        "smb: client:"
    assert commit.subject_prefix_of("RDMA/srp: Fix x") == "RDMA/srp:"
    assert commit.subject_prefix_of('Revert "nvme-rdma: x"') is None
    assert commit.subject_prefix_of("Fix the build") is None


def test_prefix_is_learned_from_history(kernel_shaped):
    path = kernel_shaped / "drivers/nvme/host/rdma.c"
    path.parent.mkdir(parents=True)
    for n, subject in enumerate(["nvme-rdma: a", "nvme-rdma: b",
                                 "nvme: c", "nvme-rdma: d"]):
        path.write_text(f"int x = {n};\n")
        git(kernel_shaped, "add", "-A")
        git(kernel_shaped, "commit", "-q", "-m", subject)
    assert commit.learned_prefix(kernel_shaped,
                                 ["drivers/nvme/host/rdma.c"]) == "nvme-rdma:"
    # Too little history: the table decides.
    assert commit.learned_prefix(kernel_shaped, ["Makefile"]) is None


def test_groups_split_client_and_server_of_one_entry(kernel_shaped):
    owners = maintainers.Maintainers(kernel_shaped, MAINTAINERS)
    groups = commit.group_files(kernel_shaped, [
        "net/sunrpc/xprtrdma/verbs.c", "net/sunrpc/xprtrdma/svc_rdma_rw.c",
        "net/sunrpc/xprtrdma/svc_rdma_sendto.c",
        "drivers/nvme/host/rdma.c"], owners)
    assert [(g.prefix, g.files) for g in groups] == [
        ("nvme-rdma:", ["drivers/nvme/host/rdma.c"]),
        ("svcrdma:", ["net/sunrpc/xprtrdma/svc_rdma_rw.c",
                      "net/sunrpc/xprtrdma/svc_rdma_sendto.c"]),
        ("xprtrdma:", ["net/sunrpc/xprtrdma/verbs.c"])]


def test_message_says_what_and_why_and_signs_off():
    group = commit.Group("9P FILE SYSTEM", "net/9p:",
                         ["net/9p/trans_rdma.c"])
    diff = ("+\tif (rdma_map_sge_single(rdma->pd, &c->busa, buf, len,\n"
            "+\trdma_unmap_sge(dev, &c->busa, DMA_TO_DEVICE);\n"
            "-\tc->busa = ib_dma_map_single(dev, buf, len, dir);\n")
    text = commit.message(group, diff, (8, 2), (0, 0),
                          ["10-ib-sge-map.cocci"], ("A U Thor", "a@b.c"))
    lines = text.splitlines()
    assert lines[0] == "net/9p: use the ib_sge builders instead of " \
        "ib_dma_* wrappers"
    assert len(lines[0]) <= 75 and lines[1] == ""
    assert all(len(l) <= 72 for l in lines[1:] if not l.startswith(
        "Signed-off-by"))
    assert "rdma_map_sge_single() and rdma_unmap_sge()" in \
        " ".join(lines)
    assert "removes 8 ib_dma_*() call(s) and 2 local_dma_lkey" in \
        " ".join(lines)
    assert lines[-1] == "Signed-off-by: A U Thor <a@b.c>"


def test_message_says_why_a_release_loop_was_folded():
    group = commit.Group("KSMBD", "ksmbd:", ["fs/smb/server/transport_rdma.c"])
    # the diff of ksmbd's smb_direct_free_sendmsg() as the series has it
    diff = ("-\tif (msg->num_sge > 0) {\n"
            "-\t\tib_dma_unmap_single(t->cm_id->device,\n"
            "-\t\tfor (i = 1; i < msg->num_sge; i++)\n"
            "-\t\t\tib_dma_unmap_page(t->cm_id->device,\n"
            "-\t}\n"
            "+\tfor (i = 0; i < msg->num_sge; i++)\n"
            "+\t\trdma_unmap_sge(t->cm_id->device, &msg->sge[i], "
            "DMA_TO_DEVICE);\n")
    folded = "released in one loop"
    text = commit.message(group, diff, (2, 0), (0, 0), [], ("A", "a@b.c"))
    assert folded in " ".join(text.split())
    # a loop from 0 that was there before (only its body changed) is no
    # fold, and neither is a loop from 1 that stays
    for other in (diff.replace("(i = 1;", "(i = 0;"),
                  diff.replace("+\tfor (i = 0;", "+\tfor (i = 1;")):
        text = commit.message(group, other, (2, 0), (0, 0), [], ("A", "a@b.c"))
        assert folded not in " ".join(text.split())


def test_message_of_list_maps_says_why_software_devices_are_safe():
    group = commit.Group("NFS/RDMA", "xprtrdma:",
                         ["net/sunrpc/xprtrdma/frwr_ops.c"])
    diff = ("+\tdma_nents = rdma_map_sgl(ep->re_id->device, mr->mr_sg,\n"
            "+\t\trdma_unmap_sgl(mr->mr_device, mr->mr_sg, mr->mr_nents,\n"
            "-\tdma_nents = ib_dma_map_sg(ep->re_id->device, mr->mr_sg,\n")
    message = commit.message(group, diff, (2, 0), (0, 0),
                             ["60-sgl-map.cocci"], ("A U Thor", "a@b.c"))
    assert message.splitlines()[0] == \
        "xprtrdma: use rdma_map_sgl() instead of ib_dma_map_sg()"
    text = " ".join(message.split())
    assert "Map scatterlists with rdma_map_sgl() and rdma_unmap_sgl() " \
        "instead of ib_dma_map_sg()" in text
    assert "nothing in the driver reads it" in text
    # no sge is built here: the builders' paragraph is not claimed
    assert "Build the struct ib_sge" not in text


def test_provider_prefix_and_message():
    assert commit.table_prefix("drivers/infiniband/hw/mlx5/mr.c") == \
        "RDMA/mlx5:"
    assert commit.table_prefix("drivers/infiniband/ulp/srp/ib_srp.c") == \
        "IB/srp:"
    group = commit.Group("MELLANOX MLX5 IB driver", "RDMA/mlx5:",
                         ["drivers/infiniband/hw/mlx5/mr.c"])
    diff = ("-\tib_dma_sync_single_for_cpu(ibmr->device, mr->desc_map,\n"
            "+\tdma_sync_single_for_cpu(ibmr->device->dma_device, "
            "mr->desc_map,\n"
            "+\tdma_sync_single_for_device(ibmr->device->dma_device, "
            "mr->desc_map,\n")
    proof = ("ib_register_device() at drivers/infiniband/hw/mlx5/main.c:4537"
             " passes &dev->mdev->pdev->dev")
    text = commit.provider_message(group, "mlx5", diff, (6, 1), (0, 1),
                                   proof, "provider-dma-api.cocci",
                                   ("A U Thor", "a@b.c"))
    lines = text.splitlines()
    assert lines[0] == "RDMA/mlx5: Call the DMA API instead of the " \
        "ib_dma_* wrappers"
    assert all(len(l) <= 72 for l in lines[1:] if not l.startswith(
        "Signed-off-by"))
    joined = " ".join(lines)
    assert "main.c:4537 passes &dev->mdev->pdev->dev" in joined
    assert "removes 6 ib_dma_*() call(s), which become " \
        "dma_sync_single_for_cpu() and dma_sync_single_for_device(); 0 " \
        "remain in drivers/infiniband/hw/mlx5/mr.c." in joined
    assert lines[-1] == "Signed-off-by: A U Thor <a@b.c>"
