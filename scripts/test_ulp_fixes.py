"""The fixes of pre-existing mismatches (kernel-patches/ulp-fixes/), on the
real 6.12 code they fix, with real git, spatch and checkpatch."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import apply
import cocci_convert
import leftovers
import spatch
import ulp_fixes
from conftest import git

NVMET = "drivers/nvme/target/rdma.c"
IDENTITY = ["-c", "user.name=Test Runner", "-c", "user.email=test@example.org"]


def mismatches(root: Path, rel: str) -> list[str]:
    """What the audit's mismatch rule reports in one file."""
    runner = spatch.SpatchRunner(leftovers.MISMATCH_RULE, options=[
        *spatch.DEFAULT_OPTIONS, "-D", "report"], cache_dir=None, jobs=1)
    found = {}
    for result in runner.run(root, [rel]).values():
        found.update(leftovers.parse_mismatches(result.stdout))
    return sorted(found.values())


def tree_with(kernel_shaped: Path, default_tree: Path, rel: str) -> Path:
    (kernel_shaped / rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(default_tree / rel, kernel_shaped / rel)
    git(kernel_shaped, "add", "-A")
    git(kernel_shaped, "commit", "-q", "-m", "6.12's file")
    return kernel_shaped


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def test_every_fix_is_a_format_patch_with_a_subject():
    patches = ulp_fixes.fix_patches()
    assert patches, "kernel-patches/ulp-fixes/ is empty"
    for p in patches:
        text = p.read_text()
        assert text.startswith("From "), p.name
        assert "Signed-off-by: " in text, p.name
        assert apply.patch_subject(p), p.name


# subject prefix, the ULP's directory, its file with the mismatch, what
# the audit says before the fix, what the rules write once it is applied
FIXED = [
    ("nvmet-rdma:", "drivers/nvme/target", NVMET, "min_t",
     ["rdma_map_sge_page(ndev->pd, sge, pg, 0,",
      "rdma_map_sge_single(ndev->pd, &c->sge[0]",
      "rdma_unmap_sge(ndev->device, sge, DMA_FROM_DEVICE)"]),
    ("IB/isert:", "drivers/infiniband/ulp/isert",
     "drivers/infiniband/ulp/isert/ib_isert.c", "before it is mapped",
     ["rdma_map_sge_single(device->pd, &tx_desc->sge",
      "rdma_unmap_sge(ib_dev, &tx_desc->sge, DMA_TO_DEVICE)"]),
    ("ksmbd:", "fs/smb/server", "fs/smb/server/transport_rdma.c",
     "filled from a mapped scatterlist",
     ["rdma_map_sge_page(t->pd, sge, sg_page(&sg[j]),",
      "rdma_unmap_sge(t->cm_id->device, &msg->sge[i],"]),
]


@pytest.mark.kernel
@pytest.mark.parametrize("prefix,ulp_dir,rel,before_text,converted", FIXED,
                         ids=[f[0].rstrip(":") for f in FIXED])
def test_a_fix_removes_the_mismatch_and_lets_the_rules_convert(
        kernel_shaped, default_tree, prefix, ulp_dir, rel, before_text,
        converted):
    # the ULP's directory, and the files of it the conversion looks at
    root = kernel_shaped
    shutil.copytree(default_tree / ulp_dir, root / ulp_dir)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "6.12's ULP")
    files = cocci_convert.scope_files(root)
    assert Path(rel) in files
    base = head(root)
    before = mismatches(root, rel)
    assert any(before_text in m for m in before), before

    outcomes = ulp_fixes.apply_fixes(root, base, IDENTITY)
    mine = [o for o in outcomes if o.subject.startswith(prefix)]
    assert mine and all(o.applied for o in mine), outcomes
    assert mine[-1].commit == head(root)
    assert git(root, "status", "--porcelain").strip() == ""
    assert not any(before_text in m for m in mismatches(root, rel))
    # the fixes of other ULPs do not apply here, and say so
    others = [o for o in outcomes if not o.subject.startswith(prefix)]
    assert all(not o.applied and o.why.startswith("does not apply")
               for o in others), others

    # the rules now convert what they left alone before the fix
    changed, errors, _ = cocci_convert.convert_group(
        root, files, cocci_convert.rule_files())
    assert not errors
    text = (root / rel).read_text()
    for line in converted:
        assert line in text, line

    # a second run finds the fixes on the branch and adds nothing
    git(root, "checkout", "-q", "--", ".")
    tip = head(root)
    again = ulp_fixes.apply_fixes(root, base, IDENTITY)
    assert [o.why for o in again if o.subject.startswith(prefix)] == \
        ["already on the work branch"] * len(mine)
    assert head(root) == tip


