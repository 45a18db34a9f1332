"""make test leaves the user's make convert state alone: the check that
conftest runs around every session, shown to see what it must see."""

import subprocess

from conftest import changed_state, git, user_state


def test_a_moved_work_branch_a_new_report_and_a_new_entry_are_seen(
        kernel_shaped, tmp_path):
    cache, reports = tmp_path / "build", tmp_path / "reports"
    (cache / "trees").mkdir(parents=True)
    repo = cache / "trees" / "linux-source-6.12"
    kernel_shaped.rename(repo)
    git(repo, "branch", "rdma-sge/work")
    (reports / "linux-source-6.12").mkdir(parents=True)
    summary = reports / "linux-source-6.12" / "summary.md"
    summary.write_text("# make convert\n")
    test_cache = cache / "test"
    (test_cache / "kbuild" / "x").mkdir(parents=True)

    def state():
        return user_state(cache, reports, skip=test_cache)

    before = state()
    assert "repo trees/linux-source-6.12" in before
    assert "rdma-sge/work" in before["repo trees/linux-source-6.12"]
    # what the tests do in their own cache does not count
    (test_cache / "kbuild" / "y").mkdir()
    assert changed_state(before, state()) == []

    (repo / "a.c").write_text("x\n")
    git(repo, "add", "a.c")
    git(repo, "commit", "-q", "-m", "a")
    git(repo, "branch", "-f", "rdma-sge/work", "HEAD")
    summary.write_text("# overwritten\n")
    (reports / "linux-source-6.12" / "build.txt").write_text("")
    (cache / "kbuild" / "linux").mkdir(parents=True)
    assert changed_state(before, state()) == [
        "entry kbuild/linux", "repo trees/linux-source-6.12",
        "report linux-source-6.12/build.txt",
        "report linux-source-6.12/summary.md"]


def test_a_removed_worktree_is_seen(kernel_shaped, tmp_path):
    cache = tmp_path / "build"
    (cache / "trees").mkdir(parents=True)
    repo = cache / "trees" / "linux"
    kernel_shaped.rename(repo)
    work = cache / "worktrees" / "linux-1"
    git(repo, "worktree", "add", "-q", "-b", "rdma-sge/work", str(work))
    before = user_state(cache, tmp_path / "reports", skip=cache / "test")
    subprocess.run(["git", "-C", str(repo), "worktree", "remove", str(work)],
                   check=True)
    assert "repo trees/linux" in changed_state(
        before, user_state(cache, tmp_path / "reports", skip=cache / "test"))
