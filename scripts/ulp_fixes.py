"""Fixes of pre-existing DMA-API mismatches, applied before the rules run.

The audit reports a ULP whose own code maps one length and unmaps or
syncs another as a pre-existing DMA-API mismatch, and the rules leave
such an sge alone: converting it would hide the mismatch behind helpers
that promise it cannot happen.  Where the fix is small and certain, it
is a patch of its own in kernel-patches/ulp-fixes/, for the ULP's
maintainer (and stable) before the conversion: `make convert` applies
it on top of the core series, as a commit of its own, and the rules then
see the fixed code.

A fix that does not apply (the tree has it already, or its code differs)
is skipped and the reason recorded; the rules then leave the site alone
as before, and the audit still reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import apply
import tree

FIXES_DIR = apply.PATCHES_DIR / "ulp-fixes"


@dataclass
class Outcome:
    patch: str                 # file name in FIXES_DIR
    subject: str
    applied: bool
    why: str                   # what happened, in words
    commit: str | None = None  # the commit that holds it

    def as_json(self) -> dict:
        return {"patch": self.patch, "subject": self.subject,
                "applied": self.applied, "why": self.why,
                "commit": self.commit}


def fix_patches(fixes_dir: Path = FIXES_DIR) -> list[Path]:
    return sorted(Path(fixes_dir).glob("*.patch"))


def _git(work: Path, *args: str, options: list[str] | None = None,
         input: str | None = None):
    return tree.run_whole(["git", *(options or []), "-C", str(work), *args],
                          input=input)


def apply_fixes(work: Path, since: str, git_options: list[str],
                fixes_dir: Path = FIXES_DIR) -> list[Outcome]:
    """Apply each fix that is not on the branch above since yet and that
    applies cleanly; git_options carry the committer identity."""
    on_branch = dict(line.split(" ", 1)[::-1] for line in _git(
        work, "log", "--format=%H %s", f"{since}..HEAD").stdout.splitlines())
    outcomes = []
    for patch in fix_patches(fixes_dir):
        subject = apply.patch_subject(patch)
        if subject in on_branch:
            outcomes.append(Outcome(patch.name, subject, True,
                                    "already on the work branch",
                                    on_branch[subject]))
            continue
        check = _git(work, "apply", "--check", str(patch.resolve()))
        if check.returncode != 0:
            first = (check.stderr.strip().splitlines() or ["?"])[0]
            outcomes.append(Outcome(
                patch.name, subject, False,
                f"does not apply to this tree ({first}): fixed already or "
                f"the code differs; the rules leave the site alone"))
            continue
        am = _git(work, "am", "--committer-date-is-author-date",
                  str(patch.resolve()), options=git_options)
        if am.returncode != 0:
            _git(work, "am", "--abort")
            first = (am.stderr.strip().splitlines() or ["?"])[0]
            outcomes.append(Outcome(patch.name, subject, False,
                                    f"git am failed: {first}"))
            continue
        sha = _git(work, "rev-parse", "HEAD").stdout.strip()
        outcomes.append(Outcome(patch.name, subject, True, "applied", sha))
    return outcomes
