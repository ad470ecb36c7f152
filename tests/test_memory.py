"""Translation memory and the review loop."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest
from typer.testing import CliRunner

from translate_cli.align import align
from translate_cli.cli import app
from translate_cli.document import document_from_text
from translate_cli.memory import MemoryStoreError, TranslationMemory
from translate_cli.provenance import engine_meta
from translate_cli.translator import Translator
from translate_cli.writers.text import TSV_COLUMNS, tsv_escape, tsv_unescape

from .conftest import SAMPLES
from .fakes import FakeEngine, origin_flags

runner = CliRunner()
TEXT = "Le maire est venu. Il a parlé. Le maire est venu."


def test_memory_hits_never_reach_the_engine(tmp_path):
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    first = FakeEngine()
    align(
        document_from_text(TEXT),
        Translator(first, 256, memory=memory, context="c1"),
        engine_meta(first),
    )
    assert sorted(first.translated) == ["Il a parlé.", "Le maire est venu."]

    second = FakeEngine()
    translator = Translator(second, 256, memory=memory, context="c1")
    result = align(document_from_text(TEXT), translator, engine_meta(second))
    assert second.translated == []
    assert translator.counters.memory == 2
    # A stored machine translation is what the engine would write: no flag,
    # so a resumed run's files equal an uninterrupted run's.
    assert [origin_flags(p) for p in result.pairs] == [()] * 3
    assert [p.target for p in result.pairs] == [s.upper() for s in [p.source for p in result.pairs]]

    # Another model or setting is another context: nothing is reused.
    third = FakeEngine()
    align(
        document_from_text(TEXT),
        Translator(third, 256, memory=memory, context="c2"),
        engine_meta(third),
    )
    assert len(third.translated) == 2


def test_entries_record_origin_and_time(tmp_path):
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        memory.store([("a", "a", "A", -0.5, False)], "ctx")
        memory.store_reviewed([("a", "a", "Reviewed A")])
        entry = memory.lookup(["a"], "ctx")["a"]
        assert (entry.target, entry.origin) == ("Reviewed A", "reviewed")
        assert entry.updated.endswith("Z")
        assert memory.stats() == {"machine": 1, "reviewed": 1}
        assert memory.lookup(["a"], "other")["a"].origin == "reviewed"


def _writer(path: str, worker: int) -> None:
    memory = TranslationMemory(path)
    for i in range(40):
        memory.store([(f"k{worker}-{i}", "s", f"t{i}", None, False)], "ctx")
        memory.lookup([f"k{1 - worker}-{i}"], "ctx")
    memory.close()


def test_two_runs_at_once_share_the_memory(tmp_path):
    path = str(tmp_path / "tm.sqlite")
    TranslationMemory(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, w)) for w in (0, 1)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    with TranslationMemory(path) as memory:
        assert memory.stats() == {"machine": 80}


def test_corrupt_memory_is_reported_and_left_alone(tmp_path):
    path = tmp_path / "tm.sqlite"
    garbage = b"this is not a database" * 100
    path.write_bytes(garbage)
    with pytest.raises(MemoryStoreError, match=r"is corrupt.*--no-tm") as info:
        TranslationMemory(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == garbage


def test_locked_memory_gives_a_clear_error(tmp_path):
    path = tmp_path / "tm.sqlite"
    TranslationMemory(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(MemoryStoreError, match=r"is locked.*--no-tm"):
            memory = TranslationMemory(path, timeout=0.2)
            memory.store([("k", "s", "t", None, False)], "ctx")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_read_only_memory_gives_a_clear_error(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(sqlite3, "connect", refuse)
    with pytest.raises(MemoryStoreError, match=r"is read-only.*--no-tm"):
        TranslationMemory(tmp_path / "tm.sqlite")


def test_cli_corrupt_memory_exits_with_one_line_and_no_tm_works(tmp_path, tiny_model):
    tm = tmp_path / "tm.sqlite"
    tm.write_bytes(b"garbage" * 200)
    path = SAMPLES / "marche-lyon.fr.txt"
    args = [str(path), "-o", str(tmp_path / "o"), "--model", str(tiny_model), "-f", "tsv"]
    result = runner.invoke(app, [*args, "--tm", str(tm)])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--no-tm" in result.stderr
    assert runner.invoke(app, [*args, "--no-tm"]).exit_code == 0
    assert tm.read_bytes() == b"garbage" * 200


def _rows(path):
    lines = path.read_text().split("\n")[1:-1]
    return [
        dict(zip(TSV_COLUMNS, map(tsv_unescape, line.split("\t")), strict=True)) for line in lines
    ]


def _write_rows(path, rows):
    body = ["\t".join(TSV_COLUMNS)]
    body += ["\t".join(tsv_escape(str(r[c])) for c in TSV_COLUMNS) for r in rows]
    path.write_text("\n".join(body) + "\n")


def test_review_loop_through_the_tsv(tmp_path, tiny_model):
    src = tmp_path / "article.txt"
    src.write_text((SAMPLES / "marche-lyon.fr.txt").read_text())
    out = tmp_path / "out"
    tm = tmp_path / "tm.sqlite"
    base = [str(src), "-o", str(out), "--model", str(tiny_model), "--tm", str(tm), "-f", "tsv,txt"]
    assert runner.invoke(app, base).exit_code == 0

    tsv = out / "article.fr-en.tsv"
    rows = _rows(tsv)
    rows[1]["target"] = "The covered market reopens, reviewed."
    rows[3]["source"] = rows[3]["source"] + " (modifié)"  # a source edited by mistake
    rows[4]["source"], rows[5]["source"] = rows[5]["source"], rows[4]["source"]  # cells moved
    rows[4]["target"] = rows[5]["target"] = "Moved."
    edited = tmp_path / "edited.tsv"
    _write_rows(edited, rows)

    result = runner.invoke(app, ["--import-reviewed", str(edited), "--tm", str(tm)])
    assert result.exit_code == 1  # some rows were rejected
    assert "1 reviewed," in result.stderr
    rejected = [line for line in result.stderr.splitlines() if "rejected:" in line]
    assert [r.split(f"{edited}:")[1].split(":")[0] for r in rejected] == ["5", "6", "7"]
    assert "changed since export" in rejected[0]
    assert all("moved row" in r for r in rejected[1:])

    rerun = runner.invoke(app, base)
    assert rerun.exit_code == 0
    assert "0 skipped" in rerun.stderr  # the import made the outputs stale
    after = _rows(tsv)
    assert after[1]["target"] == "The covered market reopens, reviewed."
    assert "reviewed" in after[1]["flags"].split(",")
    assert all("reviewed" not in r["flags"] for i, r in enumerate(after) if i != 1)
    assert "0 sent to the engine" in rerun.stderr
    assert "The covered market reopens, reviewed." in (out / "article.en.txt").read_text()


def test_review_loop_through_the_xliff(tmp_path, tiny_model):
    from lxml import etree

    src = tmp_path / "article.txt"
    src.write_text((SAMPLES / "marche-lyon.fr.txt").read_text())
    out = tmp_path / "out"
    tm = tmp_path / "tm.sqlite"
    base = [str(src), "-o", str(out), "--model", str(tiny_model), "--tm", str(tm), "-f", "xliff"]
    assert runner.invoke(app, base).exit_code == 0

    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    tree = etree.parse(str(out / "article.fr-en.xlf"))
    segments = tree.findall(".//x:segment", ns)
    segments[0].find("x:target", ns).text = "Lyon's covered market reopens."
    segments[2].set("state", "reviewed")  # approved as it stands
    segments[3].find("x:source", ns).text = "Une source modifiée."
    segments[3].find("x:target", ns).text = "A changed source."
    edited = tmp_path / "edited.xlf"
    tree.write(str(edited), encoding="utf-8", xml_declaration=True)

    result = runner.invoke(app, ["--import-reviewed", str(edited), "--tm", str(tm)])
    assert "2 reviewed," in result.stderr
    assert result.exit_code == 1
    assert f"{edited}:4: source, document or position changed" in result.stderr

    rerun = runner.invoke(app, base)
    assert rerun.exit_code == 0, rerun.stderr
    again = etree.parse(str(out / "article.fr-en.xlf")).findall(".//x:segment", ns)
    assert again[0].find("x:target", ns).text == "Lyon's covered market reopens."
    states = [s.get("state") for s in again[:4]]
    assert states == ["reviewed", "translated", "reviewed", "translated"]
