"""What a run uses and records: the run plan, its memory context and its metadata.

A :class:`RunPlan` is known before the model is loaded (from the settings and
the model's files), which lets a run decide what is up to date, and key the
translation memory, without loading anything. It is also the only way the
provenance written into outputs (:class:`~translate_cli.document.RunMeta`) is
computed, whether the plan came from settings or from an engine already
loaded by a library user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ._version import __version__
from .config import Settings
from .document import RunMeta
from .engines import Engine, pick_engine
from .engines.marian_files import read_generation
from .engines.normalize import NORMALIZATION_OFF, normalization_label

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
    """

    model: str
    revision: str
    engine: str
    beams: int
    compute_type: str = ""
    normalize: bool = False

    @classmethod
    def of(cls, engine: Engine) -> RunPlan:
        """The plan of an already loaded engine (the Python API's path)."""
        compute = engine.details.get("compute_type", "")
        normalize = engine.details.get("normalize", NORMALIZATION_OFF) != NORMALIZATION_OFF
        return cls(engine.model, engine.revision, engine.name, engine.beams, compute, normalize)

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
            extra={**(details or {}), "normalize": normalization_label(self.normalize)},
        )


def plan_run(settings: Settings, source: ModelSource) -> RunPlan:
    """Resolve the engine and beam size from settings and the model's files.

    Raises:
        ModelError: The model's generation config cannot be read.
    """
    beams = settings.beams or read_generation(source.path).num_beams
    engine = pick_engine(settings.engine)
    compute = settings.compute_type if engine == "ctranslate2" else ""
    return RunPlan(settings.model, source.revision, engine, beams, compute, settings.normalize)


def engine_meta(engine: Engine, date: str | None = None) -> RunMeta:
    """Provenance for outputs of an already loaded engine, dated now by default."""
    return RunPlan.of(engine).meta(date or utc_now(), engine.details)
