"""Tests for guest_kernel.py: the config fragments of the guest kernels."""

import os
import shutil
import subprocess

import pytest

import apply
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
    # the suite's kunitconfig turns IPv6 off, the runtime test needs it on
    assert debug["CONFIG_IPV6"] == control["CONFIG_IPV6"] == "y"
    with pytest.raises(ValueError):
        guest_kernel.fragments("base")


def test_build_directories_are_per_work_tree_and_variant(tmp_path):
    a = guest_kernel.build_dir(tmp_path, "linux-1", "debug")
    assert a.parent == tmp_path / "runtime"
    assert len({a, guest_kernel.build_dir(tmp_path, "linux-1", "converted"),
                guest_kernel.build_dir(tmp_path, "linux-2", "debug")}) == 3


def _git(where, *args):
    return subprocess.run(["git", "-C", str(where), *args], check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture
def small_repo(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.org")
    _git(repo, "config", "user.name", "T")
    (repo / "rxe.c").write_text("int real_dma;\nint x;\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    return repo


def _patch(tmp_path, old, new):
    """A patch (with a description before it, as the shipped one has)
    that turns rxe.c's line old into new."""
    patch = tmp_path / "test.patch"
    patch.write_text(
        "test mode, never posted\n\n"
        "diff --git a/rxe.c b/rxe.c\n--- a/rxe.c\n+++ b/rxe.c\n"
        f"@@ -1,2 +1,2 @@\n-{old}\n+{new}\n int x;\n")
    return patch


def test_a_variant_without_test_patches_builds_the_checkout(small_repo,
                                                            tmp_path):
    source = guest_kernel.variant_source(small_repo, "converted",
                                         tmp_path / "src")
    assert source == guest_kernel.Source(small_repo, (), ())
    assert not (tmp_path / "src").exists()


def test_test_patches_go_to_a_worktree_of_their_own(small_repo, tmp_path,
                                                    monkeypatch):
    patch = _patch(tmp_path, "int real_dma;", "int real_dma = 1;")
    monkeypatch.setitem(guest_kernel.TEST_PATCHES, "debug", (patch,))
    src = tmp_path / "debug-src"
    source = guest_kernel.variant_source(small_repo, "debug", src)
    assert source == guest_kernel.Source(src, ("test.patch",), ())
    assert (src / "rxe.c").read_text().startswith("int real_dma = 1;")
    # the checkout it came from is untouched
    assert _git(small_repo, "status", "--porcelain") == ""
    assert (small_repo / "rxe.c").read_text().startswith("int real_dma;")
    # nothing changed: nothing is rewritten (Kbuild goes by mtimes)
    mtime = (src / "rxe.c").stat().st_mtime_ns
    assert guest_kernel.variant_source(small_repo, "debug", src) == source
    assert (src / "rxe.c").stat().st_mtime_ns == mtime
    # a new commit: the worktree follows it, the patch on top again
    (small_repo / "rxe.c").write_text("int real_dma;\nint x;\nint y;\n")
    _git(small_repo, "commit", "-q", "-am", "y")
    guest_kernel.variant_source(small_repo, "debug", src)
    assert (src / "rxe.c").read_text() == "int real_dma = 1;\nint x;\nint y;\n"
    assert _git(src, "rev-parse", "HEAD") == _git(small_repo, "rev-parse",
                                                  "HEAD")


def test_a_test_patch_that_does_not_apply_is_reported(small_repo, tmp_path,
                                                      monkeypatch):
    patch = _patch(tmp_path, "int dma_virt;", "int dma_virt = 1;")
    monkeypatch.setitem(guest_kernel.TEST_PATCHES, "debug", (patch,))
    source = guest_kernel.variant_source(small_repo, "debug",
                                         tmp_path / "debug-src")
    assert source.applied == ()
    assert len(source.refused) == 1
    assert source.refused[0].startswith("test.patch: ")
    assert "rxe.c" in source.refused[0]  # git apply's reason
    assert (source.path / "rxe.c").read_text() == "int real_dma;\nint x;\n"
    # not remembered: once the tree is one it applies to, it is applied
    (small_repo / "rxe.c").write_text("int dma_virt;\nint x;\n")
    _git(small_repo, "commit", "-q", "-am", "virt")
    again = guest_kernel.variant_source(small_repo, "debug", source.path)
    assert again.applied == ("test.patch",) and again.refused == ()


def test_a_test_patch_the_tree_has_already_is_left_out(small_repo, tmp_path,
                                                       monkeypatch):
    """A tree with the same change under another subject is known by the
    patch applying in reverse.  A converted tree has the series' fixes as
    commits, which the rules may have rewritten since (the patch applies
    neither way): known by the commit's subject."""
    patch = _patch(tmp_path, "int real_dma;", "int real_dma = 1;")
    patch.write_text("Subject: [PATCH] rxe: map through the DMA API\n\n"
                     + patch.read_text())
    monkeypatch.setitem(guest_kernel.TEST_PATCHES, "debug", (patch,))
    subject = apply.patch_subject(patch)
    assert subject == "rxe: map through the DMA API"
    (small_repo / "rxe.c").write_text("int real_dma = 1;\nint x;\n")
    _git(small_repo, "commit", "-q", "-am", "upstream's own fix")
    source = guest_kernel.variant_source(small_repo, "debug",
                                         tmp_path / "a-src")
    assert (source.applied, source.refused, source.present) == \
        ((), (), ("test.patch",))
    # rewritten since: neither way applies, the subject says it is there
    (small_repo / "rxe.c").write_text("int real_dma = 2;\nint x;\n")
    _git(small_repo, "commit", "-q", "-am", subject)
    again = guest_kernel.variant_source(small_repo, "debug",
                                        tmp_path / "b-src")
    assert (again.applied, again.refused, again.present) == \
        ((), (), ("test.patch",))
    assert (again.path / "rxe.c").read_text() == "int real_dma = 2;\nint x;\n"


def test_a_worktree_deleted_by_hand_or_a_bad_stamp_is_redone(
        small_repo, tmp_path, monkeypatch):
    patch = _patch(tmp_path, "int real_dma;", "int real_dma = 1;")
    monkeypatch.setitem(guest_kernel.TEST_PATCHES, "debug", (patch,))
    src = tmp_path / "debug-src"
    guest_kernel.variant_source(small_repo, "debug", src)
    shutil.rmtree(src)
    source = guest_kernel.variant_source(small_repo, "debug", src)
    assert (src / "rxe.c").read_text().startswith("int real_dma = 1;")
    src.with_name(src.name + ".stamp").write_text("{not json")
    assert guest_kernel.variant_source(small_repo, "debug", src) == source


def test_the_debug_kernel_can_see_what_rxe_dma_checks():
    # rxe_dma's maps are only worth checking with DMA-API debugging and swiotlb's
    # counters in debugfs, which the guest reads
    debug = guest_kernel.fragment_options(guest_kernel.DEBUG_FRAGMENT)
    assert debug["CONFIG_DMA_API_DEBUG"] == "y"
    assert debug["CONFIG_DEBUG_FS"] == "y"


@pytest.mark.kernel
def test_the_test_patches_apply_to_the_default_tree(default_tree, tmp_path):
    """They apply to the unconverted tree (the control kernel of the debug
    variant needs them as much as the converted one), in order, as
    variant_source() applies them (one may build on another: the SMB
    client's two), and the fixes, which are to be posted, are checkpatch
    --strict clean."""
    # in an index of our own: the default tree's files stay as they are
    env = dict(os.environ, GIT_INDEX_FILE=str(tmp_path / "index"))
    subprocess.run(["git", "-C", str(default_tree), "read-tree", "HEAD"],
                   env=env, check=True)
    for patch in guest_kernel.TEST_PATCHES["debug"]:
        done = subprocess.run(["git", "-C", str(default_tree), "apply",
                               "--cached", str(patch)],
                              capture_output=True, text=True, env=env)
        assert done.returncode == 0, (patch.name, done.stderr)
    # the tree has no upstream history to look a Fixes: commit up in
    for patch in guest_kernel.FIX_PATCHES:
        done = subprocess.run(
            [str(default_tree / "scripts/checkpatch.pl"), "--strict",
             "--no-tree", "--ignore", "UNKNOWN_COMMIT_ID", str(patch)],
            capture_output=True, text=True)
        assert "total: 0 errors, 0 warnings, 0 checks" in done.stdout, \
            (patch.name, done.stdout[-2000:])
