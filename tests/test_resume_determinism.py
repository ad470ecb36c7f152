"""A file's translation does not depend on which other files shared its batches.

The statement the README makes, checked with the default engine and compute
type on the CPU the test runs on: a resumed run, and a file translated alone,
give the same targets and flags as an uninterrupted folder run, and scores
that differ by at most :data:`SCORE_TOLERANCE` (floating-point summation
order changes with the padding of a batch).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from translate_cli.cli import app

from .conftest import COPY_MODEL, shared_path

# The README's stated limit: scores are written with 4 decimals, and a batch
# of another composition may move a score across a rounding boundary.
SCORE_TOLERANCE = 2e-4

runner = CliRunner()


def _articles(tmp_path: Path, count: int) -> list[Path]:
    articles = sorted(shared_path("data", "articles").glob("*.fr.txt"))[:count]
    folder = tmp_path / "corpus"
    folder.mkdir()
    for a in articles:
        shutil.copy(a, folder / a.name)
    return sorted(folder.iterdir())


def _run(paths: list[Path], out: Path, tm: Path) -> None:
    args = [*map(str, paths), "-o", str(out), "-f", "jsonl", "--tm", str(tm), "-q"]
    result = runner.invoke(app, [*args, "--model", str(COPY_MODEL)])
    assert result.exit_code == 0, result.output


def _pairs(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()][1:]


def _assert_same_translation(a: list[dict], b: list[dict]) -> None:
    assert [(p["source"], p["target"], p["flags"]) for p in a] == [
        (p["source"], p["target"], p["flags"]) for p in b
    ]
    for x, y in zip(a, b, strict=True):
        assert abs((x["score"] or 0) - (y["score"] or 0)) <= SCORE_TOLERANCE


@pytest.mark.parametrize("done_first", [1, 3])
def test_resumed_run_equals_an_uninterrupted_one(tmp_path, done_first):
    files = _articles(tmp_path, 5)
    whole = tmp_path / "whole"
    _run([files[0].parent], whole, tmp_path / "tm-whole.sqlite")
    # A run "killed" after its first files: they are written and their
    # sentences stored in the memory; the rerun takes the rest from there.
    resumed = tmp_path / "resumed"
    tm = tmp_path / "tm-resumed.sqlite"
    _run(files[:done_first], resumed, tm)
    _run([files[0].parent], resumed, tm)
    for f in files:
        name = f.name.removesuffix(".fr.txt") + ".fr-en.jsonl"
        _assert_same_translation(_pairs(whole / name), _pairs(resumed / name))


def test_a_file_alone_equals_the_same_file_in_a_folder_run(tmp_path):
    files = _articles(tmp_path, 4)
    folder_out = tmp_path / "folder"
    _run([files[0].parent], folder_out, tmp_path / "tm1.sqlite")
    for i, f in enumerate(files):
        alone = tmp_path / f"alone{i}"
        _run([f], alone, tmp_path / f"tm-alone{i}.sqlite")
        name = f.name.removesuffix(".fr.txt") + ".fr-en.jsonl"
        _assert_same_translation(_pairs(folder_out / name), _pairs(alone / name))
