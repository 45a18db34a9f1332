"""Apply the kernel patch series (kernel-patches/*.patch) with git am.

The series is applied to a git worktree that belongs to the toolkit (its
work branch); the caller decides which one.  Applying is idempotent: a
series that is already there (same patch-ids, `git patch-id --stable`, among
the commits on top of HEAD) is skipped with a message, and a series of which
only the first patches are there gets the rest.  A patch that does not apply
makes the whole call fail: `git am --abort` puts the branch back where it
was, and the error names the first failing patch and file.

Usage: python3 scripts/apply.py [--patches DIR] WORKTREE
"""

import argparse
import email
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

PATCHES_DIR = Path(__file__).resolve().parent.parent / "kernel-patches"
# Used for the committer of the applied patches when git has no identity
# configured; the author always comes from the patch.
FALLBACK_IDENTITY = ["-c", "user.name=rdma-sge toolkit",
                     "-c", "user.email=rdma-sge-toolkit@localhost"]
# How far below HEAD to look for commits of an already applied series.
SEARCH_DEPTH = 200


class ApplyError(Exception):
    """The series could not be applied; its text is the one line shown."""

    def __init__(self, message: str, patch: Path | None = None,
                 file: str | None = None):
        super().__init__(message)
        self.patch = patch
        self.file = file


@dataclass
class ApplyResult:
    status: str                 # "applied" or "already-applied"
    message: str
    patches: list[Path]
    commits: list[str] = field(default_factory=list)  # series' commits, in order


def series_patches(patches_dir: Path) -> list[Path]:
    """The patches of the series in order, without the cover letter."""
    patches = sorted(p for p in Path(patches_dir).glob("*.patch")
                     if not p.name.startswith("0000-")
                     and "cover-letter" not in p.name)
    if not patches:
        raise ApplyError(f"no patches in {patches_dir}")
    return patches


def _git(worktree: Path, *args: str, options: list[str] | None = None,
         check: bool = False, stdin: str | None = None
         ) -> subprocess.CompletedProcess:
    cmd = ["git", "-c", f"safe.directory={worktree}", *(options or []),
           "-C", str(worktree), *args]
    result = subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                            errors="replace")
    if check and result.returncode != 0:
        text = (result.stderr.strip() or result.stdout.strip()).splitlines()
        raise ApplyError(f"git {args[0]} failed in {worktree}: "
                         f"{text[-1] if text else 'exit %d' % result.returncode}")
    return result


def patch_id(worktree: Path, patch_text: str) -> str | None:
    """`git patch-id --stable` of one patch (format-patch or log -p text)."""
    out = _git(worktree, "patch-id", "--stable", stdin=patch_text,
               check=True).stdout.split()
    return out[0] if out else None


def patch_subject(patch: Path) -> str:
    """The commit subject git am gives a format-patch file."""
    message = email.message_from_string(patch.read_text(errors="replace"))
    subject = " ".join(str(message.get("Subject", "")).split())
    return re.sub(r"^(\[[^]]*\]\s*)+", "", subject)


def _recent_patch_ids(worktree: Path, depth: int, subjects: set[str]
                      ) -> list[tuple[str, str | None]]:
    """(commit, patch-id) of the first-parent commits below HEAD, newest
    first.  Only commits with a subject in subjects (and a parent: the
    root commit of an imported tree is the whole tree) get a patch-id; the
    others get None, which keeps this fast on a kernel tree."""
    log = _git(worktree, "log", "--no-merges", "--first-parent", f"-n{depth}",
               "--format=%H%x00%P%x00%s", "HEAD", check=True).stdout
    commits = []
    for line in log.splitlines():
        commit, parents, subject = (line.split("\0") + ["", ""])[:3]
        commits.append((commit, bool(parents.strip()) and subject in subjects))
    wanted = [c for c, match in commits if match]
    ids: dict[str, str] = {}
    if wanted:
        text = _git(worktree, "show", "--no-color", "--format=commit %H", "-p",
                    *wanted, check=True).stdout
        out = _git(worktree, "patch-id", "--stable", stdin=text,
                   check=True).stdout
        ids = {c: p for p, c in (line.split() for line in out.splitlines()
                                 if line.strip())}
    return [(c, ids.get(c)) for c, _ in commits]


def _identity_options(worktree: Path, options: list[str]) -> list[str]:
    joined = " ".join(options)
    if "user.email=" in joined:
        return options
    if _git(worktree, "config", "user.email").returncode == 0:
        return options
    return options + FALLBACK_IDENTITY