@pytest.mark.kernel
def test_a_fix_that_does_not_apply_is_skipped_and_the_branch_kept(
        kernel_shaped, default_tree, tmp_path):
    root = tree_with(kernel_shaped, default_tree, NVMET)
    base = head(root)
    # the tree fixed it its own way: the patch's context is gone
    path = root / NVMET
    text = path.read_text()
    old = "pg, 0, PAGE_SIZE, DMA_FROM_DEVICE);"
    assert old in text
    path.write_text(text.replace(old, "pg, 0, len, DMA_FROM_DEVICE);"))
    git(root, "commit", "-qam", "fixed otherwise")
    tip = head(root)

    fixes = tmp_path / "fixes"
    fixes.mkdir()
    [first] = [p for p in ulp_fixes.fix_patches()
               if "in-capsule-data-page" in p.name]
    shutil.copy(first, fixes)
    [outcome] = ulp_fixes.apply_fixes(root, base, IDENTITY, fixes)
    assert not outcome.applied and outcome.commit is None
    assert outcome.why.startswith("does not apply to this tree"), outcome
    assert head(root) == tip
    assert git(root, "status", "--porcelain").strip() == ""
    git_dir = Path(git(root, "rev-parse", "--absolute-git-dir").strip())
    assert not (git_dir / "rebase-apply").exists()


@pytest.mark.kernel
def test_the_fixes_apply_to_6_12_in_order_and_are_checkpatch_clean(
        kernel_shaped, default_tree, tmp_path):
    # every file a fix touches, as 6.12 has it; a fix may build on the
    # one before it (smb client: 0006 on 0005), so they go in in order
    root = kernel_shaped
    touched = {line[len("+++ b/"):] for p in ulp_fixes.fix_patches()
               for line in p.read_text().splitlines()
               if line.startswith("+++ b/")}
    for rel in touched:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(default_tree / rel, root / rel)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "6.12's files")
    outcomes = ulp_fixes.apply_fixes(root, head(root), IDENTITY)
    assert [o.subject for o in outcomes if o.applied] == \
        [apply.patch_subject(p) for p in ulp_fixes.fix_patches()], outcomes

    # checkpatch from outside any git repository: it cannot look up the
    # commits that Fixes: tags name (6.12's tree has no history), but it
    # still checks how each tag is written
    for patch in ulp_fixes.fix_patches():
        out = checkpatch(default_tree, patch, tmp_path)
        assert "total: 0 errors, 0 warnings, 0 checks" in out, \
            (patch.name, out)


def checkpatch(default_tree: Path, patch: Path, cwd: Path) -> str:
    return subprocess.run(
        [str(default_tree / "scripts/checkpatch.pl"), "--strict",
         "--no-tree", "--ignore", "UNKNOWN_COMMIT_ID", str(patch)],
        capture_output=True, text=True, cwd=cwd).stdout


@pytest.mark.kernel
def test_checkpatch_sees_a_fixes_tag_written_wrong(default_tree, tmp_path):
    [fix] = [p for p in ulp_fixes.fix_patches()
             if 'Fixes: e5fbdde43017 ("' in p.read_text()]
    broken = tmp_path / fix.name
    broken.write_text(fix.read_text().replace(
        'Fixes: e5fbdde43017 ("', 'Fixes: e5fbdde4 ("'))
    out = checkpatch(default_tree, broken, tmp_path)
    assert "total: 0 errors, 0 warnings, 0 checks" not in out, out
