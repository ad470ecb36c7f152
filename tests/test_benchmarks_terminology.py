"""``benchmarks/terminology.py`` on the fakes: its tallies and its explanations of misses.

The benchmark reads ``../shared/data/articles`` (beside dev checkouts and CI
only); without it the run is skipped. The explanations are tested on their own.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.fakes import FakeEngine

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import terminology

    return terminology


def _rows(output: str, heading: str) -> dict[str, list[str]]:
    """The rows of the markdown table under ``heading``, by first cell."""
    section = output.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("|").split("|") for line in section.splitlines() if line.startswith("| ")]
    return {cells[0].strip(): [c.strip() for c in cells[1:]] for cells in rows[1:]}


def test_fakes_render_every_term_and_cost_something(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    from _terminology import ARTICLES

    if not ARTICLES.is_dir():
        pytest.skip(f"{ARTICLES} absent: ../shared is only beside CI and dev checkouts")
    assert bench.main(["--engines", "fake-identity,fake-upper", "--repeats", "1"]) == 0
    output = capsys.readouterr().out
    terms = _rows(output, "## Terms rendered as required")
    assert set(terms) == {"fake-identity", "fake-upper"}
    # The English goes into the fakes' input and comes back (upper case counts):
    # every occurrence present, none restored (fakes cannot align), none missing.
    for cells in terms.values():
        sentences, held, occurrences, baseline, required, restored, missing, flagged = cells
        assert int(sentences) > int(held) > 0
        assert int(occurrences) >= int(held)
        assert required == "100.0 %"
        assert (restored, missing, flagged) == ("0", "0", "0")
        assert float(baseline.removesuffix(" %")) < 100
    # Case is ignored when checking, so the two fakes' baselines agree.
    assert terms["fake-identity"][3] == terms["fake-upper"][3]
    cost = _rows(output, "## Cost of `align()`")
    assert set(cost) == {"fake-identity", "fake-upper"}
    assert "No term missing on any engine." in output


def test_why_names_characters_the_engine_cannot_write(bench: ModuleType) -> None:
    miss = bench.Miss("la World Bank a dit", "la orld Bank a dit", 1)
    assert bench.why(FakeEngine(unknown="W"), "World Bank", miss) == "cannot write `W`"


@pytest.mark.parametrize(
    ("target", "where", "at"),
    [
        ("un deux trois X Y six", "at", 4),
        ("un deux zzz", "before", 3),
        ("un deux trois Foo Bar sept", "after", 6),
        ("un deux trois", "at", 4),
    ],
)
def test_why_says_where_the_copy_broke_down(
    bench: ModuleType, target: str, where: str, at: int
) -> None:
    miss = bench.Miss("un deux trois Foo Bar six", target, 3)
    reason = bench.why(FakeEngine(), "Foo Bar", miss)
    words = len(target.split())
    assert reason == (
        f"copy broke down at word {at} of 6, {where} the term (word 4); output {words} words"
    )
