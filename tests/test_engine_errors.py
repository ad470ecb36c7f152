"""An engine that fails in the middle of a run gives one line and exit 1, never a traceback."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from typer.testing import CliRunner

from translate_cli import runner as runner_module
from translate_cli.cli import app
from translate_cli.document import Hypothesis
from translate_cli.errors import EngineError
from translate_cli.translator import Translator

from .conftest import COPY_MODEL, SEED
from .fakes import FakeEngine


class FailingEngine(FakeEngine):
    """Translates ``ok_batches`` batches, then raises what a real engine raises."""

    def __init__(self, error: Exception, ok_batches: int = 0) -> None:
        super().__init__()
        self.error = error
        self.ok_batches = ok_batches

    def translate_batch(self, texts: Sequence[str]) -> list[Hypothesis]:
        if len(self.batches) >= self.ok_batches:
            raise self.error
        return super().translate_batch(texts)


# What torch and CTranslate2 raise mid-run: CUDA out of memory is a
# RuntimeError subclass in torch, CTranslate2 raises RuntimeError and ValueError.
ERRORS = [
    RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB\n(GPU 0; 79.35 GiB total)"),
    ValueError("Input is too long: 9000 > 512"),
    MemoryError(),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_translator_turns_engine_failures_into_engine_error(error):
    translator = Translator(FailingEngine(error, ok_batches=1), batch_tokens=4)
    with pytest.raises(EngineError) as info:
        translator.translate([f"Phrase numéro {i}." for i in range(6)])
    message = str(info.value)
    assert message.startswith("fake-model: the fake engine failed: ")
    assert "\n" not in message
    assert info.value.__cause__ is error


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_cli_reports_engine_failure_in_one_line(error, tmp_path, monkeypatch):
    monkeypatch.setattr(
        runner_module, "load_engine", lambda settings, source=None: FailingEngine(error)
    )
    result = CliRunner().invoke(
        app, [str(SEED), "--model", str(COPY_MODEL), "--no-tm", "-o", str(tmp_path)]
    )
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("translate: error: ")
    assert "engine failed" in lines[0]
    assert "Traceback" not in result.output
    assert not list(tmp_path.glob("*.en.txt"))  # nothing half-written
