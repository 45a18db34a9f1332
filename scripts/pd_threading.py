"""Which ULP helpers get the pd in place of their ib_device parameter.

A builder takes the pd (rdma_map_sge_single(pd, ...)), so a helper that
maps with its `struct ib_device *` parameter (nvme_rdma_alloc_qe(ibdev,
...), rtrs_iu_alloc(..., dma_dev, ...)) has to be given the pd instead.
Rule 30 collects the facts (the helpers, their definitions, every call and
what its device argument is, and the pd that sits next to that device when
the rule can name it); this module decides, and the rule rewrites.

A helper gets the pd ("is threaded") when

- it is usable: defined once, static or declared in a header processed
  with it, only ever called (its address is never taken), and its
  signature free to change (no other definition with another parameter,
  the name "pd" free);
- it maps a field that converts with that parameter, or passes the
  parameter on to a helper that gets the pd, or releases what a threaded
  helper allocates (helper_pairs: rtrs_iu_free() for rtrs_iu_alloc());
- every call of it passes a device whose pd is known, or the device
  parameter of a caller that is threaded too.

Dropping a helper can take the pd away from a callee that relied on it,
and a field converts only if its maps do; both are solved to a fixpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import helper_pairs


@dataclass(frozen=True)
class Call:
    caller: str
    callee: str
    device: str           # the device argument, as written
    pd: str | None        # the pd next to it, or None when not known


@dataclass
class Facts:
    devparam: dict[str, tuple[str, str]] = field(default_factory=dict)
    """function -> (index, name) of its struct ib_device * parameter"""
    defs: dict[str, int] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)
    """functions whose signature must stay"""
    local: set[str] = field(default_factory=set)
    """static, or declared in a header processed with it"""
    call_count: dict[str, int] = field(default_factory=dict)
    refs: dict[str, int] = field(default_factory=dict)
    """references of the name as an expression (calls included)"""
    maps: dict[str, list[str]] = field(default_factory=dict)
    """function -> the fields it maps with its device parameter"""
    calls: list[Call] = field(default_factory=list)


def usable(facts: Facts) -> set[str]:
    return {fn for fn in facts.devparam
            if facts.defs.get(fn) == 1 and fn not in facts.bad and
            fn in facts.local and facts.call_count.get(fn, 0) > 0 and
            facts.refs.get(fn, 0) == facts.call_count.get(fn, 0)}


def _callers_ok(facts: Facts, fn: str, threaded: set[str]) -> bool:
    for c in facts.calls:
        if c.callee != fn or c.pd is not None:
            continue
        if not (c.caller in threaded and
                facts.devparam.get(c.caller, (None, None))[1] == c.device):
            return False
    return True


def _passes_on(facts: Facts, fn: str, threaded: set[str]) -> bool:
    return any(c.caller == fn and c.callee in threaded and c.pd is None and
               facts.devparam.get(fn, (None, None))[1] == c.device
               for c in facts.calls)


def solve(facts: Facts,
          blocked_with: Callable[[set[str]], set[str]]) -> set[str]:
    """The helpers that get the pd.  blocked_with(threaded) returns the
    fields that do not convert when the maps of the helpers in threaded
    count as converted maps (the rule's own check of every field)."""
    can = usable(facts)
    threaded = {fn for fn in facts.maps if fn in can}
    frees: set[str] = set()
    for _ in range(50):
        blocked = blocked_with(threaded)

        def maps_a_field(fn: str) -> bool:
            return any(f not in blocked for f in facts.maps.get(fn, []))

        step = {fn for fn in threaded if maps_a_field(fn)}
        grow = True
        while grow:
            grow = False
            for c in facts.calls:
                if (c.callee in step and c.pd is None and c.caller in can
                        and c.caller not in step and
                        facts.devparam[c.caller][1] == c.device):
                    step.add(c.caller)
                    grow = True
        frees = helper_pairs.release_helpers(step - frees, can - step)
        step |= frees
        while True:
            kept = {fn for fn in step if _callers_ok(facts, fn, step)}
            if kept == step:
                break
            step = kept
        step = {fn for fn in step if maps_a_field(fn) or
                _passes_on(facts, fn, step) or fn in frees}
        if step == threaded:
            break
        threaded = step
    return threaded
