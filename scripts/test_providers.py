from pathlib import Path

import providers
from conftest import git

# Cut from Linux 6.12: mlx5/main.c, mlx4/main.c, rdmavt/vt.c,
# hns/hns_roce_main.c, irdma/verbs.c and core/device.c.
MLX5 = """\
static int mlx5_ib_stage_ib_reg_init(struct mlx5_ib_dev *dev)
{
	const char *name;

	if (!mlx5_lag_is_active(dev->mdev))
		name = "mlx5_%d";
	else
		name = "mlx5_bond_%d";
	return ib_register_device(&dev->ib_dev, name, &dev->mdev->pdev->dev);
}
"""
MLX4 = """\
	err = ib_register_device(&ibdev->ib_dev, "mlx4_%d",
				 &dev->persist->pdev->dev);
	if (err)
		goto err_diag_counters;
"""
RDMAVT = """\
	/* We are now good to announce we exist */
	ret = ib_register_device(&rdi->ibdev, dev_name(&rdi->ibdev.dev), NULL);
	if (ret) {
"""
HNS = """\
	ib_set_device_ops(ib_dev, hr_dev->hw->hns_roce_dev_ops);
	ib_set_device_ops(ib_dev, &hns_roce_dev_ops);
	ret = ib_register_device(ib_dev, "hns_%d", dev);
"""
IRDMA = """\
int irdma_ib_register_device(struct irdma_device *iwdev)
{
	int ret;

	ret = irdma_init_rdma_device(iwdev);
	if (ret)
		return ret;

	ret = ib_device_set_netdev(&iwdev->ibdev, iwdev->netdev, 1);
	if (ret)
		goto error;
	dma_set_max_seg_size(iwdev->rf->hw.device, UINT_MAX);
	ret = ib_register_device(&iwdev->ibdev, "irdma%d", iwdev->rf->hw.device);
"""
CORE = """\
int ib_register_device(struct ib_device *device, const char *name,
		       struct device *dma_device)
{
"""
MLX4_CQ = """\
	ib_dma_sync_single_for_cpu(qp->ibqp.device,
				   qp->sqp_proxy_rcv[tail].map,
				   sizeof (struct mlx4_ib_proxy_sqp_hdr),
				   DMA_FROM_DEVICE);
"""


def test_registration_arguments_across_lines_and_calls():
    [mlx5] = providers.registrations_in_text("hw/mlx5/main.c", MLX5)
    assert (mlx5.line, mlx5.dma_device) == (9, "&dev->mdev->pdev->dev")
    [mlx4] = providers.registrations_in_text("hw/mlx4/main.c", MLX4)
    assert mlx4.dma_device == "&dev->persist->pdev->dev"
    [vt] = providers.registrations_in_text("sw/rdmavt/vt.c", RDMAVT)
    assert vt.dma_device == "NULL" and not vt.proves_dma_device
    # the driver's own irdma_ib_register_device() is not a registration
    [irdma] = providers.registrations_in_text("hw/irdma/verbs.c", IRDMA)
    assert irdma.dma_device == "iwdev->rf->hw.device"
    assert providers.registrations_in_text("core/device.c", CORE) == []


def _provider(text: str, path="drivers/infiniband/hw/x/main.c"):
    return providers.Provider("drivers/infiniband/hw/x/",
                              tuple(providers.registrations_in_text(
                                  path, text)), (path,))


def test_only_an_address_proves_a_dma_device():
    assert _provider(MLX5).uses_dma_api
    assert _provider(MLX5).why_not() is None
    assert _provider(MLX5 + MLX4).uses_dma_api
    for text, words in ((RDMAVT, "passes no dma_device"),
                        (HNS, "`dev`"),
                        (IRDMA, "not proved non-NULL"),
                        (MLX5 + HNS, "`dev`"),  # every registration counts
                        ("", "registers no ib_device")):
        provider = _provider(text)
        assert not provider.uses_dma_api
        assert words in provider.why_not()


def test_provider_of():
    assert providers.provider_of("drivers/infiniband/hw/mlx4/mad.c") == \
        "drivers/infiniband/hw/mlx4/"
    assert providers.provider_of("drivers/infiniband/sw/rxe/rxe.c") == \
        "drivers/infiniband/sw/rxe/"
    assert providers.provider_of("drivers/infiniband/core/rw.c") is None
    assert providers.provider_of("drivers/infiniband/ulp/srp/ib_srp.c") \
        is None


def test_providers_of_a_tree(tmp_path: Path):
    files = {
        "drivers/infiniband/hw/mlx5/main.c": MLX5,
        "drivers/infiniband/hw/mlx4/main.c": MLX4,
        "drivers/infiniband/hw/mlx4/cq.c": MLX4_CQ,
        "drivers/infiniband/hw/hns/hns_roce_main.c": HNS,
        "drivers/infiniband/hw/hns/hns_roce_hw.c": MLX4_CQ,
        "drivers/infiniband/hw/hfi1/sdma.c": MLX4_CQ,
        "drivers/infiniband/sw/rdmavt/vt.c": RDMAVT + MLX4_CQ,
        "drivers/infiniband/core/device.c": CORE + MLX4_CQ,
    }
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    found = {p.name: p for p in providers.providers(tmp_path)}
    # mlx5 calls no wrapper; the core is not a provider
    assert sorted(found) == ["hfi1", "hns", "mlx4", "rdmavt"]
    assert found["mlx4"].uses_dma_api
    assert found["mlx4"].wrapper_files == ("drivers/infiniband/hw/mlx4/cq.c",)
    assert [p for p in found.values() if p.uses_dma_api] == [found["mlx4"]]
    assert "registers no ib_device" in found["hfi1"].why_not()
    # at a commit: what the tree held then, not what is checked out
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit",
        "-q", "-m", "base")
    (tmp_path / "drivers/infiniband/hw/mlx4/cq.c").write_text("/* */\n")
    assert "mlx4" not in {p.name for p in providers.providers(tmp_path)}
    assert [p.name for p in providers.providers(tmp_path, "HEAD")
            if p.uses_dma_api] == ["mlx4"]
