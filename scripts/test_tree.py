import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import tree
from conftest import git


def snapshot(repo: Path) -> tuple:
    """What the user would see: status, HEAD, branch, index and file bytes."""
    status = git(repo, "status", "--porcelain", "--untracked-files=all")
    head = git(repo, "rev-parse", "HEAD")
    branch = git(repo, "symbolic-ref", "-q", "HEAD")
    index = (repo / ".git/index").read_bytes()
    files = {p.relative_to(repo).as_posix():
             hashlib.sha256(p.read_bytes()).hexdigest()
             for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
    return status, head, branch, hashlib.sha256(index).hexdigest(), files


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing", "does not exist"),
    (lambda d: (d / "file").write_text("x") and d / "file",
     "is not a directory"),
    (lambda d: d, "no top-level Makefile"),
])
def test_bad_kernel_paths(tmp_path, make, message):
    with pytest.raises(tree.TreeError, match=message):
        tree.open_tree(str(make(tmp_path)), tmp_path / "cache")


def test_makefile_without_version_is_not_a_kernel(kernel_shaped):
    (kernel_shaped / "Makefile").write_text("all:\n\techo hi\n")
    with pytest.raises(tree.TreeError, match="no VERSION/PATCHLEVEL"):
        tree.open_tree(str(kernel_shaped), kernel_shaped.parent / "cache")


def test_kernel_without_rdma_is_refused(kernel_shaped):
    (kernel_shaped / "include/rdma/ib_verbs.h").unlink()
    with pytest.raises(tree.TreeError, match="no include/rdma/ib_verbs.h"):
        tree.open_tree(str(kernel_shaped), kernel_shaped.parent / "cache")


def test_open_tree_reads_version(kernel_shaped):
    kernel = tree.open_tree(str(kernel_shaped), kernel_shaped.parent / "c")
    assert (kernel.version, kernel.is_git, kernel.name) == \
        ("6.12.0", True, "linux")


def test_work_tree_leaves_the_users_checkout_alone(kernel_shaped, tmp_path):
    (kernel_shaped / "Makefile").write_text(
        (kernel_shaped / "Makefile").read_text() + "# local edit\n")
    (kernel_shaped / "untracked.c").write_text("int x;\n")
    git(kernel_shaped, "add", "Makefile")  # a staged change as well
    (kernel_shaped / "Makefile").write_text(
        (kernel_shaped / "Makefile").read_text() + "# unstaged edit\n")
    before = snapshot(kernel_shaped)
    messages = []
    kernel = tree.open_tree(str(kernel_shaped), tmp_path / "cache")
    work = tree.prepare_work_tree(kernel, tmp_path / "cache",
                                  messages.append)
    assert snapshot(kernel_shaped) == before
    assert work.created and work.path.is_relative_to(tmp_path / "cache")
    assert any("uncommitted" in m for m in messages)
    # The branch starts from HEAD, without the uncommitted edits.
    assert "local edit" not in (work.path / "Makefile").read_text()
    assert not (work.path / "untracked.c").exists()
    assert git(kernel_shaped, "rev-parse", tree.WORK_BRANCH) == \
        git(kernel_shaped, "rev-parse", "HEAD")

    messages.clear()
    again = tree.prepare_work_tree(kernel, tmp_path / "cache",
                                   messages.append)
    assert not again.created and again.path == work.path
    assert any(m.startswith("reusing") for m in messages)
    assert snapshot(kernel_shaped) == before


def test_work_tree_comes_back_after_the_cache_is_wiped(kernel_shaped,
                                                      tmp_path):
    kernel = tree.open_tree(str(kernel_shaped), tmp_path / "cache")
    work = tree.prepare_work_tree(kernel, tmp_path / "cache", print)
    (work.path / "new.c").write_text("int y;\n")
    git(work.path, "add", "new.c")
    git(work.path, "commit", "-q", "-m", "work")
    shutil.rmtree(tmp_path / "cache")
    messages = []
    again = tree.prepare_work_tree(kernel, tmp_path / "cache",
                                   messages.append)
    assert (again.path / "new.c").exists()  # the branch kept the commit
    assert any("existing branch" in m for m in messages)


def test_clean_work_removes_branch_and_worktree_only(kernel_shaped,
                                                    tmp_path):
    kernel = tree.open_tree(str(kernel_shaped), tmp_path / "cache")
    before = snapshot(kernel_shaped)
    work = tree.prepare_work_tree(kernel, tmp_path / "cache", print)
    tree.remove_work_tree(kernel, tmp_path / "cache", print)
    assert not work.path.exists()
    assert subprocess.run(["git", "-C", str(kernel_shaped), "rev-parse",
                           "-q", "--verify", tree.WORK_BRANCH],
                          capture_output=True).returncode != 0
    assert snapshot(kernel_shaped) == before
    messages = []
    tree.remove_work_tree(kernel, tmp_path / "cache", messages.append)
    assert messages == [f"nothing to remove for {kernel_shaped}"]


