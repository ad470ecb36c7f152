"""Make ``tests.support`` and the checkout's ``translate_cli`` importable from a benchmark.

Benchmarks run as ``python benchmarks/NAME.py`` from anywhere, so Python puts
only ``benchmarks/`` on ``sys.path``. Importing this module first puts the
repository root before it: the test tooling (``tests/support``) is not part of
the installed package, and the benchmark measures this checkout's code even
when another copy of translate-cli is installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

sys.path.insert(0, str(ROOT))
