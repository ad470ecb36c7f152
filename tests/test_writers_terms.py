"""Glossary terms in the outputs: the review page, JSONL (and --combined from it), XLIFF notes.

Results are built by hand with :class:`TermUse` values; no glossary is read.
TSV, Moses, TMX and the workbook do not carry terms (their columns are fixed).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import PurePath

import pytest
from lxml import etree

from tests.test_html_xliff import (
    X,
    check_xliff_structure,
    having,
    parse_html,
    parse_xliff,
    relative_luminance,
    render,
)
from translate_cli.document import AlignedPair, Document, Result, RunMeta, TermUse
from translate_cli.memory import TranslationMemory
from translate_cli.outputs import write_combined_from_outputs, write_outputs
from translate_cli.review import import_reviewed
from translate_cli.vocabulary import TermStatus
from translate_cli.writers.html import TERM_STATUS_COLOURS
from translate_cli.writers.text import read_jsonl, terms_from_records

META = RunMeta("0.1.0", "model-x", "rev-1", "fake", 4, "2026-11-24T20:15:00Z")
HOSTILE = 'a <b>&amp; "q" </td></tr>'

NUCLEAR = TermUse(
    "centrale nucléaire", "nuclear power plant", TermStatus.MISSING, "EDF usage, not 'station'"
)
REACTOR = TermUse("réacteur", "reactor", TermStatus.RESTORED)
EDF = TermUse("EDF", "EDF", TermStatus.PRESENT, "do not translate")


def terms_result(name: str = "doc.fr.txt") -> Result:
    """Three pairs: two terms (one missing), one restored term, none."""
    pairs = (
        AlignedPair(
            0,
            0,
            "La centrale nucléaire d'EDF ferme.",
            "The EDF nuclear plant closes.",
            ("term",),
            -0.3,
            terms=(NUCLEAR, EDF),
        ),
        AlignedPair(
            0, 1, "Le réacteur est froid.", "The reactor is cold.", (), -0.2, None, (REACTOR,)
        ),
        AlignedPair(1, 0, "Rien à signaler.", "Nothing to report.", (), -0.1),
    )
    return Result(Document(name, ("p1", "p2"), "\n\n", "utf-8", "ab" * 32), pairs, META)


def without_terms(result: Result) -> Result:
    return replace(result, pairs=tuple(replace(p, terms=()) for p in result.pairs))


# --- The review page ---------------------------------------------------------


def term_items(page: str, row_id: str) -> list[etree._Element]:
    row = parse_html(page).get_element_by_id(row_id)
    return row.xpath("./td[@class='src']/ul[@class='terms']/li")


def test_html_lists_a_pairs_terms_under_its_source_with_status_in_words():
    page = render("html", terms_result())
    items = term_items(page, "d1-p1-s1")
    assert [" ".join(li.text_content().split()) for li in items] == [
        "missing centrale nucléaire → nuclear power plant EDF usage, not 'station'",
        "present EDF → EDF do not translate",
    ]
    missing, present = items
    assert missing.get("class") == "term t-missing"
    assert present.get("class") == "term t-present"
    # The status is a word on a label, with what it means as its tooltip.
    label = having(missing, "span", "ts")[0]
    assert label.text == "missing"
    assert "not in the translation" in label.get("title")
    # Each side in its language; the note in small type.
    assert [s.get("lang") for s in missing.xpath("./span[@lang]")] == ["fr", "en"]
    assert missing.xpath("./small[@class='tn']")[0].text == "EDF usage, not 'station'"
    (restored,) = term_items(page, "d1-p1-s2")
    assert restored.text_content().startswith("restored réacteur → reactor")
    # No note, no small text.
    assert restored.xpath("./small") == []


def test_html_pairs_without_terms_are_written_as_before():
    result = terms_result()
    page = render("html", result)
    plain = render("html", without_terms(result))
    assert "<ul" not in plain
    assert term_items(page, "d1-p2-s1") == []
    # Row by row, the markup differs only by the list in the source cell.
    rows = [line for line in page.splitlines() if line.startswith('<tr class="pair')]
    before = [line for line in plain.splitlines() if line.startswith('<tr class="pair')]
    assert rows[2] == before[2]
    for row, old in zip(rows[:2], before[:2], strict=True):
        start, end = row.index('<ul class="terms"'), row.index("</ul>") + len("</ul>")
        assert row[:start] + row[end:] == old


def test_html_term_source_target_and_note_are_escaped():
    term = TermUse(HOSTILE, HOSTILE + " <script>alert(1)</script>", TermStatus.MISSING, HOSTILE)
    pair = AlignedPair(0, 0, "Source.", "Target.", ("term",), -0.5, terms=(term,))
    page = render("html", Result(Document("d.fr.txt", ("p",)), (pair,), META))
    assert HOSTILE not in page and "<script>alert" not in page
    assert "a &lt;b&gt;&amp;amp; &quot;q&quot; &lt;/td&gt;&lt;/tr&gt;" in page
    doc = parse_html(page)
    assert len(doc.xpath("//script")) == 1  # the page's own
    (item,) = term_items(page, "d1-p1-s1")
    spans = item.xpath("./span[@lang]")
    assert [s.text for s in spans] == [HOSTILE, HOSTILE + " <script>alert(1)</script>"]
    assert item.xpath("./small")[0].text == HOSTILE
    # The row is still one row of five cells.
    assert len(doc.get_element_by_id("d1-p1-s1").xpath("./td")) == 5


def test_html_legend_explains_the_terms_list():
    doc = parse_html(render("html", terms_result()))
    text = " ".join(doc.get_element_by_id("terms-help").text_content().split())
    assert text.startswith("Glossary terms: with a glossary,")
    for status in TermStatus:
        assert f"{status.capitalize()}: " in text


@pytest.mark.parametrize("status", list(TermStatus))
def test_term_status_colours_have_enough_contrast(status):
    background, text = (relative_luminance(c) for c in TERM_STATUS_COLOURS[status])
    ratio = (max(background, text) + 0.05) / (min(background, text) + 0.05)
    assert ratio >= 7, f"{status}: contrast {ratio:.1f}:1"


def test_html_styles_every_term_status():
    style = parse_html(render("html", terms_result())).xpath("//style")[0].text
    for status in TermStatus:
        assert f".ts-{status}{{background:" in style


# --- JSONL ---------------------------------------------------------------------


def jsonl_records(result: Result) -> list[dict]:
    return [json.loads(line) for line in render("jsonl", result).splitlines()]


def test_jsonl_pairs_carry_their_terms_note_only_when_there_is_one():
    records = jsonl_records(terms_result())
    assert records[1]["terms"] == [
        {
            "source": "centrale nucléaire",
            "target": "nuclear power plant",
            "status": "missing",
            "note": "EDF usage, not 'station'",
        },
        {"source": "EDF", "target": "EDF", "status": "present", "note": "do not translate"},
    ]
    assert records[2]["terms"] == [
        {"source": "réacteur", "target": "reactor", "status": "restored"}
    ]
    assert "terms" not in records[3]


def test_jsonl_without_terms_is_unchanged():
    """No glossary, no ``terms`` key: the lines are those written before glossaries."""
    lines = render("jsonl", without_terms(terms_result())).splitlines()
    assert lines[3] == (
        '{"type": "pair", "doc": "doc.fr.txt", "paragraph": 2, "sentence": 1, '
        '"source": "Rien à signaler.", "target": "Nothing to report.", "flags": [], '
        '"score": -0.1}'
    )
    assert not any('"terms"' in line for line in lines)


def test_jsonl_terms_read_back(tmp_path):
    path = tmp_path / "doc.fr-en.jsonl"
    result = terms_result()
    path.write_text(render("jsonl", result), encoding="utf-8")
    (back,) = read_jsonl(path)
    assert back.pairs == result.pairs
    assert back.pairs[0].terms == (NUCLEAR, EDF)
    assert isinstance(back.pairs[0].terms[0].status, TermStatus)


@pytest.mark.parametrize(
    "value",
    [
        "centrale",
        [["centrale", "plant", "missing"]],
        [{"source": "a", "target": "b"}],
        [{"source": "a", "target": "b", "status": "gone"}],
        [{"source": "a", "target": 1, "status": "present"}],
        [{"source": "a", "target": "b", "status": "present", "note": None}],
    ],
)
def test_damaged_terms_are_refused(value):
    with pytest.raises(ValueError):
        terms_from_records(value)


def test_combined_outputs_keep_the_terms(tmp_path):
    """--combined reads the per-input JSONL: the combined page still lists the terms."""
    first, second = terms_result("a.fr.txt"), terms_result("b.fr.txt")
    second = replace(second, pairs=second.pairs[1:])
    for result in (first, second):
        write_outputs(result, tmp_path, PurePath(result.document.name), ["jsonl"])
    write_combined_from_outputs(tmp_path, [PurePath("a.fr.txt"), PurePath("b.fr.txt")], "all")
    page = (tmp_path / "all.review.html").read_text(encoding="utf-8")
    assert [li.get("class") for li in term_items(page, "d1-p1-s1")] == [
        "term t-missing",
        "term t-present",
    ]
    (restored,) = term_items(page, "d2-p1-s2")
    assert restored.text_content().startswith("restored réacteur → reactor")
    assert term_items(page, "d2-p2-s1") == []


# --- XLIFF -----------------------------------------------------------------------


def test_xliff_notes_each_term_in_the_qa_notes_style():
    root = parse_xliff(render("xliff", terms_result()))
    check_xliff_structure(root)
    notes = [(n.get("id"), n.get("category"), n.text) for n in root.iter(X + "note")]
    assert notes[1:] == [
        ("p1-s1-qa", "qa", "sentence 1: flags term; score -0.3000"),
        (
            "p1-s1-term1",
            "term",
            "sentence 1: term centrale nucléaire → nuclear power plant (missing); "
            "note: EDF usage, not 'station'",
        ),
        ("p1-s1-term2", "term", "sentence 1: term EDF → EDF (present); note: do not translate"),
        ("p1-s2-qa", "qa", "sentence 2: score -0.2000"),
        ("p1-s2-term1", "term", "sentence 2: term réacteur → reactor (restored)"),
        ("p2-s1-qa", "qa", "sentence 1: score -0.1000"),
    ]


def test_xliff_without_terms_is_unchanged():
    result = terms_result()
    plain = render("xliff", without_terms(result))
    assert 'category="term"' not in plain
    kept = [line for line in render("xliff", result).splitlines() if 'category="term"' not in line]
    assert kept == plain.splitlines()


def test_xliff_term_notes_are_escaped():
    term = TermUse(HOSTILE, "x\x07y", TermStatus.MISSING, "]]> & <!--")
    pair = AlignedPair(0, 0, "Source.", "Target.", ("term",), None, terms=(term,))
    root = parse_xliff(render("xliff", Result(Document("d.fr.txt", ("p",)), (pair,), META)))
    check_xliff_structure(root)
    (note,) = [n for n in root.iter(X + "note") if n.get("category") == "term"]
    assert note.text == f"sentence 1: term {HOSTILE} → x\ufffdy (missing); note: ]]> & <!--"


def test_xliff_with_term_notes_imports_as_reviewed(tmp_path):
    path = tmp_path / "doc.fr-en.xlf"
    path.write_text(render("xliff", terms_result()), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    edited = text.replace(
        "<target>The EDF nuclear plant closes.</target>",
        "<target>The EDF nuclear power plant closes.</target>",
    )
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(path, memory)
    assert (report.imported, report.unchanged, report.rejected) == (1, 2, [])


def test_formats_with_fixed_columns_do_not_change(tmp_path):
    result = terms_result()
    for fmt in ("tsv", "tmx", "txt"):
        assert render(fmt, result) == render(fmt, without_terms(result)), fmt