def test_tree_without_git_is_imported_read_only(kernel_shaped, tmp_path):
    shutil.rmtree(kernel_shaped / ".git")
    (kernel_shaped / ".gitignore").write_text("*.o\n")
    (kernel_shaped / "built.o").write_text("object")
    listing = sorted(p.as_posix() for p in kernel_shaped.rglob("*"))
    kernel = tree.open_tree(str(kernel_shaped), tmp_path / "cache")
    assert not kernel.is_git
    work = tree.prepare_work_tree(kernel, tmp_path / "cache", print)
    assert sorted(p.as_posix() for p in kernel_shaped.rglob("*")) == listing
    assert (work.path / "include/rdma/ib_verbs.h").exists()
    assert not (work.path / "built.o").exists()  # .gitignore respected
    assert tree.prepare_work_tree(kernel, tmp_path / "cache",
                                  print).created is False


def test_debian_style_gitignore_still_imports_sources(kernel_shaped,
                                                     tmp_path):
    shutil.rmtree(kernel_shaped / ".git")
    (kernel_shaped / ".gitignore").write_text("/*\n!/debian/\n")
    kernel = tree.open_tree(str(kernel_shaped), tmp_path / "cache")
    work = tree.prepare_work_tree(kernel, tmp_path / "cache", print)
    assert (work.path / "Makefile").exists()


def run_as_nobody(*args: str, cache: Path) -> subprocess.CompletedProcess:
    scripts = Path(tree.__file__).parent
    return subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
         "/usr/bin/python3", str(scripts / "rdma_sge.py"), "--cache",
         str(cache), *args],
        capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cache)})


needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root to drop to another user")


@pytest.fixture
def shared_dir():
    """A directory another user can read (pytest's tmp_path is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="rdma-sge-test-"))
    os.chmod(path, 0o755)
    cache = path / "cache"
    cache.mkdir()
    os.chmod(cache, 0o777)
    yield path
    shutil.rmtree(path)


@needs_root
def test_read_only_tree_gives_one_line(kernel_shaped, shared_dir):
    """A user who cannot write the repository gets one clear error."""
    root = shared_dir / "linux"
    shutil.copytree(kernel_shaped, root)
    before = snapshot(root)
    result = run_as_nobody("--kernel", str(root), "worktree",
                           cache=shared_dir / "cache")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is read-only" in lines[0], result.stderr
    assert snapshot(root) == before


@needs_root
def test_unreadable_tree_gives_one_line(kernel_shaped, shared_dir):
    root = shared_dir / "linux"
    shutil.copytree(kernel_shaped, root)
    os.chmod(root, 0o700)
    result = run_as_nobody("--kernel", str(root), "report",
                           cache=shared_dir / "cache")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "rdma-sge: error: cannot read KERNEL="), result.stderr


def test_git_runs_without_background_gc(tmp_path):
    """The toolkit's git commands never fork an automatic gc: with more
    loose objects than gc.auto allows, a commit leaves no gc.pid behind
    and the objects stay loose."""
    env = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.quotepath",
           "GIT_CONFIG_VALUE_0": "false"}
    tree.no_background_git(env)
    tree.no_background_git(env)  # a second call adds nothing
    assert env["GIT_CONFIG_COUNT"] == "3"
    assert env["GIT_CONFIG_KEY_0"] == "core.quotepath"
    repo = tmp_path / "r"
    run = dict(os.environ, **env)
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=run)
    subprocess.run(["git", "-C", str(repo), "config", "gc.autoDetach",
                    "false"], check=True, env=run)
    for i in range(600):
        (repo / f"f{i}").write_text(f"{i}\n")
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True, env=run)
    # the repository itself asks for a gc at the first loose object
    subprocess.run(["git", "-C", str(repo), "config", "gc.auto", "1"],
                   check=True, env=run)
    subprocess.run(["git", "-C", str(repo), *tree.TOOLKIT_IDENTITY, "commit",
                    "-q", "-m", "x"], check=True, env=run)
    counted = subprocess.run(["git", "-C", str(repo), "count-objects", "-v"],
                             capture_output=True, text=True, check=True,
                             env=run).stdout
    assert "in-pack: 0" in counted


def test_an_interrupt_lets_a_git_command_finish(tmp_path):
    """Ctrl-C while git writes its index: the command finishes (no
    index.lock left for the next run to trip on), then the interrupt goes
    on.  Here the interrupt comes from a timer, the command is a shell
    that takes a while and then writes a file."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    done = tmp_path / "done"
    old = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            tree.run_whole(["sh", "-c", f"sleep 1; echo ok > {done}"])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert done.read_text() == "ok\n"
    # and an ordinary run is subprocess.run's result
    r = tree.run_whole(["sh", "-c", "cat; echo err >&2; exit 3"], input="in")
    assert (r.returncode, r.stdout, r.stderr) == (3, "in", "err\n")
