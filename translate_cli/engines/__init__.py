"""Engine registry with lazy imports.

Engines import torch, transformers or ctranslate2, which take seconds to load,
so the registry maps names to module paths and imports one only when it is
used (as sacrebleu does for its tokenizers). ``translate --help`` therefore
stays fast.
"""

from __future__ import annotations

import importlib
import importlib.util

from ..config import Settings
from ..errors import unknown_choice
from ..models import ModelSource, resolve_model
from .base import Engine

ENGINES: dict[str, str] = {
    "transformers": "translate_cli.engines.transformers_engine:TransformersEngine",
    "ctranslate2": "translate_cli.engines.ctranslate2_engine:CTranslate2Engine",
}


def pick_engine(requested: str) -> str:
    """Resolve ``auto`` to the fastest engine whose libraries are installed."""
    if requested != "auto":
        if requested not in ENGINES:
            raise unknown_choice("engine", requested, ENGINES)
        return requested
    if "ctranslate2" in ENGINES and importlib.util.find_spec("ctranslate2") is not None:
        return "ctranslate2"
    return "transformers"


def load_engine(settings: Settings, source: ModelSource | None = None) -> Engine:
    """Locate the model (downloading it on first use) and load the chosen engine.

    Args:
        settings: Run settings (model, engine, device, beams, threads).
        source: The already located model, to skip locating it again.

    Raises:
        ModelError: The model cannot be found or loaded.
        UsageError: Unknown engine or device.
    """
    name = pick_engine(settings.engine)
    module_name, _, class_name = ENGINES[name].partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    engine: Engine = cls(source or resolve_model(settings.model, settings.revision), settings)
    return engine


__all__ = ["ENGINES", "Engine", "load_engine", "pick_engine"]
