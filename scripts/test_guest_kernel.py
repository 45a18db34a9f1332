"""Tests for guest_kernel.py: the config fragments of the guest kernels."""

import pytest

import guest_kernel


def test_fragment_options_and_what_did_not_take(tmp_path):
    fragment = tmp_path / "f.config"
    fragment.write_text("# comment\nCONFIG_A=y\n# CONFIG_B is not set\n"
                        "CONFIG_C=n\nCONFIG_D=64\n")
    wanted = guest_kernel.fragment_options(fragment)
    assert wanted == {"CONFIG_A": "y", "CONFIG_B": "n", "CONFIG_C": "n",
                      "CONFIG_D": "64"}
    final = "CONFIG_A=y\nCONFIG_C=y\n# CONFIG_B is not set\nCONFIG_D=64\n"
    assert guest_kernel.missing_options(final, wanted) == [
        "CONFIG_C=n (got y)"]
    assert guest_kernel.missing_options("", {"CONFIG_A": "y"}) == [
        "CONFIG_A=y (got n)"]


def test_the_shipped_fragments_ask_for_what_the_issue_needs():
    base = guest_kernel.fragment_options(guest_kernel.RUNTIME_FRAGMENT)
    for option in ("CONFIG_RDMA_RXE", "CONFIG_RDMA_SIW", "CONFIG_NVME_RDMA",
                   "CONFIG_NVME_TARGET_RDMA", "CONFIG_BLK_DEV_RAM",
                   "CONFIG_CONFIGFS_FS", "CONFIG_DEVTMPFS",
                   "CONFIG_SERIAL_8250_CONSOLE"):
        assert base[option] == "y", option
    assert "=m" not in guest_kernel.RUNTIME_FRAGMENT.read_text()
    debug = guest_kernel.fragment_options(guest_kernel.DEBUG_FRAGMENT)
    assert debug["CONFIG_KASAN"] == "y"
    assert debug["CONFIG_SLUB_TINY"] == "n"  # tinyconfig's, blocks KASAN
    assert debug["CONFIG_PROVE_LOCKING"] == "y"
    assert debug["CONFIG_DEBUG_SG"] == "y"




def merged(variant: str, **kwargs) -> dict[str, str]:
    options: dict[str, str] = {}
    for fragment in guest_kernel.fragments(variant, **kwargs):
        options.update(guest_kernel.fragment_options(fragment))
    return options


def test_the_debug_kernel_carries_the_kunit_suite_switched_off():
    debug = merged("debug")
    assert debug["CONFIG_INFINIBAND_SGE_KUNIT_TEST"] == "y"
    assert debug["CONFIG_KUNIT_DEFAULT_ENABLED"] == "n"
    assert debug["CONFIG_KASAN"] == "y"
    # the base tree has no suite: its control kernel leaves it out
    control = merged("debug", kunit=False)
    assert "CONFIG_INFINIBAND_SGE_KUNIT_TEST" not in control
    assert control["CONFIG_KASAN"] == "y"
    assert "CONFIG_KUNIT" not in merged("converted")
    with pytest.raises(ValueError):
        guest_kernel.fragments("base")


def test_build_directories_are_per_work_tree_and_variant(tmp_path):
    a = guest_kernel.build_dir(tmp_path, "linux-1", "debug")
    assert a.parent == tmp_path / "runtime"
    assert len({a, guest_kernel.build_dir(tmp_path, "linux-1", "converted"),
                guest_kernel.build_dir(tmp_path, "linux-2", "debug")}) == 3
