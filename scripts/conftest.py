"""pytest setup for scripts/: the tests import the modules beside them."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "kernel: needs a Linux kernel git tree (slow, seconds)")
    config.addinivalue_line(
        "markers", "kunit: builds a kernel and runs KUnit under QEMU (minutes)")
