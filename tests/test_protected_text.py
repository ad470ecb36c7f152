"""Protected text found in running text (issue 16, point 3), in plain-text documents too.

URLs, e-mail addresses, @handles, #hashtags, file paths and file names with a
known extension are copied byte for byte and never reach the model; numbers
and look-alikes (``3,5 %``, ``M.Dupont``, ``etc.``, ``#1``, ``km/h``) stay
translatable. A plain ``.txt`` gets the same protection as a structured
document: the model sees the sentence without them, and the English (the
``.en.txt``, TSV, JSONL, TMX, XLIFF and review page) holds them exactly.
"""

from __future__ import annotations

import json
import time
from pathlib import Path, PurePath

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html
from typer.testing import CliRunner

from translate_cli.align import align, sentences_of, translation_key
from translate_cli.cli import app
from translate_cli.config import Settings
from translate_cli.document import RunMeta, document_from_text, read_document
from translate_cli.inputs import Job
from translate_cli.markup import PLAIN_TAG
from translate_cli.project import _PROTECTED, _may_protect, plain_protected
from translate_cli.runner import Runner
from translate_cli.segment import learned_abbreviations, split_sentences
from translate_cli.translator import Translator
from translate_cli.writers.text import TSV_COLUMNS, tsv_unescape
from translate_cli.writers.xliff import read_xliff

from .conftest import shared_path
from .fakes import FakeEngine

runner = CliRunner()
ENGINES = ("transformers", "ctranslate2")


def found(text: str) -> list[str]:
    return [text[s.start : s.end] for s in plain_protected(text, ())]


# -- What is protected, what is not ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # URLs: closing punctuation stays outside, a ( ) of the URL inside.
        ("Voir https://www.insee.fr/fr/statistiques.", ["https://www.insee.fr/fr/statistiques"]),
        ("Le site (www.exemple.fr) est ouvert.", ["www.exemple.fr"]),
        ("Voir https://exemple.fr/a?b=1&c=2, puis.", ["https://exemple.fr/a?b=1&c=2"]),
        (
            "Lisez https://fr.wikipedia.org/wiki/Paris_(France).",
            ["https://fr.wikipedia.org/wiki/Paris_(France)"],
        ),
        ("Sur ftp://ftp.exemple.fr/pub !", ["ftp://ftp.exemple.fr/pub"]),
        # E-mail addresses: a final full stop stays outside.
        ("Écrivez à presse@ville-exemple.fr.", ["presse@ville-exemple.fr"]),
        ("«jean.dupont+info@mail.exemple.fr»", ["jean.dupont+info@mail.exemple.fr"]),
        # Handles.
        ("Suivez @LeMonde et @jean_dupont.", ["@LeMonde", "@jean_dupont"]),
        ("Sur Mastodon : @alice@mastodon.social.", ["@alice@mastodon.social"]),
        ("Merci à @jean.dupont, à l'@Insee et (@AFP).", ["@jean.dupont", "@Insee", "@AFP"]),
        # Hashtags.
        ("Le mot-clé #MeToo puis #COP28.", ["#MeToo", "#COP28"]),
        ("Avec #Génération2024 et #2024Paris.", ["#Génération2024", "#2024Paris"]),
        # Paths.
        ("Modifiez /etc/hosts puis /usr/local/bin/.", ["/etc/hosts", "/usr/local/bin/"]),
        ("Ouvrez C:\\Users\\x\\file.txt ici.", ["C:\\Users\\x\\file.txt"]),
        ("Le partage \\\\serveur\\docs\\a.odt.", ["\\\\serveur\\docs\\a.odt"]),
        ("Lancez ./build.sh et ../tools/run.sh.", ["./build.sh", "../tools/run.sh"]),
        ("Dans ~/notes.md et ~/.bashrc.", ["~/notes.md", "~/.bashrc"]),
        # File names with a known extension.
        ("Joint : rapport_final.pdf, Budget-2024.XLSX.", ["rapport_final.pdf", "Budget-2024.XLSX"]),
        ("Voir src/main.py et archive.tar.gz.", ["src/main.py", "archive.tar.gz"]),
        # Inline code between backticks, as pasted from Markdown.
        ("Lancez `pip install -e .` puis `make`.", ["`pip install -e .`", "`make`"]),
        ("La variable `TRANSLATE_TM` suffit.", ["`TRANSLATE_TM`"]),
        # Several kinds in one sentence, in order.
        (
            "Écrivez à a@b.fr ou @Ville, #Vote, voir www.ville.fr et ./lire.txt.",
            ["a@b.fr", "@Ville", "#Vote", "www.ville.fr", "./lire.txt"],
        ),
    ],
)
def test_each_kind_is_found_whole(text, expected):
    assert found(text) == expected
    assert all(s.protected and s.tag == PLAIN_TAG for s in plain_protected(text, ()))


