"""make check: the uses a change adds, with the real git and spatch."""

import json
import subprocess
from pathlib import Path

import pytest

import guard
import tree
from conftest import CACHE, CLI, git

FIXTURE = Path(__file__).with_name("testdata") / "iser_login_buf.c"
PATH = "drivers/infiniband/ulp/iser/iser_initiator.c"

# One more map in iser_alloc_login_buf(), the way a patch would add it.
ADD_MAP = ("\tdesc->rsp = kmalloc(ISER_RX_LOGIN_SIZE, GFP_KERNEL);\n",
           "\tdesc->rsp = kmalloc(ISER_RX_LOGIN_SIZE, GFP_KERNEL);\n"
           "\tdesc->extra_dma = ib_dma_map_single(device->ib_device,\n"
           "\t\t\t\tdesc->rsp, 64, DMA_FROM_DEVICE);\n")


def move_free_below_alloc(text: str) -> str:
    """iser_free_login_buf() moved after iser_alloc_login_buf(): the same
    calls in the same functions, on other lines."""
    start = text.index("static void iser_free_login_buf")
    middle = text.index("static int iser_alloc_login_buf")
    free = text[start:middle]
    rest = text[:start] + text[middle:]
    return rest.rstrip("\n") + "\n\n" + free.rstrip("\n") + "\n"


@pytest.fixture
def repo(kernel_shaped) -> Path:
    (kernel_shaped / PATH).parent.mkdir(parents=True)
    (kernel_shaped / PATH).write_text(FIXTURE.read_text())
    git(kernel_shaped, "add", "-A")
    git(kernel_shaped, "commit", "-q", "-m", "iser")
    return kernel_shaped


def commit_edit(repo: Path, edit, message: str) -> str:
    path = repo / PATH
    path.write_text(edit(path.read_text()))
    git(repo, "commit", "-q", "-am", message)
    return git(repo, "rev-parse", "HEAD").strip()


def run_check(repo: Path, tmp_path: Path, *args: str):
    reports = tmp_path / "reports"
    done = subprocess.run([*CLI[:-2], "--reports", str(reports), "--kernel",
                           str(repo), "check", *args],
                          capture_output=True, text=True)
    return done, reports / repo.name


def test_moved_uses_count_per_function_not_per_line():
    def use(line, function):
        return guard.Use(PATH, line, "ib_dma_unmap_single", function)
    before = [use(10, "iser_free_login_buf"), use(20, "iser_free_login_buf")]
    moved = [use(70, "iser_free_login_buf"), use(80, "iser_free_login_buf")]
    assert guard.compare(before, moved) == ([], [])
    added, removed = guard.compare(before, moved + [use(90, "other")])
    assert [(c.function, c.before, c.after, c.lines) for c in added] == \
        [("other", 0, 1, [90])] and removed == []
    # Outside a function spatch could name, a use counts under its file.
    added, _ = guard.compare([use(5, "?")], [use(5, "?"),
                                              guard.Use("b.c", 5,
                                                        "ib_dma_unmap_single",
                                                        "?")])
    assert [(c.file, c.function) for c in added] == [("b.c", "?")]


def test_range_flags_an_added_map_and_passes_a_move(repo, tmp_path):
    base = git(repo, "rev-parse", "HEAD").strip()
    moved = commit_edit(repo, move_free_below_alloc, "move")
    done, out = run_check(repo, tmp_path, "--range", f"{base}..{moved}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 ib_dma_*/local_dma_lkey use(s) added, 0 removed" in done.stdout

    added = commit_edit(repo, lambda t: t.replace(*ADD_MAP), "add a map")
    done, out = run_check(repo, tmp_path, "--range", f"{base}..{added}")
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads((out / "check.json").read_text())
    assert report["totals"] == {"added": 1, "removed": 0}
    [change] = report["added"]
    assert (change["function"], change["use"], change["before"],
            change["after"]) == ("iser_alloc_login_buf", "ib_dma_map_single",
                                 2, 3)
    assert (out / "check.txt").read_text() == done.stdout
    # The user's repository is as it was: no branch, index or file touched.
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "rev-parse", "HEAD").strip() == added


def test_patch_mbox_and_directory(repo, tmp_path):
    base = git(repo, "rev-parse", "HEAD").strip()
    commit_edit(repo, move_free_below_alloc, "iser: move free")
    commit_edit(repo, lambda t: t.replace(*ADD_MAP), "iser: add a map")
    patches = tmp_path / "patches"
    git(repo, "format-patch", "-q", "-o", str(patches), f"{base}..HEAD")
    mbox = tmp_path / "series.mbox"
    mbox.write_text("".join(p.read_text()
                            for p in sorted(patches.glob("*.patch"))))
    git(repo, "reset", "-q", "--hard", base)
    for source in (patches, mbox):
        done, out = run_check(repo, tmp_path, "--patch", str(source))
        assert done.returncode == 1, done.stdout + done.stderr
        assert "(2 patches)" in done.stdout
        assert f"{PATH}:" in done.stdout and "iser_alloc_login_buf" in \
            done.stdout and "adds 1 (2 -> 3)" in done.stdout
    move_only = sorted(patches.glob("*.patch"))[0]
    done, _ = run_check(repo, tmp_path, "--patch", str(move_only))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("args,message", [
    (["--patch", "/nonexistent.patch"], "does not exist"),
    (["--range", "nosuchbase..HEAD"], "nosuchbase is not a commit"),
    (["--range", "HEAD"], "expected base..head"),
    ([], "give one of RANGE"),
])
def test_bad_input_one_line_exit_2(repo, tmp_path, args, message):
    done, _ = run_check(repo, tmp_path, *args)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr


def test_a_patch_that_does_not_apply(repo, tmp_path):
    patch = tmp_path / "stale.patch"
    patch.write_text(f"--- a/{PATH}\n+++ b/{PATH}\n@@ -1,1 +1,1 @@\n"
                     "-not in the file\n+ib_dma_map_single(x);\n")
    done, _ = run_check(repo, tmp_path, "--patch", str(patch))
    assert done.returncode == 2
    assert "stale.patch does not apply" in done.stderr


@pytest.mark.kernel
def test_on_the_default_tree(default_tree, tmp_path):
    """On Debian's 6.12: one added map is flagged, a moved function is
    not."""
    original = (default_tree / PATH).read_text()
    for name, text, code in (("move", move_free_below_alloc(original), 0),
                             ("add", original.replace(*ADD_MAP), 1)):
        assert text != original
        (tmp_path / "a" / PATH).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "b" / PATH).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "a" / PATH).write_text(original)
        (tmp_path / "b" / PATH).write_text(text)
        diff = subprocess.run(["git", "diff", "--no-index", "a", "b"],
                              cwd=tmp_path, capture_output=True,
                              text=True).stdout
        patch = tmp_path / f"{name}.patch"
        patch.write_text(diff.replace("a/a/", "a/").replace("b/b/", "b/"))
        done = subprocess.run([*CLI, "check", "--patch", str(patch)],
                              capture_output=True, text=True)
        assert done.returncode == code, done.stdout + done.stderr
    assert "iser_alloc_login_buf" in done.stdout
    kernel = tree.open_tree(None, CACHE, log=lambda m: None)
    assert kernel.git("status", "--porcelain").stdout == ""
