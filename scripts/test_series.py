"""Tests for series.py: unit tests on its pieces, and make series for real
on the converted default tree (marked kernel)."""

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import series
from conftest import CLI, REPORTS, git

SCRIPT = [sys.executable, str(Path(series.__file__).parent / "rdma_sge.py")]


# the INFINIBAND SUBSYSTEM entry of 6.12's MAINTAINERS, shortened
MAINTAINERS = """\
INFINIBAND SUBSYSTEM
M:\tJason Gunthorpe <jgg@nvidia.com>
M:\tLeon Romanovsky <leonro@nvidia.com>
L:\tlinux-rdma@vger.kernel.org
S:\tSupported
T:\tgit git://git.kernel.org/pub/scm/linux/kernel/git/rdma/rdma.git
F:\tdrivers/infiniband/
F:\tinclude/rdma/
"""


def test_new_files_owned_by_a_directory_entry(tmp_path):
    (tmp_path / "MAINTAINERS").write_text(MAINTAINERS)
    sge = ("diff --git a/drivers/infiniband/core/sge.c "
           "b/drivers/infiniband/core/sge.c\nnew file mode 100644\n"
           "index 000000000..111111111\n")
    assert series.new_files_owned(tmp_path, sge)
    # a file no entry covers keeps checkpatch's question
    stray = sge + ("diff --git a/lib/sge.c b/lib/sge.c\n"
                   "new file mode 100644\n")
    assert not series.new_files_owned(tmp_path, stray)
    # a patch that adds no file: nothing to answer
    assert not series.new_files_owned(
        tmp_path, "diff --git a/drivers/infiniband/core/verbs.c "
        "b/drivers/infiniband/core/verbs.c\nindex 1..2 100644\n")


def test_parse_checkpatch_totals():
    clean = "total: 0 errors, 0 warnings, 0 checks, 271 lines checked\n"
    assert series.parse_checkpatch(clean) == series.Checkpatch(0, 0, 0)
    noisy = ("WARNING: line length of 101 exceeds 100 columns\n"
             "total: 1 errors, 2 warnings, 3 checks, 40 lines checked\n")
    assert series.parse_checkpatch(noisy) == series.Checkpatch(1, 2, 3)
    # without --strict checkpatch prints no checks count
    plain = "total: 0 errors, 1 warnings, 12 lines checked\n"
    assert series.parse_checkpatch(plain) == series.Checkpatch(0, 1, 0)
    assert series.parse_checkpatch("Traceback (most recent call last)") \
        is None


PATCH = """From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001
From: A U Thor <author@example.org>
Date: Tue, 24 Nov 2026 04:50:14 +0000
Subject: [PATCH 3/6] nvmet-rdma: use the ib_sge builders instead of ib_dma_*
 wrappers

Body.
"""


def test_add_headers_before_the_subject_and_again(tmp_path):
    patch = tmp_path / "0003.patch"
    patch.write_text(PATCH)
    series.add_headers(patch, ["M One <m1@example.org>", "m2@example.org"],
                       ["list@vger.kernel.org"])
    text = patch.read_text()
    assert ("Date: Tue, 24 Nov 2026 04:50:14 +0000\n"
            "To: M One <m1@example.org>,\n    m2@example.org\n"
            "Cc: list@vger.kernel.org\n"
            "Subject: [PATCH 3/6]") in text
    series.add_headers(patch, ["m3@example.org"], [])
    again = patch.read_text()
    assert "m1@example.org" not in again and "Cc:" not in again
    assert "To: m3@example.org\nSubject: " in again
    assert again.endswith("wrappers\n\nBody.\n")


@dataclass
class FakeEntry:
    trees: list[str] = field(default_factory=list)


class FakeOwners:
    """Maps a path's first component to a maintainer tree."""
    TREES = {"drivers": "git rdma.git", "nvme": "git nvme.git",
             "net": "git netdev.git", "fs": "git smb.git"}

    def owners(self, path):
        return [FakeEntry([self.TREES[path.split("/")[0]]])]

    def trees(self, path):
        return [self.TREES[path.split("/")[0]]]


def commits(n_per_tree: int):
    out = [series.Commit("c1", "core 1", ["drivers/core.c"], core=True),
           series.Commit("c2", "core 2", ["drivers/test.c"], core=True)]
    for i in range(n_per_tree):
        for top in ("drivers", "nvme", "net", "fs"):
            out.append(series.Commit(f"{top}{i}", f"{top} {i}",
                                     [f"{top}/f{i}.c"]))
    return out


def test_a_small_series_is_one_batch():
    plan = series.batches(commits(3), FakeOwners())
    assert len(plan) == 1 and len(plan[0].commits) == 14
    assert plan[0].tree == "git rdma.git"


def test_a_large_series_is_split_per_maintainer_tree():
    plan = series.batches(commits(5), FakeOwners())
    assert [b.tree for b in plan] == ["git rdma.git", "git nvme.git",
                                      "git netdev.git", "git smb.git"]
    first = [c.sha for c in plan[0].commits]
    assert first[:2] == ["c1", "c2"]  # the core series leads batch 1
    assert first[2:] == [f"drivers{i}" for i in range(5)]
    assert all(len(b.commits) == 5 for b in plan[1:])
    assert sum(len(b.commits) for b in plan) == 22


