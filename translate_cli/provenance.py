"""What a run uses and records: the run plan, its memory context and its metadata.

A :class:`RunPlan` is known before the model is loaded (from the settings and
the model's files), which lets a run decide what is up to date, and key the
translation memory, without loading anything. It is also the only way the
provenance written into outputs (:class:`~translate_cli.document.RunMeta`) is
computed, whether the plan came from settings or from an engine already
loaded by a library user.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ._version import __version__
from .config import DEFAULT_SOURCE_LANG, DEFAULT_TARGET_LANG, Settings
from .document import RunMeta
from .engines import Engine, pick_engine
from .engines.marian_files import read_generation, read_languages
from .engines.normalize import NORMALIZATION_OFF, normalization_label
from .errors import LanguageWarning

if TYPE_CHECKING:
    from .models import ModelSource


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second (``2026-11-30T03:21:56Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class RunPlan:
    """What a run will use, known before the model is loaded.

    Attributes:
        model: Model id or path as given.
        revision: Hub commit or local content fingerprint.
        engine: Engine name (``auto`` resolved).
        beams: Beam size in effect.
        compute_type: CTranslate2 compute type as set ("" for other engines).
        normalize: Whether the engine gives the model OPUS-MT-normalised input
            (``Settings.normalize``; False for an engine that does not say).
        source_lang: The model's source language, a BCP 47 tag
            (:func:`~translate_cli.engines.marian_files.read_languages`).
        target_lang: The model's target language.
    """

    model: str
    revision: str
    engine: str
    beams: int
    compute_type: str = ""
    normalize: bool = False
    source_lang: str = DEFAULT_SOURCE_LANG
    target_lang: str = DEFAULT_TARGET_LANG

    @classmethod
    def of(cls, engine: Engine) -> RunPlan:
        """The plan of an already loaded engine (the Python API's path).

        The languages are the engine's ``languages`` attribute (both engines
        read them from the model); an engine without one is taken to
        translate French into English.
        """
        compute = engine.details.get("compute_type", "")
        normalize = engine.details.get("normalize", NORMALIZATION_OFF) != NORMALIZATION_OFF
        source, target = getattr(engine, "languages", (DEFAULT_SOURCE_LANG, DEFAULT_TARGET_LANG))
        return cls(
            engine.model,
            engine.revision,
            engine.name,
            engine.beams,
            compute,
            normalize,
            source,
            target,
        )

    @property
    def memory_context(self) -> str:
        """Translation-memory context: the settings that change a translation.

        Normalised input adds ``|norm=...``; without it the context is the one
        earlier versions, which never normalised, stored their entries under.
        """
        compute = f"|{self.compute_type}" if self.compute_type else ""
        norm = f"|norm={normalization_label(True)}" if self.normalize else ""
        return f"{self.model}@{self.revision}|{self.engine}{compute}|beams={self.beams}{norm}"

    def meta(self, date: str, details: dict[str, str] | None = None) -> RunMeta:
        """Provenance for outputs: this plan, the tool version, ``date`` and
        the engine's ``details`` (device, compute type, library versions)."""
        return RunMeta(
            tool_version=__version__,
            model=self.model,
            revision=self.revision,
            engine=self.engine,
            beams=self.beams,
            date=date,
            source_lang=self.source_lang,
            target_lang=self.target_lang,
            extra={**(details or {}), "normalize": normalization_label(self.normalize)},
        )


def plan_run(settings: Settings, source: ModelSource) -> RunPlan:
    """Resolve the engine, beam size and languages from settings and the model's files.

    A model whose source language is not French, or whose target is not
    English, is run all the same (its languages are recorded in the
    outputs), with a :class:`~translate_cli.errors.LanguageWarning`: the
    sentence splitter, the input normalisation and the review checks are
    tuned for French into English only.

    Raises:
        ModelError: The model's generation or tokenizer config cannot be read.
    """
    beams = settings.beams or read_generation(source.path).num_beams
    engine = pick_engine(settings.engine)
    compute = settings.compute_type if engine == "ctranslate2" else ""
    source_lang, target_lang = read_languages(source.path)
    warning = language_warning(settings.model, source_lang, target_lang)
    if warning:
        warnings.warn(warning, LanguageWarning, stacklevel=2)
    return RunPlan(
        settings.model,
        source.revision,
        engine,
        beams,
        compute,
        settings.normalize,
        source_lang,
        target_lang,
    )


def language_warning(model: str, source_lang: str, target_lang: str) -> str | None:
    """One line saying what is not tuned for a model's languages, or None for French → English.

    Args:
        model: The model as the user named it.
        source_lang: Its source language tag.
        target_lang: Its target language tag.
    """
    off = []
    if source_lang.split("-")[0] != DEFAULT_SOURCE_LANG:
        off.append(
            f"reads {source_lang!r}, but the sentence splitter and input normalisation "
            f"are tuned for French"
        )
    if target_lang.split("-")[0] != DEFAULT_TARGET_LANG:
        off.append(f"writes {target_lang!r}, but the review checks expect English")
    if not off:
        return None
    return (
        f"model {model} {' and '.join(off)} (languages from its tokenizer_config.json); "
        f"outputs are labelled {source_lang}→{target_lang}"
    )


def engine_meta(engine: Engine, date: str | None = None) -> RunMeta:
    """Provenance for outputs of an already loaded engine, dated now by default."""
    return RunPlan.of(engine).meta(date or utc_now(), engine.details)
