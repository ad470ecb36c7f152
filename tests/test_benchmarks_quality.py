"""``benchmarks/quality.py`` with the copy model: its tables, signatures and refusals.

The copy model's "translation" is its French input, so its BLEU against
English is low; what is checked is that the right lines are scored against
the right references, that engines are compared, and that bad input is
refused before any model loads. Runs that need flores101-devtest skip when
``../shared`` is absent.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from .conftest import COPY_MODEL, shared_path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
BLEU_SIGNATURE = "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:"
CHRF_SIGNATURE = "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:"

pytest.importorskip("sacrebleu", reason="sacrebleu is the test extra's (pip install -e '.[test]')")


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import quality

    return quality


def _tables(output: str) -> dict[str, dict[str, dict[str, str]]]:
    """Each test set's table: {set name: {engine: {column: cell}}}."""
    tables: dict[str, dict[str, dict[str, str]]] = {}
    for section in output.split("\n## ")[1:]:
        name = section.split(" (", 1)[0]
        rows = [
            [c.strip() for c in line.strip().strip("|").split("|")]
            for line in section.splitlines()
            if line.startswith("| ")
        ]
        head = rows[0]
        tables[name] = {row[0]: dict(zip(head, row, strict=True)) for row in rows[1:]}
    return tables


def _pair(tmp_path: Path, french: list[str], english: list[str]) -> tuple[str, str]:
    fr, en = tmp_path / "test.fr", tmp_path / "test.en"
    fr.write_text("\n".join(french) + "\n", encoding="utf-8")
    en.write_text("\n".join(english) + "\n", encoding="utf-8")
    return str(fr), str(en)


def test_compare_on_flores_scores_agreement_and_signatures(bench, capsys):
    from sacrebleu.metrics import CHRF

    flores = shared_path("data", "parallel", "flores101-devtest")
    argv = ["--model", str(COPY_MODEL), "--compare", "--limit", "12", "--threads", "1"]
    assert bench.main([*argv, "--quiet"]) == 0
    output = capsys.readouterr().out
    table = _tables(output)["flores101-devtest"]
    assert {"transformers", "ctranslate2 float32"} <= set(table)
    assert any(row.startswith("ctranslate2 int8") for row in table)
    assert any(row.startswith("ctranslate2 int16") for row in table)
    reference, fast = table["transformers"], table["ctranslate2 float32"]
    assert reference["identical to transformers"] == "100.0%"
    # The copy model's float32 conversion gives transformers' outputs.
    assert float(fast["identical to transformers"].removesuffix("%")) >= 90
    assert reference["lines"] == fast["lines"] == "12"
    # The scores are those of the copied French against the English of the same lines:
    # chrF of the French itself (a misaligned reference would score far lower).
    french = (flores / "fra.devtest").read_text(encoding="utf-8").splitlines()[:12]
    english = (flores / "eng.devtest").read_text(encoding="utf-8").splitlines()[:12]
    expected = CHRF().corpus_score(french, [english]).score
    assert abs(float(reference["chrF"]) - expected) < 3, (reference["chrF"], expected)
    assert output.count(f"BLEU signature: {BLEU_SIGNATURE}") == 1
    assert output.count(f"chrF signature: {CHRF_SIGNATURE}") == 1
    assert "COMET: skipped: " in output or "COMET: scored" in output


@pytest.mark.parametrize("whole", [False, True], ids=["sentences", "whole-lines"])
def test_a_pair_is_scored_without_shared_data(bench, capsys, tmp_path, whole):
    lines = [
        "Le maire de Lyon a annoncé un plan de rénovation.",
        "Il pleut depuis trois jours. Les routes sont fermées.",
        "* * *",
        "La séance est levée à 18 h 30.",
    ]
    fr, en = _pair(tmp_path, lines, lines)
    argv = ["--model", str(COPY_MODEL), "--no-flores", "--pair", fr, en, "--engine"]
    argv += ["ctranslate2", "--compute-type", "float32", "--quiet"]
    assert bench.main(argv + (["--whole-lines"] if whole else [])) == 0
    output = capsys.readouterr().out
    (row,) = _tables(output)["test.fr"].values()
    assert row["engine"] == "ctranslate2 float32"
    assert "identical to transformers" not in row  # one engine: nothing to compare
    assert row["lines"] == "4"
    # The copy model copies: its output is (nearly) the reference itself.
    assert float(row["chrF"]) > 90
    assert ("each line one segment" in output) == whole


def test_pair_with_mismatched_line_counts_is_one_line_before_any_model(bench, capsys, tmp_path):
    fr, en = _pair(tmp_path, ["Un.", "Deux.", "Trois."], ["One.", "Two."])
    argv = ["--model", str(tmp_path / "no-such-model"), "--no-flores", "--pair", fr, en]
    assert bench.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"quality: {fr} has 3 lines but {en} has 2: the files must be aligned line by line"
    ]


def test_missing_pair_file_is_one_line(bench, capsys, tmp_path):
    fr = tmp_path / "absent.fr"
    assert bench.main(["--no-flores", "--pair", str(fr), str(fr)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"quality: {fr}: No such file or directory"]


def test_nothing_to_measure_is_refused(bench, capsys):
    assert bench.main(["--no-flores"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("quality: nothing to measure: ")


def test_model_that_loads_nowhere_is_exit_1(bench, capsys, tmp_path):
    lines = ["Bonjour."]
    fr, en = _pair(tmp_path, lines, lines)
    argv = ["--model", str(tmp_path / "nothing"), "--no-flores", "--pair", fr, en, "--quiet"]
    assert bench.main([*argv, "--engine", "transformers"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("quality: transformers: ") and "not found" in line


def test_comet_without_unbabel_comet_says_why(bench, tmp_path):
    import importlib.util

    if importlib.util.find_spec("comet") is not None:
        pytest.skip("unbabel-comet is installed here")
    assert bench.comet_status(tmp_path) == (
        "unbabel-comet is not installed (pip install unbabel-comet)"
    )


def test_flores_is_skipped_with_a_reason_when_shared_is_absent(bench, monkeypatch, tmp_path):
    monkeypatch.setattr(bench, "FLORES", tmp_path / "flores101-devtest")
    lines = ["Bonjour."]
    fr, en = _pair(tmp_path, lines, lines)
    args = bench.parse(["--pair", fr, en])
    sets, notes = bench.test_sets(args)
    assert [s.name for s in sets] == ["test.fr"]
    assert notes == [f"flores101-devtest skipped: {tmp_path / 'flores101-devtest'} not found"]
