import hashlib
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import cpu_time
import tree

TOOLKIT = Path(__file__).resolve().parent.parent
SCRIPT = TOOLKIT / "scripts" / "rdma_sge.py"
# What make convert, make report, ... use when run by hand: the tests never
# write there (see user_state()).
USER_CACHE = TOOLKIT / "build"
USER_REPORTS = TOOLKIT / "reports"
# The tests' own cache (default tree, work branch, build directories,
# ccache) and reports.
CACHE = Path(os.environ.get("RDMA_SGE_TEST_CACHE") or
             USER_CACHE / "test").resolve()
REPORTS = CACHE / "reports"
# The command line as the tests run it: always with their own directories.
CLI = [sys.executable, str(SCRIPT), "--cache", str(CACHE), "--reports",
       str(REPORTS)]

# as the driver does: no git gc forked into the background by the tests'
# own git commands on the cached kernel tree
tree.no_background_git()


def pytest_configure(config):
    """make test prints the 25 phases that used the most CPU."""
    config.pluginmanager.register(cpu_time.Plugin(25), "cpu-time")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Under pytest-xdist (make test) the kernel tests run in two ordered
    groups: those on the converted tree (they share one make convert and
    one guest kernel, a session fixture of one worker) in one worker, the
    ones that need only the default tree in the other, beside the unit
    and golden tests.  (Before xdist's own hook, which reads the group
    markers.)"""
    for item in items:
        if item.get_closest_marker("kernel"):
            item.add_marker(pytest.mark.xdist_group(kernel_group(
                getattr(item, "fixturenames", ()))))


def kernel_group(fixturenames) -> str:
    """The xdist group of a kernel test with these fixtures (the closure:
    a test that needs `posted` needs `converted` too)."""
    return "kernel-converted" if "converted" in fixturenames else \
        "kernel-tree"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *tree.TOOLKIT_IDENTITY,
                           *args], check=True, capture_output=True,
                          text=True).stdout


def user_state(cache: Path = USER_CACHE, reports: Path = USER_REPORTS,
               skip: Path = CACHE) -> dict[str, str]:
    """What a user's make convert left, which make test must leave as it
    was: the branches and worktrees of the toolkit's repositories in the
    user's cache (rdma-sge/work among them), the entries of that cache,
    and every report file with its content."""
    state = {}
    if cache.is_dir():
        for entry in sorted(cache.glob("*/*")):
            if entry != skip and skip not in entry.parents:
                state[f"entry {entry.relative_to(cache)}"] = ""
        for repo in sorted([*cache.glob("trees/*"), *cache.glob("imports/*")]):
            if (repo / ".git").is_dir():
                refs = subprocess.run(
                    ["git", "-C", str(repo), "for-each-ref",
                     "--format=%(refname) %(objectname)"],
                    capture_output=True, text=True).stdout
                worktrees = subprocess.run(
                    ["git", "-C", str(repo), "worktree", "list",
                     "--porcelain"], capture_output=True, text=True).stdout
                state[f"repo {repo.relative_to(cache)}"] = refs + worktrees
    if reports.is_dir():
        for path in sorted(p for p in reports.rglob("*") if p.is_file()):
            state[f"report {path.relative_to(reports)}"] = hashlib.sha256(
                path.read_bytes()).hexdigest()
    return state


def changed_state(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys()
                  if before.get(k) != after.get(k))


@pytest.fixture(scope="session", autouse=True)
def user_state_at_start():
    """The user's state when the session starts; at its end the state
    must be the same (a test that wrote to the user's cache or reports
    makes the session fail here)."""
    before = user_state()
    yield before
    changed = changed_state(before, user_state())
    assert not changed, f"make test changed the user's state: {changed}"


@pytest.fixture(scope="session")
def default_tree() -> Path:
    """The real default tree, extracted into the tests' cache on first
    use."""
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


# ------------------------------------------- make convert, once a session

def default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def builds_running(kbuild_dir: Path) -> list[str]:
    """Processes (not zombies) working in or on the build directory, or
    one whose name starts with its name (another architecture's: -i386)."""
    kbuild = str(kbuild_dir)
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            args = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        text = args.decode(errors="replace")
        if state != "Z" and (f"O={kbuild}" in text or cwd == kbuild or
                             cwd.startswith((kbuild + "/", kbuild + "-"))):
            found.append(f"{proc.name}: {text}")
    return found


WATCHED = ["net/9p/trans_rdma.c", "drivers/nvme/target/rdma.c",
           "include/rdma/ib_verbs.h"]


def fingerprint(root: Path, files: list[str]) -> tuple:
    status = git(root, "status", "--porcelain")
    head = git(root, "rev-parse", "HEAD")
    sums = {f: hashlib.sha256((root / f).read_bytes()).hexdigest()
            for f in files}
    return status, head, sums


@dataclass
class ConvertRuns:
    """make convert from scratch on the default tree, as a user meets it:
    interrupted, then finished, then run again."""
    interrupted: subprocess.CompletedProcess
    running_after_interrupt: list[str]
    first: subprocess.CompletedProcess
    second: subprocess.CompletedProcess
    checkout_before: tuple
    checkout_after: tuple


def run_convert() -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "convert"], capture_output=True, text=True,
                          timeout=3600)


@pytest.fixture(scope="session")
def converted(default_tree) -> ConvertRuns:
    """One make convert for every test that needs the converted tree
    (make series, make kunit, make runtime-test), started from scratch:
    the work branch is removed first (its build directory and ccache are
    kept, as a user's would be)."""
    kernel = tree.open_tree(None, CACHE, log=lambda m: None)
    tree.remove_work_tree(kernel, CACHE, log=lambda m: None)
    before = fingerprint(default_tree, WATCHED)

    # An interrupted first run (Ctrl-C while it commits or builds)...
    # (SIGINT as a terminal delivers it: a suite started in the background
    # by a non-interactive shell inherits SIGINT ignored, and the driver
    # would never see the interrupt)
    proc = subprocess.Popen([*CLI, "convert"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            preexec_fn=default_sigint)
    output = []
    for line in proc.stdout:
        output.append(line)
        if line.startswith("[build converted (W=1)]"):
            proc.send_signal(signal.SIGINT)
            break
    rest, _ = proc.communicate(timeout=300)
    interrupted = subprocess.CompletedProcess(
        proc.args, proc.returncode, "".join(output) + (rest or ""), "")
    # the default tree's builds (the other group of kernel tests builds
    # other trees beside them)
    running = builds_running(CACHE / "kbuild" /
                             tree.work_tree_path(kernel, CACHE).name)

    first = run_convert()
    second = run_convert() if first.returncode == 0 else first
    return ConvertRuns(interrupted, running, first, second, before,
                       fingerprint(default_tree, WATCHED))
