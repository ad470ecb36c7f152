"""Shared fixtures: offline Marian models and paths to the shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEED = SAMPLES / "deconfliction.fr.txt"
SHARED = ROOT.parent / "shared"
COPY_MODEL = Path(__file__).resolve().parent / "fixtures" / "copy-marian"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep converted models out of the user's real cache during tests."""
    import os

    os.environ["TRANSLATE_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own user data folder, hence its own translation memory."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when a user's clone lacks it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared is only beside CI and dev checkouts")
    return path


def _vocab_texts() -> list[str]:
    return [line for p in sorted(SAMPLES.glob("*.txt")) for line in p.read_text().splitlines()]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Marian model (noise output) that stops after 8 tokens."""
    from tests.support.offline_models import build_tiny_random

    out = tmp_path_factory.mktemp("tiny-marian")
    # A fixed output length: random weights never emit </s> by themselves, and
    # a hypothesis that stops at the cap would be flagged truncated and retried.
    return build_tiny_random(out, texts=_vocab_texts(), max_new_tokens=8, min_new_tokens=8)


@pytest.fixture(scope="session")
def short_limit_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Marian model that accepts only 32 source tokens."""
    from tests.support.offline_models import build_tiny_random

    out = tmp_path_factory.mktemp("tiny-marian-32")
    return build_tiny_random(
        out,
        texts=_vocab_texts(),
        max_position_embeddings=32,
        max_new_tokens=6,
        min_new_tokens=6,
    )


@pytest.fixture(scope="session")
def copy_model() -> Path:
    """The committed tiny model trained to copy its input (tests/build_copy_model.py)."""
    if not (COPY_MODEL / "config.json").is_file():
        pytest.fail(f"{COPY_MODEL} missing: run python tests/build_copy_model.py")
    return COPY_MODEL


@pytest.fixture(scope="session")
def tmx_dtd() -> Path:
    return shared_path("data", "tmx", "tmx14.dtd")


def slow_corpus_command(tmp_path: Path, model: Path, files: int) -> list[str]:
    """A folder of distinct articles and a ``translate`` command slow enough to kill.

    Small batches and one thread stretch the run over many windows, so a kill
    lands between files; the memory is off so every run really translates.
    Returns the command without ``-o``.
    """
    import sys

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = (SAMPLES / "marche-lyon.fr.txt").read_text()
    for i in range(files):
        (corpus / f"doc{i:02d}.txt").write_text(text.replace("Lyon", f"Lyon {i}"))
    return [
        *(sys.executable, "-m", "translate_cli", str(corpus), "--model", str(model)),
        *("--engine", "transformers", "--batch-tokens", "64", "--threads", "1", "-q", "--no-tm"),
    ]