def test_core_cover_subject_and_body():
    subject, body = series._core_cover()
    assert subject.startswith("RDMA")
    assert "rdma_map_sge_single()" in body
    assert "The series is against" not in body


def test_series_before_convert_is_one_clear_error(kernel_shaped, tmp_path):
    result = subprocess.run(
        [*SCRIPT, "--kernel", str(kernel_shaped), "--cache",
         str(tmp_path / "cache"), "--reports", str(tmp_path / "reports"),
         "series"], capture_output=True, text=True)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "run `make convert` first" in lines[0]
    assert not (tmp_path / "reports").exists() or not any(
        (tmp_path / "reports").rglob("*.patch"))


# --------------------------------------------------- on the real tree

@pytest.fixture(scope="module")
def posted(converted, default_tree):
    """make series with the bisect build, on the converted tree."""
    assert converted.first.returncode == 0, converted.first.stdout[-3000:]
    made = subprocess.run([*CLI, "series", "--check-bisect"],
                          capture_output=True, text=True, timeout=3600)
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr
    return made.stdout


def posted_batches(out: Path) -> list[Path]:
    """The directories make series wrote a cover letter and patches to:
    the series directory itself, or one per batch (more than
    series.MAX_PATCHES patches), in order."""
    if (out / "0000-cover-letter.patch").exists():
        return [out]
    batches = sorted(out.glob("batch-*"),
                     key=lambda d: int(d.name.split("-")[1]))
    assert batches and all((d / "0000-cover-letter.patch").exists()
                           for d in batches), sorted(out.iterdir())
    return batches


def posted_patches(out: Path) -> list[Path]:
    return [p for d in posted_batches(out) for p in sorted(d.glob("*.patch"))
            if not p.name.startswith("0000-")]


@pytest.mark.kernel
def test_every_patch_builds_in_turn(posted):
    m = re.search(r"bisect build: every one of (\d+) patches builds", posted)
    assert m and int(m[1]) >= 2, posted[-2000:]


@pytest.mark.kernel
def test_patches_reproduce_the_work_branch(posted, default_tree, tmp_path):
    """git am of every batch in turn, from the first one's base, gives
    the work branch's tree; the later batches are based on the core
    series' tip, which the first batch carries."""
    out = REPORTS / default_tree.name / "series"
    batches = posted_batches(out)
    patches = posted_patches(out)
    bases = [re.search(r"^base-commit: ([0-9a-f]{40})$",
                       (d / "0000-cover-letter.patch").read_text(),
                       re.M)[1] for d in batches]
    base = bases[0]
    record = json.loads((REPORTS / default_tree.name /
                         "convert.json").read_text())
    work = Path(record["worktree"])
    assert all(b == record["series_tip"] for b in bases[1:])
    checkout = tmp_path / "am"
    git(default_tree, "worktree", "add", "-q", "--detach", str(checkout),
        base)
    try:
        git(checkout, "am", "-q", *map(str, patches))
        assert git(checkout, "rev-parse", "HEAD^{tree}") == \
            git(work, "rev-parse", "rdma-sge/work^{tree}")
        assert len(git(checkout, "rev-list", f"{base}..HEAD").split()) == \
            len(patches) == len(git(work, "rev-list", f"{base}..rdma-sge/work")
                                .split())
    finally:
        git(default_tree, "worktree", "remove", "--force", str(checkout))


@pytest.mark.kernel
def test_a_cover_letter_lists_the_layout_of_its_own_batch(posted,
                                                          default_tree):
    record = json.loads((REPORTS / default_tree.name /
                         "convert.json").read_text())
    listed = 0
    for batch in posted_batches(REPORTS / default_tree.name / "series"):
        cover = (batch / "0000-cover-letter.patch").read_text()
        diffs = "".join(p.read_text() for p in sorted(batch.glob("0*.patch"))
                        if p.name != "0000-cover-letter.patch")
        mine = {(c["struct"], c["file"]) for c in record["layout"]
                if f"+++ b/{c['file']}" in diffs}
        shown = set(re.findall(r"^  - struct (\w+):", cover, re.M))
        assert shown == {name for name, _ in mine}, batch.name
        listed += len(shown)
    # every struct is in the cover letter of the batch that changes it
    assert listed >= len({c["struct"] for c in record["layout"]}) > 0


@pytest.mark.kernel
def test_recipients_come_from_maintainers(posted, default_tree):
    out = REPORTS / default_tree.name / "series"
    # get_maintainer.pl maps addresses through .mailmap, as it should
    maintainers_text = "".join(
        (default_tree / name).read_text(errors="replace")
        for name in ("MAINTAINERS", ".mailmap"))
    recipients = (out / "recipients.txt").read_text()
    patches = posted_patches(out)
    assert patches
    for patch in patches:
        block = recipients.split(patch.name + "\n", 1)[1].split("\n0", 1)[0]
        to = re.findall(r"^  To: (.*)$", block, re.M)
        assert to, patch.name
        for address in to + re.findall(r"^  Cc: (.*)$", block, re.M):
            email = re.search(r"<?([^<>\s]+@[^<>\s]+)>?$", address)[1]
            assert email in maintainers_text, (patch.name, address)
        head = patch.read_text().split("\nSubject: ", 1)[0]
        assert "\nTo: " in head, patch.name


