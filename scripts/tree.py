"""Kernel trees: find, check, and give the toolkit its own place to work.

The user's tree is only ever read.  Everything the toolkit changes lives on
the branch WORK_BRANCH in the user's repository, checked out as a git
worktree under the toolkit's cache, so the user's working tree, index and
uncommitted changes are never touched.  A tree that is not a git repository
is imported (read only) into a repository in the cache, and the work branch
lives there.  Without KERNEL the default tree is Debian's linux-source-6.12,
extracted once into the cache and committed as one base commit.
"""

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

WORK_BRANCH = "rdma-sge/work"
BASE_BRANCH = "base"  # the branch of a repository the toolkit made itself
DEFAULT_PACKAGE = "linux-source-6.12"
DEFAULT_TARBALL = Path("/usr/src") / f"{DEFAULT_PACKAGE}.tar.xz"
TOOLKIT_IDENTITY = ["-c", "user.name=rdma-sge toolkit",
                    "-c", "user.email=rdma-sge-toolkit@localhost"]


# Settings for every git command the toolkit runs, given through the
# environment so that no repository's config is touched.  An automatic
# "git gc" forks into the background and repacks a whole kernel for
# minutes; on the toolkit's own trees it raced with worktrees being
# added and removed ("fatal: bad object worktrees/linux/HEAD", a stale
# gc.log.lock) and with the ref updates of the next command.
NO_BACKGROUND_GIT = {"gc.auto": "0", "maintenance.auto": "false"}


def no_background_git(environ=os.environ) -> None:
    """Add NO_BACKGROUND_GIT to the GIT_CONFIG_* variables of environ
    (kept if already there), for this process and its children."""
    count = int(environ.get("GIT_CONFIG_COUNT", "0") or 0)
    have = {environ.get(f"GIT_CONFIG_KEY_{i}") for i in range(count)}
    for key, value in NO_BACKGROUND_GIT.items():
        if key in have:
            continue
        environ[f"GIT_CONFIG_KEY_{count}"] = key
        environ[f"GIT_CONFIG_VALUE_{count}"] = value
        count += 1
    environ["GIT_CONFIG_COUNT"] = str(count)


class TreeError(Exception):
    """A problem with the kernel tree; its text is the one line shown."""


@dataclass
class KernelTree:
    root: Path
    name: str
    version: str
    is_git: bool
    is_default: bool
    writable: bool

    def git(self, *args: str, check: bool = True,
            **kwargs) -> subprocess.CompletedProcess:
        return git(self.root, *args, check=check, **kwargs)


