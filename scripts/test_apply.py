"""Tests for apply.py, on throwaway git repositories with real git."""

import shutil
import subprocess
from pathlib import Path

import pytest

import apply
from apply import ApplyError, apply_series

IDENTITY = ["-c", "user.name=Test Author", "-c", "user.email=author@example.org"]


def git(repo: Path, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(["git", *IDENTITY, "-C", str(repo), *args],
                          input=stdin, capture_output=True, text=True,
                          check=True).stdout


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def subjects(repo: Path, rev_range: str) -> list[str]:
    return git(repo, "log", "--reverse", "--format=%s", rev_range).splitlines()


@pytest.fixture
def series(tmp_path: Path) -> tuple[Path, Path]:
    """A repo on its base commit, and a 3-patch series (plus cover letter)
    made from it: 0001 edits a.c, 0002 adds new.c, 0003 edits b.h."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "base")
    (repo / "a.c").write_text("".join(f"int a{i};\n" for i in range(20)))
    (repo / "b.h").write_text("".join(f"#define B{i} {i}\n" for i in range(20)))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")

    (repo / "a.c").write_text((repo / "a.c").read_text()
                              .replace("int a5;", "long a5;"))
    git(repo, "commit", "-q", "-am", "core: widen a5")
    (repo / "new.c").write_text("int new_thing(void) { return 1; }\n")
    git(repo, "add", "new.c")
    git(repo, "commit", "-q", "-m", "core: add new.c")
    (repo / "b.h").write_text((repo / "b.h").read_text()
                              .replace("#define B7 7", "#define B7 70"))
    git(repo, "commit", "-q", "-am", "core: change B7")

    patches = tmp_path / "patches"
    git(repo, "format-patch", "-q", "--cover-letter", "-o", str(patches),
        "HEAD~3")
    git(repo, "reset", "-q", "--hard", "HEAD~3")
    return repo, patches


def test_series_patches_skips_cover_letter(series):
    _, patches = series
    names = [p.name for p in apply.series_patches(patches)]
    assert names == ["0001-core-widen-a5.patch", "0002-core-add-new.c.patch",
                     "0003-core-change-B7.patch"]
    assert (patches / "0000-cover-letter.patch").exists()


def test_series_patches_empty_dir(tmp_path):
    with pytest.raises(ApplyError, match="no patches"):
        apply.series_patches(tmp_path)


def test_apply_then_skip(series):
    repo, patches = series
    base = head(repo)
    result = apply_series(repo, patches)
    assert result.status == "applied"
    assert subjects(repo, f"{base}..HEAD") == [
        "core: widen a5", "core: add new.c", "core: change B7"]
    assert result.commits == git(repo, "rev-list", "--reverse",
                                 f"{base}..HEAD").split()
    assert (repo / "new.c").exists()
    # author from the patch, patch-ids equal to the files'
    assert git(repo, "log", "-1", "--format=%an").strip() == "Test Author"

    applied = head(repo)
    again = apply_series(repo, patches)
    assert again.status == "already-applied"
    assert "already applied" in again.message
    assert again.commits == result.commits
    assert head(repo) == applied


def test_apply_is_reproducible(series, tmp_path):
    repo, patches = series
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    first = apply_series(repo, patches).commits
    second = apply_series(clone, patches).commits
    assert first == second


def test_resumes_after_partial_series(series):
    repo, patches = series
    base = head(repo)
    git(repo, "am", "-q", str(sorted(patches.glob("0001-*"))[0]))
    result = apply_series(repo, patches)
    assert result.status == "applied"
    assert "1 were already there" in result.message
    assert len(subjects(repo, f"{base}..HEAD")) == 3


def test_already_applied_under_other_commits(series):
    repo, patches = series
    apply_series(repo, patches)
    (repo / "later.txt").write_text("later work\n")
    git(repo, "add", "later.txt")
    git(repo, "commit", "-q", "-m", "later work")
    top = head(repo)
    assert apply_series(repo, patches).status == "already-applied"
    assert head(repo) == top


def test_failing_patch_rolls_back_and_names_patch_and_file(series):
    repo, patches = series
    # the tree moved under patch 0003: b.h no longer has B7 as the patch
    # expects
    (repo / "b.h").write_text((repo / "b.h").read_text()
                              .replace("#define B7 7", "#define B7 (7)"))
    git(repo, "commit", "-q", "-am", "unrelated change to B7")
    before = head(repo)
    with pytest.raises(ApplyError) as info:
        apply_series(repo, patches)
    error = info.value
    assert error.patch.name == "0003-core-change-B7.patch"
    assert error.file == "b.h"
    assert "0003-core-change-B7.patch" in str(error)
    assert "b.h" in str(error)
    assert head(repo) == before
    assert git(repo, "status", "--porcelain") == ""
    assert not (Path(git(repo, "rev-parse", "--absolute-git-dir").strip())
                / "rebase-apply").exists()
    assert not (repo / "new.c").exists()


def test_new_file_that_exists_names_it(series):
    repo, patches = series
    (repo / "new.c").write_text("int other;\n")
    git(repo, "add", "new.c")
    git(repo, "commit", "-q", "-m", "someone else's new.c")
    before = head(repo)
    with pytest.raises(ApplyError) as info:
        apply_series(repo, patches)
    assert info.value.patch.name == "0002-core-add-new.c.patch"
    assert info.value.file == "new.c"
    assert head(repo) == before
    assert git(repo, "status", "--porcelain") == ""


def test_refuses_dirty_worktree(series):
    repo, patches = series
    (repo / "a.c").write_text("dirty\n")
    before = head(repo)
    with pytest.raises(ApplyError, match="uncommitted changes"):
        apply_series(repo, patches)
    assert head(repo) == before
    assert (repo / "a.c").read_text() == "dirty\n"


def test_not_a_git_tree(tmp_path, series):
    _, patches = series
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(ApplyError, match="not a git worktree"):
        apply_series(plain, patches)


def test_user_checkout_untouched(series, tmp_path):
    """The series goes to a worktree on its own branch; the user's checkout,
    its branch and its uncommitted edits stay as they were."""
    repo, patches = series
    (repo / "a.c").write_text((repo / "a.c").read_text() + "/* user edit */\n")
    user_head = head(repo)
    user_status = git(repo, "status", "--porcelain")
    work = tmp_path / "work"
    git(repo, "worktree", "add", "-q", "-b", "toolkit/work", str(work))

    apply_series(work, patches)
    assert len(subjects(work, f"{user_head}..HEAD")) == 3
    assert head(repo) == user_head
    assert git(repo, "status", "--porcelain") == user_status
    assert git(repo, "branch", "--show-current").strip() == "base"


def test_failure_in_worktree_leaves_user_checkout(series, tmp_path):
    repo, patches = series
    work = tmp_path / "work"
    git(repo, "worktree", "add", "-q", "-b", "toolkit/work", str(work))
    (work / "new.c").write_text("int clash;\n")
    git(work, "add", "new.c")
    git(work, "commit", "-q", "-m", "clash")
    work_head, user_head = head(work), head(repo)
    with pytest.raises(ApplyError):
        apply_series(work, patches)
    assert head(work) == work_head
    assert head(repo) == user_head
    assert git(repo, "status", "--porcelain") == ""


def test_main_reports_error(series, capsys):
    repo, patches = series
    (repo / "new.c").write_text("x\n")
    git(repo, "add", "new.c")
    git(repo, "commit", "-q", "-m", "clash")
    assert apply.main(["--patches", str(patches), str(repo)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: patch 0002-core-add-new.c.patch")
    assert err.count("\n") == 1


def test_main_applies_then_skips(series, capsys):
    repo, patches = series
    assert apply.main(["--patches", str(patches), str(repo)]) == 0
    assert "applied 3 patches" in capsys.readouterr().out
    assert apply.main(["--patches", str(patches), str(repo)]) == 0
    assert "already applied" in capsys.readouterr().out


@pytest.mark.kernel
def test_real_series_applies_to_linux_6_12(default_tree, tmp_path):
    checkout = tmp_path / "linux"
    # a clone sharing the objects, not a worktree: the other group of
    # kernel tests adds and prunes the default tree's worktrees meanwhile
    subprocess.run(["git", "clone", "-q", "--shared", "--single-branch",
                    "--no-tags", str(default_tree), str(checkout)],
                   check=True)
    try:
        base = head(checkout)
        result = apply_series(checkout, apply.PATCHES_DIR)
        assert result.status == "applied"
        assert len(subjects(checkout, f"{base}..HEAD")) == \
            len(result.patches) == len(apply.series_patches(apply.PATCHES_DIR))
        assert (checkout / "drivers/infiniband/core/sge.c").exists()
        again = apply_series(checkout, apply.PATCHES_DIR)
        assert again.status == "already-applied"
        assert head(checkout) == result.commits[-1]
    finally:
        shutil.rmtree(checkout, ignore_errors=True)  # a whole kernel tree


def test_patch_subject_unfolds_and_strips_prefix(tmp_path):
    patch = tmp_path / "0001-x.patch"
    patch.write_text("From 0123 Mon Sep 17 00:00:00 2001\n"
                     "From: A <a@example.org>\n"
                     "Subject: [PATCH v2 1/2] RDMA/core: Add helpers that build"
                     " an\n ib_sge for local kernel memory\n\nbody\n")
    assert apply.patch_subject(patch) == ("RDMA/core: Add helpers that build "
                                          "an ib_sge for local kernel memory")


def test_another_version_of_the_series_is_named_not_applied(series):
    """Only patch-ids say a patch is there: a commit with a patch's subject
    but other content is an older version of the series; nothing is applied
    on top of it and the message says how to start afresh."""
    repo, patches = series
    (repo / "a.c").write_text((repo / "a.c").read_text()
                              .replace("int a5;", "short a5;"))
    git(repo, "commit", "-q", "-am", "core: widen a5")
    before = head(repo)
    with pytest.raises(ApplyError) as info:
        apply_series(repo, patches)
    assert "holds another version of the core series" in str(info.value)
    assert "make clean-work" in str(info.value)
    assert head(repo) == before
