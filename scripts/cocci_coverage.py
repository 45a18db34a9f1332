#!/usr/bin/env python3
"""Measure how many ULP sites the cocci/convert rules convert.

    python3 scripts/cocci_coverage.py /work/cc-linux [-j 2] [--no-run]

Runs the rules IN PLACE on the given kernel clone (a git work tree: use
your own clone, never a shared tree) over the prefiltered ULP files, then
counts per ULP the sites at HEAD and in the work tree with git grep:
a site is an ib_dma_*() call or a local_dma_lkey use.  --no-run only
counts (HEAD vs. work tree as it is).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cocci_convert  # noqa: E402
from ulps import ULPS  # noqa: E402

SITE_RE = r"\bib_dma_\w+\s*\(|\blocal_dma_lkey\b"


def count(tree: Path, paths: list[str], rev: str | None) -> int:
    cmd = ["git", "grep", "-ohP", SITE_RE]
    if rev:
        cmd.append(rev)
    p = subprocess.run(cmd + ["--", *paths], cwd=tree, capture_output=True,
                       text=True)
    return len([x for x in p.stdout.splitlines() if x.strip()])


def coverage(tree: Path) -> dict[str, tuple[int, int]]:
    return {u: (count(tree, p, "HEAD"), count(tree, p, None))
            for u, p in ULPS.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("tree", type=Path)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--no-run", action="store_true")
    a = ap.parse_args(argv)
    tree = a.tree.resolve()
    if not a.no_run:
        files = cocci_convert.scope_files(tree)
        r = cocci_convert.run_rules(tree, files, a.jobs)
        for f, m in r.parse_warnings.items():
            print(f"parse warning {f}: {m[:200]}", file=sys.stderr)
        for f, m in r.errors.items():
            print(f"error {f}: {m[:500]}", file=sys.stderr)
    cov = coverage(tree)
    tb = ta = 0
    print(f"{'ULP':12} {'before':>6} {'after':>6} {'converted':>9}")
    for u, (b, af) in cov.items():
        tb, ta = tb + b, ta + af
        pct = 100.0 * (b - af) / b if b else 0.0
        print(f"{u:12} {b:6} {af:6} {pct:8.1f}%")
    print(f"{'total':12} {tb:6} {ta:6} {100.0 * (tb - ta) / tb:8.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