def run_whole(cmd: list[str], input: str | None = None,
              **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run(capture_output=True, text=True) for a command that
    must not be cut short, as git writing its index or refs: Ctrl-C does
    not reach it (its own session) and does not kill it; it finishes,
    then the interrupt goes on.  (subprocess.run kills the child on
    KeyboardInterrupt: an interrupted make convert left the work tree's
    index.lock behind, and the next run could not check anything out.)"""
    kwargs.setdefault("errors", "replace")
    with subprocess.Popen(cmd, stdin=subprocess.PIPE if input is not None
                          else subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True,
                          start_new_session=True, **kwargs) as proc:
        try:
            out, err = proc.communicate(input)
        except KeyboardInterrupt:
            proc.communicate()
            raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def git(where: Path, *args: str, check: bool = True, git_dir: Path | None = None,
        **kwargs) -> subprocess.CompletedProcess:
    cmd = ["git", "-c", f"safe.directory={where}"]
    if git_dir is not None:
        cmd += ["-c", f"safe.directory={git_dir}", f"--git-dir={git_dir}",
                f"--work-tree={where}"]
    else:
        cmd += ["-C", str(where)]
    result = run_whole(cmd + list(args), **kwargs)
    if check and result.returncode != 0:
        message = (result.stderr.strip() or result.stdout.strip()).splitlines()
        raise TreeError(f"git {args[0]} failed in {where}: "
                        f"{message[-1] if message else 'exit %d' % result.returncode}")
    return result


def kernel_version(root: Path) -> str:
    """VERSION.PATCHLEVEL.SUBLEVEL from the top Makefile; TreeError if none."""
    makefile = root / "Makefile"
    if not makefile.is_file():
        raise TreeError(f"KERNEL={root} is not a kernel tree: no top-level "
                        "Makefile")
    head = makefile.read_text(errors="replace")[:2000]
    fields = dict(re.findall(r"^(VERSION|PATCHLEVEL|SUBLEVEL)\s*=\s*(\d*)",
                             head, re.M))
    if not fields.get("VERSION") or not fields.get("PATCHLEVEL"):
        raise TreeError(f"KERNEL={root} is not a kernel tree: its Makefile "
                        "has no VERSION/PATCHLEVEL")
    if not (root / "include/rdma/ib_verbs.h").is_file():
        raise TreeError(f"KERNEL={root} is not a kernel tree with RDMA: no "
                        "include/rdma/ib_verbs.h")
    version = f"{fields['VERSION']}.{fields['PATCHLEVEL']}"
    if fields.get("SUBLEVEL"):
        version += f".{fields['SUBLEVEL']}"
    return version


def is_git_toplevel(root: Path) -> bool:
    result = git(root, "rev-parse", "--show-toplevel", check=False)
    return (result.returncode == 0 and
            Path(result.stdout.strip()).resolve() == root.resolve())


def open_tree(kernel: str | None, cache: Path, log=print) -> KernelTree:
    """The tree KERNEL names, or the default tree (installed if needed)."""
    if kernel is None or kernel == "":
        root = default_tree(cache, log)
        is_default = True
    else:
        root = Path(kernel).expanduser()
        if not root.exists():
            raise TreeError(f"KERNEL={kernel} does not exist")
        if not root.is_dir():
            raise TreeError(f"KERNEL={kernel} is not a directory")
        root = root.resolve()
        is_default = False
    try:
        version = kernel_version(root)
    except PermissionError as exc:
        raise TreeError(f"cannot read KERNEL={root}: {exc.strerror}") from exc
    return KernelTree(root=root, name=root.name, version=version,
                      is_git=is_git_toplevel(root), is_default=is_default,
                      writable=os.access(root, os.W_OK))


def default_tree(cache: Path, log=print) -> Path:
    """Debian's linux-source-6.12, extracted once and committed once (one
    process extracts it; another that asks meanwhile waits for it)."""
    target = cache / "trees" / DEFAULT_PACKAGE
    if (target / ".git").is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{DEFAULT_PACKAGE}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / ".git").is_dir():
            return target
        return _extract_default_tree(target, cache, log)


def _extract_default_tree(target: Path, cache: Path, log) -> Path:
    if not DEFAULT_TARBALL.is_file():
        install_package(DEFAULT_PACKAGE, log)
    if not DEFAULT_TARBALL.is_file():
        raise TreeError(f"{DEFAULT_TARBALL} is missing after installing "
                        f"{DEFAULT_PACKAGE}")
    staging = cache / "trees" / f".{DEFAULT_PACKAGE}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    log(f"extracting {DEFAULT_TARBALL} into {target} (once)")
    subprocess.run(["tar", "-xJf", str(DEFAULT_TARBALL), "-C", str(staging)],
                   check=True)
    extracted = staging / DEFAULT_PACKAGE
    if not extracted.is_dir():
        raise TreeError(f"{DEFAULT_TARBALL} did not contain {DEFAULT_PACKAGE}/")
    log(f"committing the extracted tree as the base commit of {target}")
    git(extracted, "init", "-q", "-b", BASE_BRANCH)
    # The kernel's .gitignore names dot-files and more: force-add all of it.
    git(extracted, "add", "-f", "-A", ".")
    git(extracted, *TOOLKIT_IDENTITY, "commit", "-q", "-m",
        f"{DEFAULT_PACKAGE} as shipped by Debian")
    extracted.rename(target)
    shutil.rmtree(staging, ignore_errors=True)
    return target


def install_package(package: str, log=print) -> None:
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise TreeError(f"{package} is not installed and cannot be installed "
                        "here (needs apt-get as root): install it, or pass "
                        "KERNEL=/path/to/linux")
    log(f"installing {package} with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    result = subprocess.run(["apt-get", "install", "-y", "-q",
                             "--no-install-recommends", package],
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True,
                       env=env)
        result = subprocess.run(["apt-get", "install", "-y", "-q",
                                 "--no-install-recommends", package],
                                capture_output=True, text=True, env=env)
    if result.returncode != 0:
        last = (result.stderr.strip() or result.stdout.strip()).splitlines()
        raise TreeError(f"apt-get could not install {package}: "
                        f"{last[-1] if last else 'unknown error'}")


def _writable(directory: Path) -> bool:
    """Can we create a file there?  (os.access says yes to root on a
    read-only mount's files and cannot see every reason a write fails.)"""
    try:
        fd, name = tempfile.mkstemp(prefix=".rdma-sge-probe-", dir=directory)
    except OSError:
        return False
    os.close(fd)
    os.unlink(name)
    return True


def _tree_id(tree: KernelTree) -> str:
    digest = hashlib.sha256(str(tree.root).encode()).hexdigest()[:8]
    return f"{tree.name}-{digest}"


def import_repository(tree: KernelTree, cache: Path) -> Path:
    """A repository in the cache holding a non-git tree's files as a commit.

    git reads the user's files through --work-tree; every write goes to the
    cache.  A re-import commits only when the files changed.
    """
    git_dir = cache / "imports" / f"{_tree_id(tree)}.git"
    if not git_dir.is_dir():
        git_dir.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "-q", "--bare", "-b", BASE_BRANCH,
                        str(git_dir)], check=True, capture_output=True)
    # Respect the tree's .gitignore (build output stays out), unless it hides
    # the sources themselves, as Debian's packaging rule "/*" does.
    git(tree.root, "add", "-A", ".", git_dir=git_dir)
    if git(tree.root, "ls-files", "--", "Makefile", git_dir=git_dir
           ).stdout.strip() == "":
        git(tree.root, "add", "-f", "-A", ".", git_dir=git_dir)
    status = git(tree.root, "status", "--porcelain", git_dir=git_dir)
    has_head = git(tree.root, "rev-parse", "-q", "--verify", "HEAD",
                   git_dir=git_dir, check=False).returncode == 0
    if status.stdout.strip() or not has_head:
        git(tree.root, *TOOLKIT_IDENTITY, "commit", "-q", "-m",
            f"import of {tree.root}", git_dir=git_dir)
    return git_dir