def _failure(worktree: Path, am: subprocess.CompletedProcess,
             todo: list[Path]) -> ApplyError:
    text = am.stdout + "\n" + am.stderr
    patch = None
    m = re.search(r"^Patch failed at (\d+)", text, re.M)
    if m and 1 <= int(m.group(1)) <= len(todo):
        patch = todo[int(m.group(1)) - 1]
    file = None
    for pattern in (r"^error: patch failed: (.+?):\d+$",
                    r"^error: (.+?): (?:patch does not apply|already exists "
                    r"in (?:index|working directory)|does not exist in index"
                    r"|No such file or directory)$"):
        m = re.search(pattern, text, re.M)
        if m:
            file = m.group(1)
            break
    if patch is None:
        lines = [line for line in text.splitlines() if line.strip()]
        detail = lines[-1] if lines else f"exit {am.returncode}"
        return ApplyError(f"git am failed in {worktree}: {detail}")
    where = f", file {file}" if file else ""
    return ApplyError(f"patch {patch.name} does not apply to {worktree}"
                      f"{where}; the branch was left as it was",
                      patch=patch, file=file)


def apply_series(worktree: Path, patches_dir: Path = PATCHES_DIR,
                 git_options: list[str] | None = None,
                 leave_out: frozenset[str] = frozenset()) -> ApplyResult:
    """Apply the series in patches_dir to the checked out branch of worktree.

    git_options are extra `git -c ...` options (e.g. the committer identity);
    without one, a fallback identity is used when git has none configured.
    Raises ApplyError, with the branch as it was before the call, when the
    series cannot be applied.
    """
    worktree = Path(worktree).resolve()
    # leave_out: names of patches left out of the series on this tree
    patches = [p for p in series_patches(patches_dir)
               if p.name not in leave_out]
    options = list(git_options or [])

    if _git(worktree, "rev-parse", "--git-dir").returncode != 0:
        raise ApplyError(f"{worktree} is not a git worktree")
    git_dir = Path(_git(worktree, "rev-parse", "--absolute-git-dir",
                        check=True).stdout.strip())
    if (git_dir / "rebase-apply").exists() or (git_dir / "rebase-merge").exists():
        raise ApplyError(f"{worktree} has a git am or rebase in progress; "
                         "finish or abort it first")
    dirty = _git(worktree, "status", "--porcelain", "--untracked-files=no",
                 check=True).stdout
    if dirty.strip():
        raise ApplyError(f"{worktree} has uncommitted changes; refusing to "
                         "apply the series on top of them")

    ids = [patch_id(worktree, p.read_text(errors="replace")) for p in patches]
    recent = _recent_patch_ids(worktree, SEARCH_DEPTH + len(patches),
                               {patch_subject(p) for p in patches})
    found = {pid: commit for commit, pid in reversed(recent) if pid}
    present = [pid in found for pid in ids]

    if all(present):
        commits = [found[pid] for pid in ids]
        return ApplyResult("already-applied",
                           f"series already applied to {worktree} "
                           f"({len(patches)} patches), skipping",
                           patches, commits)

    stale = [commit for commit, pid in recent if pid and pid not in ids]
    if stale:
        raise ApplyError(f"{worktree} holds another version of the core "
                         f"series (commit {stale[0][:12]} has a series "
                         "subject but other content): run `make clean-work`, "
                         "then this command again")

    # The first k patches may be the last k commits (an earlier run was
    # interrupted, or the series grew): apply the rest on top of them.
    done = 0
    newest = [pid for _, pid in recent[:len(patches)]]
    for k in range(len(patches) - 1, 0, -1):
        if list(reversed(newest[:k])) == ids[:k]:
            done = k
            break
    if any(present[done:]):
        names = ", ".join(p.name for p, there in zip(patches, present) if there)
        raise ApplyError(f"{worktree} already has some patches of the series "
                         f"({names}) but not as the commits right below HEAD; "
                         "start from a fresh work branch")

    todo = patches[done:]
    head = _git(worktree, "rev-parse", "HEAD", check=True).stdout.strip()
    am = _git(worktree, "am", "--committer-date-is-author-date",
              *[str(p.resolve()) for p in todo],
              options=_identity_options(worktree, options))
    if am.returncode != 0:
        error = _failure(worktree, am, todo)
        _git(worktree, "am", "--abort")
        if _git(worktree, "rev-parse", "HEAD").stdout.strip() != head:
            _git(worktree, "reset", "--hard", head, check=True)
        raise error

    log = _git(worktree, "rev-list", "--reverse", f"-n{len(patches)}", "HEAD",
               check=True).stdout.split()
    skipped = f" ({done} were already there)" if done else ""
    return ApplyResult("applied",
                       f"applied {len(todo)} patches to {worktree}{skipped}",
                       patches, log)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("worktree", type=Path,
                        help="git worktree whose branch gets the series")
    parser.add_argument("--patches", type=Path, default=PATCHES_DIR,
                        help="directory with the format-patch series "
                             "(default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        result = apply_series(args.worktree, args.patches)
    except ApplyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(result.message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