@pytest.mark.parametrize(
    "text",
    [
        "La hausse est de 3,5 % sur un an.",  # numbers stay translatable
        "Le taux passe de 3.5 à 4.2 points.",
        "M. Dupont et Mme Durand sont venus.",
        "M.Dupont est arrivé, etc.",
        "Les J.O. et la S.N.C.F. ; la norme ISO 9001.",
        "Dr.Doc, Ph.D. et v1.2.3 ne sont pas des fichiers.",
        "Le symbole l'@ seul, @ 14 h, @12 et a@b.",  # no handle, no address
        "Le n° #1 du classement, puis # titre, C# et &#233;.",  # #1 is a number
        "Le 20/03/2024, à 50 km/h, et/ou 1/2 part, 120 €/an.",
        "Le répertoire /tmp seul n'est pas protégé.",
        "Le fichier.pdf.bak n'a pas d'extension connue.",
        "jean@localhost n'a pas de domaine.",
        "L`homme tapé avec un accent grave, d`abord.",  # a typed apostrophe
        "Un ` seul et un `` double.",
        "",
    ],
)
def test_near_misses_stay_translatable(text):
    assert found(text) == []
    sentences = sentences_of(document_from_text(text)) if text else []
    assert all(translation_key(s) == s.text and s.spans == () for s in sentences)


