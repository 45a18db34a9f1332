import subprocess
from pathlib import Path

import pytest

import tree

TOOLKIT = Path(__file__).resolve().parent.parent
CACHE = TOOLKIT / "build"

# as the driver does: no git gc forked into the background by the tests'
# own git commands on the cached kernel tree
tree.no_background_git()


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *tree.TOOLKIT_IDENTITY,
                           *args], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="session")
def default_tree() -> Path:
    """The real default tree, extracted into the cache on first use."""
    return tree.default_tree(CACHE, log=lambda m: None)


@pytest.fixture
def kernel_shaped(tmp_path) -> Path:
    """A git repository with the two files that identify a kernel tree.

    Tree handling only looks at those; the audit tests use real code.
    """
    root = tmp_path / "linux"
    (root / "include/rdma").mkdir(parents=True)
    (root / "Makefile").write_text(
        "# SPDX-License-Identifier: GPL-2.0\nVERSION = 6\nPATCHLEVEL = 12\n"
        "SUBLEVEL = 0\nEXTRAVERSION =\n")
    (root / "include/rdma/ib_verbs.h").write_text("/* ib_verbs.h */\n")
    (root / "MAINTAINERS").write_text("")
    subprocess.run(["git", "init", "-q", "-b", "master", str(root)],
                   check=True)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root
