import subprocess
import sys

import cpu_time
from cpu_time import Phase


def test_summary_orders_by_cpu_and_says_how_busy():
    phases = [Phase("a.py::t1", "call", 2.0), Phase("a.py::t2", "setup", 30.0),
              Phase("a.py::t3", "call", 0.01), Phase("b.py::t4", "call", 5.0)]
    lines = cpu_time.summary(phases, 2, wall=20.0)
    assert lines[0].split() == ["30.0s", "cpu", "setup", "a.py::t2"]
    assert lines[1].split() == ["5.0s", "cpu", "call", "b.py::t4"]
    assert lines[2] == "total 37s of CPU in 20s (1.85 cores busy on average)"
    assert len(lines) == 3


def test_a_child_s_cpu_is_counted_once_it_is_waited_for():
    before = cpu_time.cpu_seconds()
    subprocess.run([sys.executable, "-c",
                    "import time\nt = time.process_time()\n"
                    "while time.process_time() - t < 0.3: pass"], check=True)
    assert cpu_time.cpu_seconds() - before >= 0.3


def test_the_plugin_reports_each_phase(pytester):
    pytester.makeconftest("import cpu_time\n"
                          "def pytest_configure(config):\n"
                          "    config.pluginmanager.register("
                          "cpu_time.Plugin(5), 'cpu-time')\n")
    pytester.makepyfile("import subprocess, sys\n"
                        "def test_burn():\n"
                        "    subprocess.run([sys.executable, '-c', "
                        "'import time\\nt = time.process_time()\\n"
                        "while time.process_time() - t < 0.3: pass'])\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    line = next(l for l in result.outlines if "test_burn" in l and "cpu" in l)
    assert line.split()[1:3] == ["cpu", "call"]
    assert float(line.split()[0].rstrip("s")) >= 0.3
