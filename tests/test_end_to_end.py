"""The real MarianMT path (transformers), end to end, on offline-built models."""

from __future__ import annotations

import difflib
import json
import re

from lxml import etree
from typer.testing import CliRunner

from translate_cli import Result, Settings, load_engine, translate_file, translate_text
from translate_cli.align import sentences_of
from translate_cli.cli import app
from translate_cli.document import read_document
from translate_cli.writers.text import tsv_unescape

from .conftest import SAMPLES, SEED

runner = CliRunner()


def test_seed_end_to_end_through_the_cli(tmp_path, tiny_model, tmx_dtd):
    out = tmp_path / "out"
    args = [str(SEED), "-o", str(out), "--model", str(tiny_model), "--engine", "transformers"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""

    n = len(sentences_of(read_document(SEED)))
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [
            "deconfliction.en.txt",
            "deconfliction.fr-en.tsv",
            "deconfliction.fr-en.jsonl",
            "deconfliction.fr-en.fr",
            "deconfliction.fr-en.en",
            "deconfliction.fr-en.tmx",
            "deconfliction.fr-en.xlf",
            "deconfliction.review.html",
            "deconfliction.meta.json",
        ]
    )
    rows = (out / "deconfliction.fr-en.tsv").read_text().splitlines()
    assert len(rows) == n + 1
    assert all(len(r.split("\t")) == 8 for r in rows)
    assert len((out / "deconfliction.fr-en.fr").read_text().splitlines()) == n
    assert len((out / "deconfliction.fr-en.en").read_text().splitlines()) == n
    assert len((out / "deconfliction.en.txt").read_text().splitlines()) == 7

    records = [json.loads(x) for x in (out / "deconfliction.fr-en.jsonl").read_text().splitlines()]
    meta = records[0]
    assert meta["model"] == str(tiny_model)
    assert meta["revision"].startswith("local-")
    assert meta["engine"] == "transformers"
    assert meta["beams"] == 1
    assert len(records) == n + 1

    root = etree.parse(str(out / "deconfliction.fr-en.tmx"))
    assert etree.DTD(str(tmx_dtd)).validate(root)
    assert len(root.findall("body/tu")) == n

    # Summary on stderr: the seed's repeated paragraphs are translated once.
    summary = r"sentences: (\d+) \((\d+) unique, 0 from memory, (\d+) sent to the engine"
    m = re.search(summary, result.stderr)
    assert m, result.stderr
    total, distinct, engine = map(int, m.groups())
    assert total == n and distinct == engine < n


def test_too_long_sentence_is_cut_with_a_small_model(tmp_path, short_limit_model):
    path = SAMPLES / "rapport-climat.fr.txt"
    out = tmp_path / "out"
    args = [
        str(path),
        "-o",
        str(out),
        "--model",
        str(short_limit_model),
        "--engine",
        "transformers",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert "cut to fit the model" in result.stderr
    rows = [r.split("\t") for r in (out / "rapport-climat.fr-en.tsv").read_text().splitlines()]
    header, body = rows[0], rows[1:]
    flags = [r[header.index("flags")].split(",") for r in body]
    cut = [i for i, f in enumerate(flags) if "split" in f]
    assert len(cut) == 1
    long_row = body[cut[0]]
    assert len(tsv_unescape(long_row[header.index("source")])) > 2000


def test_python_api_returns_typed_results(tiny_model):
    settings = Settings(model=str(tiny_model), engine="transformers")
    engine = load_engine(settings)
    result = translate_text("Bonjour. Il fait beau.\n\nAu revoir.", settings, engine)
    assert isinstance(result, Result)
    assert [(p.paragraph, p.index) for p in result.pairs] == [(0, 0), (0, 1), (1, 0)]
    again = translate_file(SEED, settings, engine)
    assert again.document.paragraphs[0].startswith("L’armée américaine")


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def test_alignment_with_a_copy_model(tmp_path, copy_model):
    """Row i's target must come from row i's source: a sort or dedup bug fails here.

    The copy model reproduces short sentences, so each target must resemble its
    own source far more than any other source. Small batches force many
    length-sorted batches, and repeats exercise the dedup path.
    """
    sentences = [
        "Le maire a présenté son budget.",
        "Les élèves rentrent lundi.",
        "Il pleut à Paris depuis trois jours.",
        "La ministre a promis une réponse avant l'été.",
        "Le train est parti.",
        "Le marché ouvre à huit heures.",
        "Les prix ont augmenté de trois pour cent.",
        "Un nouveau pont sera construit.",
    ]
    text = "\n".join(" ".join(sentences[i:] + sentences[:i]) for i in range(0, 8, 3))
    settings = Settings(model=str(copy_model), engine="transformers", batch_tokens=40)
    result = translate_text(text, settings)
    assert len(result.pairs) == 24
    for pair in result.pairs:
        own = _similarity(pair.source, pair.target)
        others = max(_similarity(s, pair.target) for s in sentences if s != pair.source)
        assert own > others, (pair.source, pair.target)
    assert sum(_similarity(p.source, p.target) for p in result.pairs) / 24 > 0.8
