"""The command line as a user meets it: one error line and a non-zero exit
for bad input, and a clean zero report for a tree with nothing left."""

import os
import shutil
import subprocess
import sys
from pathlib import Path


SCRIPT = Path(__file__).resolve().parent / "rdma_sge.py"


def run(*args, env=None, cache=None):
    cmd = [sys.executable, str(SCRIPT)]
    if cache is not None:
        cmd += ["--cache", str(cache), "--reports", str(cache / "reports")]
    return subprocess.run(cmd + list(args), capture_output=True, text=True,
                          env=env)


def one_error_line(result, *fragments):
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("rdma-sge: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_missing_kernel(tmp_path):
    one_error_line(run("--kernel", str(tmp_path / "nope"), "report",
                       cache=tmp_path), "does not exist")


def test_unknown_architecture_stops_before_the_tree(kernel_shaped, tmp_path):
    one_error_line(run("--kernel", str(kernel_shaped), "convert", "--arches",
                       "i386", "sparc", cache=tmp_path),
                   "unknown architecture 'sparc'", "i386, arm64")
    assert not (tmp_path / "trees").exists()
    assert not (tmp_path / "worktrees").exists()


def test_checkers_is_yes_or_no(kernel_shaped):
    """make convert CHECKERS=<anything but yes or no>: make's one error
    line, before any command of the recipe runs (make -n: nothing is run
    either way)."""
    done = subprocess.run(
        ["make", "-n", "-C", str(SCRIPT.parent.parent), "convert",
         "CHECKERS=maybe", f"KERNEL={kernel_shaped}"],
        capture_output=True, text=True)
    assert done.returncode == 2, done
    [line] = done.stderr.strip().splitlines()
    assert "CHECKERS is yes or no, not 'maybe'" in line
    assert "rdma_sge.py" not in done.stdout
    ok = subprocess.run(
        ["make", "-n", "-C", str(SCRIPT.parent.parent), "convert",
         "CHECKERS=no", f"KERNEL={kernel_shaped}"],
        capture_output=True, text=True)
    assert ok.returncode == 0 and "convert  --no-checkers" in ok.stdout, ok


def test_kernel_is_a_file(tmp_path):
    (tmp_path / "f").write_text("")
    one_error_line(run("--kernel", str(tmp_path / "f"), "report",
                       cache=tmp_path), "is not a directory")


def test_not_a_kernel_tree_writes_nothing(tmp_path):
    tree = tmp_path / "src"
    tree.mkdir()
    (tree / "Makefile").write_text("all:\n")
    one_error_line(run("--kernel", str(tree), "report", cache=tmp_path),
                   "not a kernel tree")
    assert [p.name for p in tree.iterdir()] == ["Makefile"]
    assert not (tmp_path / "reports").exists()


def test_spatch_missing(kernel_shaped, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("git", "grep"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    env = dict(os.environ, PATH=str(bin_dir))
    one_error_line(run("--kernel", str(kernel_shaped), "report", env=env,
                       cache=tmp_path / "cache"), "spatch not found")


def test_tree_with_nothing_left_reports_zero(kernel_shaped, tmp_path):
    result = run("--kernel", str(kernel_shaped), "report",
                 cache=tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    assert "0 ib_dma_* calls, 0 local_dma_lkey uses" in result.stdout
    assert (tmp_path / "cache/reports/linux/leftovers.txt").read_text() == ""


def test_worktree_twice_says_what_it_did(kernel_shaped, tmp_path):
    first = run("--kernel", str(kernel_shaped), "worktree",
                cache=tmp_path / "cache")
    second = run("--kernel", str(kernel_shaped), "worktree",
                 cache=tmp_path / "cache")
    assert first.returncode == second.returncode == 0
    assert "created branch rdma-sge/work" in first.stdout
    assert "reusing rdma-sge/work" in second.stdout
    cleaned = run("--kernel", str(kernel_shaped), "clean-work",
                  cache=tmp_path / "cache")
    assert cleaned.returncode == 0 and "removed" in cleaned.stdout


def test_clean_work_removes_the_build_directory_too(kernel_shaped, tmp_path):
    cache = tmp_path / "cache"
    assert run("--kernel", str(kernel_shaped), "worktree",
               cache=cache).returncode == 0
    worktrees = list((cache / "worktrees").iterdir())
    assert len(worktrees) == 1
    kbuild = cache / "kbuild" / worktrees[0].name
    (kbuild / "drivers").mkdir(parents=True)
    cleaned = run("--kernel", str(kernel_shaped), "clean-work", cache=cache)
    assert cleaned.returncode == 0, cleaned.stderr
    assert not kbuild.exists()
    assert f"removed the build directory {kbuild}" in cleaned.stdout
    assert kernel_shaped.is_dir()
    again = run("--kernel", str(kernel_shaped), "clean-work", cache=cache)
    assert again.returncode == 0 and "build directory" not in again.stdout


def test_clean_work_removes_the_runtime_base_checkout(kernel_shaped,
                                                      tmp_path):
    cache = tmp_path / "cache"
    assert run("--kernel", str(kernel_shaped), "worktree",
               cache=cache).returncode == 0
    name = next((cache / "worktrees").iterdir()).name
    base_src = cache / "runtime" / f"{name}-base-src"
    subprocess.run(["git", "-C", str(kernel_shaped), "worktree", "add", "-q",
                    "--detach", str(base_src)], check=True)
    cleaned = run("--kernel", str(kernel_shaped), "clean-work", cache=cache)
    assert cleaned.returncode == 0, cleaned.stderr
    assert not base_src.exists()
    listed = subprocess.run(["git", "-C", str(kernel_shaped), "worktree",
                             "list"], capture_output=True, text=True).stdout
    assert str(base_src) not in listed and len(listed.splitlines()) == 1
