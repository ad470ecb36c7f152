"""translate-cli: French articles into reviewed, sentence-aligned English.

The public API. Names are imported on first use (PEP 562), so that importing
the package, and running ``translate --help``, stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

_EXPORTS = {
    "translate_file": "runner",
    "translate_text": "runner",
    "run_paths": "runner",
    "Runner": "runner",
    "RunReport": "runner",
    "Outcome": "runner",
    "Job": "inputs",
    "Translator": "translator",
    "Flag": "vocabulary",
    "Status": "vocabulary",
    "split_sentences": "segment",
    "sentence_spans": "segment",
    "learned_abbreviations": "segment",
    "load_engine": "engines",
    "Engine": "engines",
    "Glossary": "glossary",
    "Settings": "config",
    "load_settings": "config",
    "Document": "document",
    "Sentence": "document",
    "AlignedPair": "document",
    "Hypothesis": "document",
    "Result": "document",
    "RunMeta": "document",
    "read_document": "document",
    "read_input": "readers",
    "Block": "markup",
    "Span": "markup",
    "Placed": "markup",
    "TranslateError": "errors",
    "InputError": "errors",
    "ModelError": "errors",
    "UsageError": "errors",
    "EngineError": "errors",
}

__all__ = [
    "AlignedPair",
    "Block",
    "Document",
    "Engine",
    "EngineError",
    "Flag",
    "Glossary",
    "Hypothesis",
    "InputError",
    "Job",
    "ModelError",
    "Outcome",
    "Placed",
    "Result",
    "RunMeta",
    "RunReport",
    "Runner",
    "Sentence",
    "Settings",
    "Span",
    "Status",
    "TranslateError",
    "Translator",
    "UsageError",
    "__version__",
    "learned_abbreviations",
    "load_engine",
    "load_settings",
    "read_document",
    "read_input",
    "run_paths",
    "sentence_spans",
    "split_sentences",
    "translate_file",
    "translate_text",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'translate_cli' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from .config import Settings, load_settings
    from .document import (
        AlignedPair,
        Document,
        Hypothesis,
        Result,
        RunMeta,
        Sentence,
        read_document,
    )
    from .engines import Engine, load_engine
    from .errors import EngineError, InputError, ModelError, TranslateError, UsageError
    from .glossary import Glossary
    from .inputs import Job
    from .markup import Block, Placed, Span
    from .readers import read_input
    from .runner import Outcome, Runner, RunReport, run_paths, translate_file, translate_text
    from .segment import learned_abbreviations, sentence_spans, split_sentences
    from .translator import Translator
    from .vocabulary import Flag, Status
