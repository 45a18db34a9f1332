"""CPU time per test, for the CI budget: make test prints the tests that
used the most CPU (their own and that of every command they ran and
waited for: make and its compilers, spatch, QEMU), beside pytest's wall
clock --durations.  On 2 cores the suite is CPU-bound, so these figures,
not the wall times of tests that ran beside each other, say where the
time goes."""

import os
from dataclasses import dataclass

import pytest


def cpu_seconds(times: os.times_result | None = None) -> float:
    """This process's CPU time and that of its waited-for descendants."""
    t = times or os.times()
    return t.user + t.system + t.children_user + t.children_system


@dataclass(frozen=True)
class Phase:
    nodeid: str
    when: str       # setup, call or teardown
    cpu: float      # seconds


def heaviest(phases: list[Phase], count: int) -> list[Phase]:
    """The count phases that used the most CPU, heaviest first (ties in
    the order they came)."""
    return sorted(phases, key=lambda p: -p.cpu)[:count]


def summary(phases: list[Phase], count: int, wall: float | None) -> list[str]:
    """The lines make test prints."""
    total = sum(p.cpu for p in phases)
    lines = [f"{p.cpu:9.1f}s cpu {p.when:<8} {p.nodeid}"
             for p in heaviest(phases, count) if p.cpu >= 0.05]
    tail = f"total {total:.0f}s of CPU"
    if wall:
        tail += f" in {wall:.0f}s ({total / wall:.2f} cores busy on average)"
    return [*lines, tail]


class Plugin:
    """Measures each phase of each test in the process that runs it (an
    xdist worker or pytest itself) and reports it through the test
    report's user_properties, which xdist carries to the controller."""

    def __init__(self, count: int = 25):
        self.count = count
        self.phases: list[Phase] = []
        self.start = None

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        spent = getattr(item, "_cpu_time_spent", {})
        if call.when in spent:
            outcome.get_result().user_properties.append(
                ("cpu", spent.pop(call.when)))

    def _measure(self, item, when: str):
        before = cpu_seconds()
        yield
        spent = item.__dict__.setdefault("_cpu_time_spent", {})
        spent[when] = cpu_seconds() - before

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(self, item):
        yield from self._measure(item, "setup")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        yield from self._measure(item, "call")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item):
        yield from self._measure(item, "teardown")

    def pytest_runtest_logreport(self, report):
        for key, value in report.user_properties:
            if key == "cpu":
                self.phases.append(Phase(report.nodeid, report.when, value))

    def pytest_sessionstart(self, session):
        import time
        self.start = time.monotonic()

    def pytest_terminal_summary(self, terminalreporter):
        if not self.phases:
            return
        import time
        wall = time.monotonic() - self.start if self.start else None
        terminalreporter.write_sep("=", f"most CPU {self.count}")
        for line in summary(self.phases, self.count, wall):
            terminalreporter.write_line(line)