# Pieces that make up protected text and its near misses, for random texts.
_PIECES = [
    "a", "Z", "é", "9", "_", "-", "+", "~", ".", ",", "/", "\\", ":", "@", "#", "&",
    "(", ")", " ", "'", "www.", "http", "https://", "ftp://", ".pdf", ".PDF", ".md",
    "C:\\", "\\\\", "./", "../", "~/", ".tar.gz", "fr", "com", "`",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_the_quick_test_never_skips_protected_text(text):
    """``_may_protect`` only spares the full scan: it must pass every text with a match."""
    if _PROTECTED.search(text):
        assert _may_protect(text)


@pytest.mark.parametrize(
    "unit", ["a.", ".a", "a/", "/a", "~/", "./", "@a", "a@a.", "#a", "\\a", "a-", "www.", "`a"]
)
def test_the_scan_is_linear(unit):
    """Eight times the text takes about eight times as long (not 64: no backtracking).

    A complexity check, not a speed figure: the bound is a ratio between two
    runs of the same process, far from both 8 and 64.

    Each text repeats a unit that starts some kind of protected text; a
    quadratic pattern (a repetition that backtracks, or matches tried from
    every character of a run) takes 64 times as long.
    """

    def seconds(text: str) -> float:
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            plain_protected(text, ())
            best = min(best, time.perf_counter() - start)
        return best

    for shape in ("{}", "x{}.pdf", "{}@x.fr", "https://{}"):
        text = shape.format(unit * (4000 // len(unit)))
        small, large = seconds(text * 2), seconds(text * 16)
        # Linear gives 8, quadratic 64; the margin absorbs a loaded machine.
        assert large < 40 * small + 0.005, (unit, shape, small, large)


# -- Plain-text sentences --------------------------------------------------------------


def _plain_texts() -> list[Path]:
    return sorted(shared_path("data", "articles").glob("*.fr.txt")) + sorted(
        shared_path("data", "cases").glob("*.txt")
    )


def test_plain_sentences_are_cut_as_before():
    """Without protected text a plain document's sentences are ``split_sentences``'s."""
    for path in _plain_texts():
        document = read_document(path)
        known = learned_abbreviations("\n\n".join(document.paragraphs))
        expected = [
            (p, text)
            for p, paragraph in enumerate(document.paragraphs)
            for text in split_sentences(paragraph, known)
        ]
        sentences = sentences_of(document)
        assert [(s.paragraph, s.text) for s in sentences] == expected, path.name
        for s in sentences:
            paragraph = document.paragraphs[s.paragraph]
            assert paragraph[s.start : s.start + len(s.text)] == s.text
            assert [s.text[x.start : x.end] for x in s.spans] == found(s.text)


def test_a_plain_sentence_carries_its_protected_spans():
    document = document_from_text("Le bilan. Voir https://exemple.fr/bilan ou #Bilan2024.\n")
    first, second = sentences_of(document)
    assert first.spans == ()
    assert [second.text[s.start : s.end] for s in second.spans] == [
        "https://exemple.fr/bilan",
        "#Bilan2024",
    ]
    assert translation_key(second) == "Voir ou."


# -- Through the pipeline -----------------------------------------------------------------

PROTECTED = (
    "presse@ville-exemple.fr",
    "@LeMonde",
    "#MeToo",
    "/etc/hosts",
    "C:\\Users\\x\\file.txt",
    "https://exemple.fr/guide?page=2",
    "rapport_final.pdf",
)
ARTICLE = (
    "Écrivez à presse@ville-exemple.fr ou suivez @LeMonde et #MeToo sur les réseaux.\n"
    "\n"
    "La hausse est de 3,5 % cette année. Modifiez /etc/hosts puis ouvrez "
    "C:\\Users\\x\\file.txt avant de lire https://exemple.fr/guide?page=2.\n"
    "\n"
    "Le rapport_final.pdf est joint.\n"
)


def _rows(tsv: Path) -> list[dict[str, str]]:
    lines = tsv.read_text(encoding="utf-8").splitlines()
    return [
        dict(zip(TSV_COLUMNS, map(tsv_unescape, line.split("\t")), strict=True))
        for line in lines[1:]
    ]


def _jsonl_pairs(path: Path) -> list[dict]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [r for r in records if r["type"] == "pair"]


def _every_output_holds(out: Path, stem: str) -> list[str]:
    """The English targets, after checking that each output holds every protected text."""
    english = (out / f"{stem}.en.txt").read_text(encoding="utf-8")
    targets = [r["target"] for r in _rows(out / f"{stem}.fr-en.tsv")]
    assert [p["target"] for p in _jsonl_pairs(out / f"{stem}.fr-en.jsonl")] == targets
    tmx = etree.parse(str(out / f"{stem}.fr-en.tmx"))
    tmx_targets = tmx.xpath("//tuv[@xml:lang='en']/seg/text()")
    xliff_targets = [s.target for s in read_xliff(out / f"{stem}.fr-en.xlf")]
    page = lxml_html.parse(str(out / f"{stem}.review.html"))
    page_targets = [td.text_content() for td in page.xpath("//td[@class='tgt']")]
    assert tmx_targets == xliff_targets == page_targets == targets
    for text in PROTECTED:
        assert english.count(text) == 1, text
        assert sum(t.count(text) for t in targets) == 1, text
    return targets


def test_the_model_never_sees_protected_text_and_every_output_holds_it(tmp_path):
    """Fake engine (upper-cases what it is given): the protected text comes back as
    written, so it never went through the engine; the number did."""
    source = tmp_path / "article.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    engine = FakeEngine()
    formats = ("txt", "tsv", "jsonl", "tmx", "xliff", "html")
    settings = Settings(output_dir=str(out), formats=formats)
    report = Runner(settings, lambda: engine).run(
        [Job(str(source), PurePath("article.txt"), source)]
    )
    assert report.count("translated") == 1
    seen = " ".join(engine.translated)
    assert all(text not in seen for text in PROTECTED)
    assert "@" not in seen and "#" not in seen and "/" not in seen and "\\" not in seen
    assert "La hausse est de 3,5 % cette année." in engine.translated
    assert "Écrivez à ou suivez et sur les réseaux." in engine.translated
    targets = _every_output_holds(out, "article")
    assert targets[1] == "LA HAUSSE EST DE 3,5 % CETTE ANNÉE."
    # The paragraphs and their separator are those of the input.
    english = (out / "article.en.txt").read_text(encoding="utf-8")
    assert english.count("\n\n") == 2 and english.endswith("\n\nLE rapport_final.pdf EST JOINT.\n")


@pytest.fixture(scope="module")
def copied(copy_model: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The article translated by the copy model with each engine."""
    pytest.importorskip("ctranslate2")
    pytest.importorskip("torch")
    folder = tmp_path_factory.mktemp("copied")
    source = folder / "article.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    outs = {}
    for engine in ENGINES:
        outs[engine] = folder / engine
        args = [str(source), "-o", str(outs[engine]), "--model", str(copy_model), "--no-tm"]
        args += ["--engine", engine, "-f", "txt,tsv,jsonl,tmx,xliff,html"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.stderr
    return outs


@pytest.mark.parametrize("engine", ENGINES)
def test_the_copy_model_gives_the_article_back_with_its_protected_text(copied, engine):
    """The copy model writes back what it reads, and the alignment is the identity, so
    each protected text lands where it was; only the number is the model's (``3,5%``)."""
    targets = _every_output_holds(copied[engine], "article")
    english = (copied[engine] / "article.en.txt").read_text(encoding="utf-8")
    assert english == ARTICLE.replace("3,5 %", "3,5%")
    assert targets[0] == ARTICLE.splitlines()[0]
    assert all("markup" not in r["flags"] for r in _rows(copied[engine] / "article.fr-en.tsv"))


def test_both_engines_give_the_same_protected_output(copied):
    first, second = (copied[engine] for engine in ENGINES)
    for name in ("article.en.txt", "article.fr-en.tsv"):
        assert (first / name).read_text(encoding="utf-8") == (second / name).read_text(
            encoding="utf-8"
        ), name


def test_only_sentences_with_protected_text_are_aligned(tmp_path, copy_model, monkeypatch):
    """Plain text aligns only what it must place, and records no alignment."""
    from translate_cli.engines import ctranslate2_engine

    calls: list[list[str]] = []
    original = ctranslate2_engine.CTranslate2Engine.align_batch

    def spy(self, sources, targets):
        calls.append(list(sources))
        return original(self, sources, targets)

    monkeypatch.setattr(ctranslate2_engine.CTranslate2Engine, "align_batch", spy)
    source = tmp_path / "article.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    args = [str(source), "-o", str(out), "--model", str(copy_model), "--no-tm"]
    result = runner.invoke(app, [*args, "--engine", "ctranslate2", "-f", "jsonl"])
    assert result.exit_code == 0, result.stderr
    assert sorted(s for batch in calls for s in batch) == [
        "Le est joint.",
        "Modifiez puis ouvrez avant de lire.",
        "Écrivez à ou suivez et sur les réseaux.",
    ]
    assert all("alignment" not in p for p in _jsonl_pairs(out / "article.fr-en.jsonl"))


def test_a_reviewed_plain_sentence_with_protected_text_is_used(tmp_path, copy_model):
    """The reviewer saw (and corrected) the whole sentence; the model translated it
    without its URL: the correction is found all the same, URL in place."""
    from translate_cli.writers.text import tsv_escape

    source = tmp_path / "note.txt"
    source.write_text("Lisez https://exemple.fr/doc avant lundi.\n", encoding="utf-8")
    out, tm = tmp_path / "out", tmp_path / "tm.sqlite"
    base = [str(source), "-o", str(out), "--model", str(copy_model), "--tm", str(tm)]
    base += ["--engine", "ctranslate2", "-f", "tsv,txt"]
    assert runner.invoke(app, base).exit_code == 0
    rows = _rows(out / "note.fr-en.tsv")
    rows[0]["target"] = "Read https://exemple.fr/doc before Monday."
    edited = tmp_path / "edited.tsv"
    body = ["\t".join(TSV_COLUMNS)]
    body += ["\t".join(tsv_escape(str(r[c])) for c in TSV_COLUMNS) for r in rows]
    edited.write_text("\n".join(body) + "\n", encoding="utf-8")
    imported = runner.invoke(app, ["--import-reviewed", str(edited), "--tm", str(tm)])
    assert imported.exit_code == 0, imported.stderr
    assert runner.invoke(app, base).exit_code == 0
    english = (out / "note.en.txt").read_text(encoding="utf-8")
    assert english == "Read https://exemple.fr/doc before Monday.\n"
    assert _rows(out / "note.fr-en.tsv")[0]["flags"] == "reviewed"


def test_align_keeps_the_plain_output_when_nothing_is_protected():
    """No protected text: targets are the engine's as they came, and nothing is aligned."""
    engine = FakeEngine()
    document = document_from_text("Le conseil a voté. Il entre en vigueur lundi.\n")
    meta = RunMeta("0", "m", "r", "fake", 1, "d")
    result = align(document, Translator(engine, 512), meta)
    assert [p.target for p in result.pairs] == ["LE CONSEIL A VOTÉ.", "IL ENTRE EN VIGUEUR LUNDI."]
    assert all(p.alignment is None and "markup" not in p.flags for p in result.pairs)
    assert result.placed == ()


def test_without_an_alignment_a_run_before_punctuation_stays_before_it():
    """The fallback (no alignment: an engine without one) puts the run at its relative
    place, before the closing punctuation it stood before, and says it guessed."""
    from translate_cli.project import project, strip_protected

    text = "Texte de note.md."
    spans = plain_protected(text, ())
    stripped = strip_protected(text, spans)
    assert stripped.text == "Texte de."
    result = project(text, spans, stripped, "TEXT OF.", None)
    assert result.target == "TEXT OF note.md."
    assert result.unclear