@dataclass
class WorkTree:
    path: Path  # the checked-out work branch, under the cache
    branch: str
    repository: Path  # where the branch lives (user's repo or the import)
    created: bool


def work_tree_path(tree: KernelTree, cache: Path) -> Path:
    return cache / "worktrees" / _tree_id(tree)


def prepare_work_tree(tree: KernelTree, cache: Path, log=print) -> WorkTree:
    """Check out WORK_BRANCH in a worktree under the cache; reuse it if there.

    The branch starts at the tree's HEAD.  Uncommitted changes in the tree
    are not part of it (and stay untouched); the log says so.
    """
    path = work_tree_path(tree, cache)
    if tree.is_git:
        git_dir = Path(tree.git("rev-parse", "--absolute-git-dir")
                       .stdout.strip())
        repo_git = None
        if not _writable(git_dir):
            raise TreeError(f"KERNEL={tree.root} is read-only: the toolkit "
                            f"needs to add its branch {WORK_BRANCH} there "
                            "(make report still works on it)")
        dirty = tree.git("status", "--porcelain", "--untracked-files=no"
                         ).stdout.splitlines()
        if dirty:
            log(f"note: {len(dirty)} file(s) in {tree.root} have uncommitted "
                f"changes; they stay untouched and {WORK_BRANCH} starts from "
                "HEAD without them")
    else:
        git_dir = import_repository(tree, cache)
        repo_git = git_dir

    def run(*args, check=True):
        if repo_git is not None:
            return git(tree.root, *args, git_dir=repo_git, check=check)
        return tree.git(*args, check=check)

    run("worktree", "prune")
    if (path / ".git").exists():
        log(f"reusing {WORK_BRANCH} checked out at {path}")
        return WorkTree(path, WORK_BRANCH, git_dir, created=False)
    branch_exists = run("rev-parse", "-q", "--verify",
                        f"refs/heads/{WORK_BRANCH}", check=False
                        ).returncode == 0
    path.parent.mkdir(parents=True, exist_ok=True)
    if branch_exists:
        run("worktree", "add", "-q", str(path), WORK_BRANCH)
        log(f"checked out the existing branch {WORK_BRANCH} at {path}")
    else:
        run("worktree", "add", "-q", "-b", WORK_BRANCH, str(path), "HEAD")
        log(f"created branch {WORK_BRANCH} at HEAD, checked out at {path}")
    return WorkTree(path, WORK_BRANCH, git_dir, created=True)


def remove_work_tree(tree: KernelTree, cache: Path, log=print) -> None:
    """Remove the worktree and the work branch; the user's tree stays as is."""
    path = work_tree_path(tree, cache)
    if tree.is_git:
        run = tree.git
    else:
        git_dir = cache / "imports" / f"{_tree_id(tree)}.git"
        if not git_dir.is_dir():
            log(f"nothing to remove for {tree.root}")
            return

        def run(*args, check=True):
            return git(tree.root, *args, git_dir=git_dir, check=check)
    removed = False
    if path.exists():
        run("worktree", "remove", "--force", str(path), check=False)
        shutil.rmtree(path, ignore_errors=True)
        removed = True
    run("worktree", "prune", check=False)
    if run("rev-parse", "-q", "--verify", f"refs/heads/{WORK_BRANCH}",
           check=False).returncode == 0:
        run("branch", "-q", "-D", WORK_BRANCH)
        removed = True
    if not tree.is_git:
        shutil.rmtree(cache / "imports" / f"{_tree_id(tree)}.git",
                      ignore_errors=True)
    log(f"removed {WORK_BRANCH} and {path}" if removed
        else f"nothing to remove for {tree.root}")
