"""Engines for the Ray runner's failure tests: the real engine, failing on marked inputs.

Ray workers import this module (the tests' cluster puts the repository on
their ``PYTHONPATH``) and call these loaders in place of
:func:`~translate_cli.engines.load_engine`
(:func:`~translate_cli.ray_runner.run_paths_ray`'s ``engine_loader``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from translate_cli.config import Settings
from translate_cli.engines import load_engine
from translate_cli.models import ModelSource

# A sentence holding this makes the engine raise, every time.
RAISES = "PANNEMOTEUR"
# A sentence holding this kills the worker process the first time any worker
# sees it (the flag file named by CRASH_FLAG_ENV then exists); one holding
# ALWAYS_CRASHES kills it every time.
CRASHES = "ARRETBRUTAL"
ALWAYS_CRASHES = "ARRETTOUJOURS"
CRASH_FLAG_ENV = "TRANSLATE_TEST_CRASH_FLAG"


class _Marked:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def translate_batch(self, texts: Sequence[str]) -> Any:
        if any(RAISES in t for t in texts):
            raise RuntimeError("simulated engine error on a marked sentence")
        if any(ALWAYS_CRASHES in t for t in texts):
            os._exit(1)  # the worker dies as a segfault in the engine would
        if any(CRASHES in t for t in texts):
            flag = Path(os.environ[CRASH_FLAG_ENV])
            if not flag.exists():
                flag.write_text("crashed once\n")
                os._exit(1)
        return self._inner.translate_batch(texts)


def marked_engine(settings: Settings, source: ModelSource) -> Any:
    """The real engine, raising or dying on the marked sentences."""
    return _Marked(load_engine(settings, source))
