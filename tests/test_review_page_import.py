"""Importing the review page's corrections file: the same checks as the TSV.

The rows are made the way the page's script makes them, from what the page
embeds (``data-check``, the row's id, the document's ``data-doc``, the cell
texts), so these tests also hold the page and the reader to one contract.
The browser itself is exercised in tests/test_review_page.py.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from translate_cli.batching import sentence_key
from translate_cli.document import AlignedPair, Document, Result, RunMeta
from translate_cli.errors import InputError
from translate_cli.memory import TranslationMemory
from translate_cli.review import import_reviewed, read_page_rows
from translate_cli.writers import get_writer
from translate_cli.writers.html import CORRECTIONS_FORMAT, CORRECTIONS_VERSION

META = RunMeta("0.1.0", "model-x", "rev-1", "fake", 4, "2026-11-24T20:15:00Z")
SOURCES = ["Le maire est venu.", "Il pleut.", "Le marché rouvre.", "Les habitants sont contents."]


def result() -> Result:
    pairs = tuple(AlignedPair(i // 2, i % 2, s, s.upper(), (), -0.5) for i, s in enumerate(SOURCES))
    return Result(Document("doc.fr.txt", ("a", "b"), "\n\n", "utf-8", "abc"), pairs, META)


def page_rows(page: str) -> list[dict]:
    """Every row as the page's export writes it, target unedited and not reviewed."""
    doc = lxml_html.document_fromstring(page)
    rows = []
    for section in doc.xpath("//section[@data-doc]"):
        for row in section.xpath(".//tr[@data-check]"):
            paragraph, sentence = re.search(r"-p(\d+)-s(\d+)$", row.get("id")).groups()
            cells = row.findall("td")
            rows.append(
                {
                    "doc": section.get("data-doc"),
                    "paragraph": int(paragraph),
                    "sentence": int(sentence),
                    "source": cells[1].text_content(),
                    "target": cells[2].text_content(),
                    "check": row.get("data-check"),
                    "reviewed": False,
                }
            )
    return rows


def corrections(path: Path, rows: list, **top: object) -> Path:
    data = {"format": CORRECTIONS_FORMAT, "version": CORRECTIONS_VERSION, "rows": rows, **top}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def rows() -> list[dict]:
    buffer = io.StringIO()
    get_writer("html").write([result()], buffer)
    return page_rows(buffer.getvalue())


def test_edited_and_reviewed_rows_import_and_checks_reject_the_rest(rows, tmp_path):
    rows[0]["target"] = "The mayor came."  # edited
    rows[1]["reviewed"] = True  # approved as it stands
    rows[2]["source"] = "Le marché rouvre enfin."  # source edited
    rows[2]["target"] = "The market reopens at last."
    unchanged = dict(rows[3])
    # Row 4's cells under row 2's check: cells moved between rows.
    moved = dict(rows[3], check=rows[1]["check"], target="Moved.")
    path = corrections(tmp_path / "doc.corrections.json", [*rows[:3], unchanged, moved])
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(path, memory)
        stored = memory.lookup([sentence_key(s) for s in SOURCES[:3]], "any")
    assert (report.imported, report.unchanged) == (2, 1)
    assert report.rejected == [
        f"{path}:3: source, document or position changed since export; not imported",
        f"{path}:5: moved row: its cells belong to the row whose check is on line 4 "
        "(cells moved between rows); not imported",
    ]
    assert stored[sentence_key(SOURCES[0])].target == "The mayor came."
    assert stored[sentence_key(SOURCES[1])].target == SOURCES[1].upper()
    assert sentence_key(SOURCES[2]) not in stored


def test_read_page_rows_gives_rows_numbered_from_one(rows, tmp_path):
    rows[1]["reviewed"] = True
    read = list(read_page_rows(corrections(tmp_path / "c.json", rows)))
    assert [(r.line, r.paragraph, r.sentence, r.reviewed) for r in read] == [
        (1, 1, 1, False),
        (2, 1, 2, True),
        (3, 2, 1, False),
        (4, 2, 2, False),
    ]
    assert [r.source for r in read] == SOURCES


@pytest.mark.parametrize(
    ("row", "bad"),
    [
        ("not a row", "doc, paragraph, sentence, source, target, check, reviewed"),
        ({"doc": None, "paragraph": "1"}, "doc, paragraph"),
        ({"paragraph": "1"}, "paragraph"),
        ({"reviewed": "yes"}, "reviewed"),
        ({"sentence": True}, "sentence"),  # a boolean is not a number here
        ({"target": None}, "target"),
    ],
)
def test_a_malformed_row_is_reported_not_imported(rows, tmp_path, row, bad):
    broken = dict(rows[0], **row) if isinstance(row, dict) else row
    if isinstance(broken, dict) and broken["doc"] is None:
        del broken["doc"]  # missing, not null
    path = corrections(tmp_path / "c.json", [broken, dict(rows[1], target="Rain.")])
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(path, memory)
    assert report.imported == 1
    assert report.rejected == [
        f"{path}:1: not a row of the review page (bad or missing: {bad}); not imported"
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xff\xfe not utf-8 \xff", "not UTF-8 text"),
        (b"{not json", "not JSON"),
        (b"[]", "not corrections exported from a translate-cli review page"),
        (b'{"format": "something else", "version": 1, "rows": []}', "not corrections"),
        (
            json.dumps({"format": CORRECTIONS_FORMAT, "version": 2, "rows": []}).encode(),
            "version 2; this translate reads version 1",
        ),
        (json.dumps({"format": CORRECTIONS_FORMAT, "version": 1}).encode(), "without a list"),
    ],
)
def test_a_file_that_is_not_page_corrections_is_refused(tmp_path, content, reason):
    path = tmp_path / "c.json"
    path.write_bytes(content)
    with TranslationMemory(tmp_path / "tm.sqlite") as memory, pytest.raises(InputError) as info:
        import_reviewed(path, memory)
    assert reason in str(info.value)
    assert str(path) in str(info.value)


def test_a_missing_file_names_itself(tmp_path):
    with TranslationMemory(tmp_path / "tm.sqlite") as memory, pytest.raises(InputError) as info:
        import_reviewed(tmp_path / "absent.json", memory)
    assert "absent.json" in str(info.value)


def test_a_byte_order_mark_is_accepted(rows, tmp_path):
    path = corrections(tmp_path / "c.json", [dict(rows[0], target="The mayor came.")])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        assert import_reviewed(path, memory).imported == 1


def test_reviewed_pairs_are_not_counted_as_flagged() -> None:
    """``reviewed`` is good news: no red bar, not in the flagged count."""
    pairs = (
        AlignedPair(0, 0, "Il pleut.", "It rains.", ("reviewed",), -0.1),
        AlignedPair(0, 1, "Il vente.", "Il vente.", ("untranslated",), -0.1),
    )
    doc = Result(Document("doc.fr.txt", ("a",), "\n\n", "utf-8", "abc"), pairs, META)
    buffer = io.StringIO()
    get_writer("html").write([doc], buffer)
    page = lxml_html.document_fromstring(buffer.getvalue())
    rows = page.xpath("//tr[@data-check]")
    assert ["flagged" in row.get("class").split() for row in rows] == [False, True]
    assert "2 pairs · 1 flagged" in page.text_content()
