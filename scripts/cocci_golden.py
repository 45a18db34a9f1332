#!/usr/bin/env python3
"""Golden tests for cocci/convert rules, in Coccinelle's own style.

Layout: cocci/tests/<rule-stem>/<case>.c is an input, <case>.res the
expected output of applying cocci/convert/<rule-stem>.cocci (or
cocci/providers/<rule-stem>.cocci) to it (through
the same pipeline as the driver: scripts/cocci_convert.convert_text, which
adds only the 80-column wrapping of lines spatch produced).  A negative case
(the rule must leave the code alone) has a .res identical to its .c; by
convention its name starts with "neg_".  cocci/tests/all/ cases are run
through every rule file in NN order.

    python3 scripts/cocci_golden.py            # run all, print diffs
    python3 scripts/cocci_golden.py --update   # rewrite .res (review!)
"""
from __future__ import annotations

import difflib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cocci_convert  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "cocci" / "tests"


def cases() -> list[tuple[str, Path]]:
    out = []
    for d in sorted(TESTS.iterdir()):
        if d.is_dir():
            for c in sorted(d.glob("*.c")):
                out.append((d.name, c))
    return out


def rules_for(stem: str) -> list[Path]:
    if stem == "all":
        return cocci_convert.rule_files()
    if stem == cocci_convert.PROVIDER_RULE.stem:
        return [cocci_convert.PROVIDER_RULE]
    r = cocci_convert.RULES_DIR / f"{stem}.cocci"
    if not r.exists():
        raise FileNotFoundError(r)
    return [r]


def run_case(stem: str, c: Path) -> tuple[str, str, dict]:
    """Return (expected, actual, errors)."""
    actual, errors = cocci_convert.convert_text(c.read_text(), c.name,
                                                rules_for(stem))
    expected = c.with_suffix(".res").read_text()
    return expected, actual, errors


def diff(expected: str, actual: str, name: str) -> str:
    return "".join(difflib.unified_diff(
        expected.splitlines(True), actual.splitlines(True),
        f"{name}.res (expected)", f"{name} (spatch)"))


def main(argv=None) -> int:
    argv = argv if argv is not None else sys.argv[1:]
    update = "--update" in argv
    fails = 0
    for stem, c in cases():
        actual, errors = cocci_convert.convert_text(c.read_text(), c.name,
                                                    rules_for(stem))
        res = c.with_suffix(".res")
        if update:
            res.write_text(actual)
            continue
        expected = res.read_text()
        ok = actual == expected and not errors
        # idempotence: the rules change nothing in the expected output
        again, err2 = cocci_convert.convert_text(expected, c.name,
                                                 rules_for(stem))
        idem = again == expected
        print(f"{'PASS' if ok and idem else 'FAIL'} {stem}/{c.name}"
              f"{'' if idem else ' (not idempotent)'}")
        if not ok:
            fails += 1
            print(errors or diff(expected, actual, c.name))
        elif not idem:
            fails += 1
            print(diff(expected, again, c.name + " (2nd run)"))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
