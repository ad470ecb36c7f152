from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from translate_cli.document import AlignedPair, Document, Result, RunMeta
from translate_cli.writers import FORMATS, get_writer, output_paths, output_stem
from translate_cli.writers.text import TSV_COLUMNS, tsv_escape, tsv_unescape

META = RunMeta("0.1.0", "model-x", "rev-1", "fake", 4, "2026-11-24T20:15:00Z")


def make_result(pairs: list[tuple[str, str]], paragraphs: int = 2, name: str = "doc.txt"):
    doc = Document(name, tuple(f"p{i}" for i in range(paragraphs)), "\n\n", "utf-8", "abc")
    aligned = tuple(
        AlignedPair(i % paragraphs, i // paragraphs, s, t, ("split",) if i == 0 else (), -0.5)
        for i, (s, t) in enumerate(pairs)
    )
    return Result(doc, aligned, META)


def render(fmt: str, result: Result) -> list[str]:
    writer = get_writer(fmt)
    streams = [io.StringIO() for _ in writer.suffixes]
    writer.write([result], *streams)
    return [s.getvalue() for s in streams]


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain", "plain"),
        ("a\tb", "a\\tb"),
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\r\\nb"),
        ("back\\slash", "back\\\\slash"),
        ("\\t literal", "\\\\t literal"),
        ("line\u2028sep", "line\\u2028sep"),
        ("form\x0cfeed", "form\\u000cfeed"),
        ("« guillemets »", "« guillemets »"),
        ("", ""),
    ],
)
def test_tsv_escape_table(raw, escaped):
    assert tsv_escape(raw) == escaped
    assert tsv_unescape(escaped) == raw


@given(st.text())
def test_tsv_escape_round_trips_and_stays_on_one_line(text):
    escaped = tsv_escape(text)
    assert "\t" not in escaped
    assert len(escaped.splitlines()) <= 1
    assert tsv_unescape(escaped) == text


def test_tsv_is_rectangular_with_header():
    result = make_result([("a\tb", "x\ny"), ("c", "d"), ("e\r", "f\\")])
    (text,) = render("tsv", result)
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == list(TSV_COLUMNS)
    assert all(len(r) == len(TSV_COLUMNS) for r in rows)
    assert len(rows) == 4
    sources = [tsv_unescape(r[TSV_COLUMNS.index("source")]) for r in rows[1:]]
    assert sources == ["a\tb", "c", "e\r"]
    assert rows[1][TSV_COLUMNS.index("flags")] == "split"


def test_jsonl_has_meta_then_one_object_per_pair():
    result = make_result([("s1", "t1"), ("s2", "t2"), ("s3", "t3")])
    (text,) = render("jsonl", result)
    records = [json.loads(line) for line in text.splitlines()]
    assert records[0]["type"] == "meta"
    assert {"model", "revision", "engine", "beams", "tool_version", "date"} <= set(records[0])
    pairs = records[1:]
    assert [p["source"] for p in pairs] == ["s1", "s2", "s3"]
    assert [(p["paragraph"], p["sentence"]) for p in pairs] == [(1, 1), (2, 1), (1, 2)]
    assert pairs[0]["flags"] == ["split"]


def test_moses_files_are_line_aligned():
    result = make_result([("un\ndeux", "one two"), ("trois", ""), ("quatre", "four")])
    fr, en = render("moses", result)
    assert fr.splitlines() == ["un deux", "trois", "quatre"]
    assert en.splitlines() == ["one two", "", "four"]


def test_document_keeps_paragraphs_and_separator():
    result = make_result([("a", "A."), ("b", "B."), ("c", "C.")])
    (text,) = render("txt", result)
    assert text == "A. C.\n\nB.\n"


def test_tmx_validates_against_the_dtd(tmx_dtd):
    result = make_result([("Bonjour\x01 « toi ».", "Hello\x0b you."), ("Deux.", "Two.")])
    (text,) = render("tmx", result)
    root = etree.fromstring(text.encode("utf-8"))
    dtd = etree.DTD(str(tmx_dtd))
    assert dtd.validate(root), dtd.error_log.filter_from_errors()
    assert root.find("header").get("srclang") == "fr"
    tus = root.findall("body/tu")
    assert len(tus) == 2
    props = {p.get("type"): p.text for p in tus[0].findall("prop")}
    assert props["x-document"] == "doc.txt"
    assert props["x-paragraph"] == "1"
    header = {p.get("type"): p.text for p in root.findall("header/prop")}
    assert header["x-model"] == "model-x"
    assert header["x-revision"] == "rev-1"
    assert tus[0].find("tuv/seg").text == "Bonjour\ufffd « toi »."


@pytest.mark.parametrize(
    ("name", "stem", "ext"),
    [
        ("deconfliction.fr.txt", "deconfliction", ".txt"),
        ("article.txt", "article", ".txt"),
        ("notes.md", "notes", ".md"),
        ("README", "README", ".txt"),
        ("a.b.FR.txt", "a.b", ".txt"),
    ],
)
def test_output_stem(name, stem, ext):
    assert output_stem(name) == (stem, ext)


def test_output_names_mirror_relative_folders(tmp_path):
    from pathlib import PurePath

    writer = get_writer("moses")
    paths = output_paths(tmp_path, PurePath("a/b/x.fr.txt"), writer)
    assert paths == [tmp_path / "a/b/x.fr-en.fr", tmp_path / "a/b/x.fr-en.en"]


def test_every_format_has_a_distinct_suffix():
    suffixes = [s for cls in FORMATS.values() for s in cls.suffixes]
    assert len(suffixes) == len(set(suffixes))
    assert set(FORMATS) >= {"txt", "tsv", "jsonl", "moses", "tmx"}


def test_unknown_format_lists_the_choices():
    from translate_cli.errors import UsageError

    with pytest.raises(UsageError, match=r"unknown format 'xlsb'; expected one of: .*jsonl, moses"):
        get_writer("xlsb")


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("End; with \\ backslash", "End; with \\ backslash"),
        ("C:\\dossier", "C:\\dossier"),
        ("\\x \\u00e9 \\T", "\\x \\u00e9 \\T"),
        ("\\Hello", "\\Hello"),  # not a guarded kind of cell: the backslash is text
        ("\\2024", "2024"),  # the guard
        ("a\\\\b\\tc\\u2028d\\u000Ae", "a\\b\tc\u2028d\ne"),
        ("C:\\new", "C:\new"),  # documented ambiguity: \n is an escape
    ],
)
def test_tsv_unescape_keeps_backslashes_it_did_not_write(typed, read):
    assert tsv_unescape(typed) == read


@pytest.mark.parametrize("text", ["\true", "\nov 12", "\r5", "\t=1", "\\true", "\\2024"])
def test_tsv_escape_leading_escape_never_reads_as_the_guard(text):
    assert tsv_unescape(tsv_escape(text)) == text