@pytest.mark.kernel
def test_checkpatch_ran_on_every_patch_and_is_clean(posted, default_tree):
    out = REPORTS / default_tree.name / "series"
    text = (out / "checkpatch.txt").read_text()
    parts = re.split(r"^### (\S+)\n", text, flags=re.M)[1:]
    names = parts[0::2]
    patches = [p.name for p in posted_patches(out)]
    assert patches and names == patches
    for name, output in zip(names, parts[1::2]):
        result = series.parse_checkpatch(output)
        assert result is not None, name
        assert (result.errors, result.warnings) == (0, 0), (name, output)
    # 6.12 from Debian has no history for the Fixes: tags to name: the
    # series says it did not check them, rather than hide the warning
    summary = (out / "series.txt").read_text()
    assert "not checked: the commits that Fixes: tags name" in summary


def test_a_tree_imported_without_history_cannot_check_fixes_tags(
        kernel_shaped):
    root = kernel_shaped
    first = git(root, "rev-parse", "HEAD").strip()
    assert git(root, "rev-list", "--count", first).strip() == "1"
    assert not series.has_history(root, first)
    (root / "MAINTAINERS").write_text("M:\tsomeone\n")
    git(root, "commit", "-qam", "a later commit")
    assert series.has_history(root, git(root, "rev-parse", "HEAD").strip())


def test_a_tree_without_the_kernel_scripts_still_gets_its_series(
        kernel_shaped, tmp_path):
    import tree
    cache, reports = tmp_path / "cache", tmp_path / "reports"
    kernel = tree.open_tree(str(kernel_shaped), cache, lambda m: None)
    work = tree.prepare_work_tree(kernel, cache, lambda m: None).path
    for name in ("core1.c", "core2.c", "drivers/nvme/target/rdma.c"):
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(f"/* {name} */\n")
        git(work, "add", name)
        git(work, "commit", "-q", "-m", f"add {name}")
    tip = git(work, "rev-parse", "HEAD~1").strip()
    (reports / kernel.name).mkdir(parents=True)
    i386 = {"source": "drivers/nvme/target/rdma.c", "subsystem": "NVMET",
            "built": True, "baseline_warnings": [], "new_warnings": [],
            "errors": [], "uncompiled_lines": [], "arch": "i386",
            "baseline_built": True}
    (reports / kernel.name / "convert.json").write_text(
        json.dumps({"series_tip": tip, "core_patches": 2, "builds": [],
                    "arch_builds": [i386],
                    "arch_skipped": {"arm64": "not asked for (--arches)"}}))
    (reports / kernel.name / "runtime.txt").write_text(
        "converted kernel, rxe: PASS nvme rds (19s)\n"
        "converted kernel, siw: PASS nvme (20s)\n")
    (reports / kernel.name / "runtime.json").write_text(json.dumps(
        {"runs": [{"kernel": "converted", "device": "rxe", "passed": True,
                   "ulps": {"nvme": ["PASS", ""], "rds": ["PASS", ""]}},
                  {"kernel": "converted", "device": "siw", "passed": True,
                   "ulps": {"nvme": ["PASS", ""]}}], "patched": {}}))
    result = series.make_series(kernel, cache, reports, log=lambda m: None)
    written = sorted(p.name for p in result.out_dir.glob("*.patch"))
    assert len(written) == 4 and written[0] == "0000-cover-letter.patch"
    assert result.not_checked == [
        "recipients: the tree has no scripts/get_maintainer.pl",
        "style: the tree has no scripts/checkpatch.pl"]
    summary = (result.out_dir / "series.txt").read_text()
    assert "not checked: recipients" in summary
    assert "not checked: style" in summary
    assert not (result.out_dir / "recipients.txt").exists()
    cover = (result.out_dir / "0000-cover-letter.patch").read_text()
    assert "*** BLURB HERE ***" not in cover
    # what the other architectures' builds were, or why there were none
    assert "built for i386 too (allmodconfig, W=1): 1/1 built, 0 new " \
        "warnings" in cover
    assert "NOT built for arm64: not asked for (--arches)" in cover
    # what ran over the batch's own ULP (nvmet-rdma), and nothing else
    assert "    - NVMe-oF (nvme-rdma, nvmet-rdma), converted kernel: PASS " \
        "on rxe,\n      siw\n" in cover
    assert "RDS (rds_rdma), converted" not in cover
    # runtime.txt's lines each indented under their item
    assert "  - make runtime-test:\n    converted kernel, rxe: PASS nvme " \
        "rds (19s)\n    converted kernel, siw: PASS nvme (20s)\n" in cover
