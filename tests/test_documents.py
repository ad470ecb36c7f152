"""Documents in, documents out, through the real Marian path (copy-trained model, both engines).

The copy model's output is its input and its attention is (close to) the
identity, so a document must come back with the same structure, code and
URLs byte for byte, and every inline element on the same words.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import html as lxml_html
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from translate_cli.cli import app

DOCUMENTS = Path(__file__).resolve().parent / "fixtures" / "documents"
ENGINES = ("transformers", "ctranslate2")
runner = CliRunner()


def _translate(tmp_path: Path, model: Path, engine: str, *inputs: Path, extra=()) -> Path:
    out = tmp_path / f"out-{engine}"
    args = [*map(str, inputs), "-o", str(out), "--model", str(model), "--engine", engine]
    result = runner.invoke(app, [*args, "--no-tm", *extra])
    assert result.exit_code == 0, result.stderr
    return out


def _pairs(jsonl: Path) -> list[dict]:
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    return [r for r in records if r["type"] == "pair"]


# -- Markdown ---------------------------------------------------------------------------


def _md_structure(text: str) -> Counter:
    md = MarkdownIt("commonmark").enable("table")
    counts: Counter = Counter()
    for token in md.parse(text):
        if token.type == "heading_open":
            counts[token.tag] += 1
        elif token.type in ("list_item_open", "th_open", "td_open", "blockquote_open"):
            counts[token.type] += 1
        elif token.type in ("fence", "code_block"):
            counts["code:" + token.content] += 1
        elif token.type == "inline":
            for child in token.children or []:
                if child.type == "link_open":
                    counts["href:" + str(child.attrs["href"])] += 1
                elif child.type == "code_inline":
                    counts["code_inline:" + child.content] += 1
    return counts


@pytest.mark.parametrize("engine", ENGINES)
def test_markdown_round_trip_keeps_structure_code_and_urls(tmp_path, copy_model, engine):
    source = DOCUMENTS / "blog-post.fr.md"
    out = _translate(tmp_path, copy_model, engine, source)
    english = (out / "blog-post.en.md").read_text(encoding="utf-8")
    french = source.read_text(encoding="utf-8")
    assert _md_structure(english) == _md_structure(french)
    front = re.match(r"---\n.*?\n---\n", french, re.S)
    assert front and english.startswith(front.group())
    pairs = _pairs(out / "blog-post.fr-en.jsonl")
    assert pairs and all("alignment" in p for p in pairs)
    assert not any("**" in p["source"] or "](" in p["source"] for p in pairs)


def test_case_16_markdown_structure(tmp_path, copy_model):
    from .conftest import shared_path

    source = shared_path("data", "cases", "16-markdown-structure.md")
    out = _translate(tmp_path, copy_model, "ctranslate2", source)
    english = (out / "16-markdown-structure.en.md").read_text(encoding="utf-8")
    assert _md_structure(english) == _md_structure(source.read_text(encoding="utf-8"))
    assert "python calcul.py --region Bretagne --annee 2023\n" in english


# -- HTML --------------------------------------------------------------------------------


def _html_structure(data: bytes) -> Counter:
    tree = lxml_html.fromstring(data)
    counts: Counter = Counter()
    for el in tree.iter():
        if not isinstance(el.tag, str):
            counts["comment:" + str(el.text)] += 1
            continue
        counts[el.tag] += 1
        for attr in ("href", "src"):
            if el.get(attr):
                counts[f"{attr}:{el.get(attr)}"] += 1
        if el.tag in ("script", "style", "pre"):
            counts[f"{el.tag}:" + lxml_html.tostring(el, encoding="unicode")] += 1
    return counts


@pytest.mark.parametrize("engine", ENGINES)
def test_html_round_trip_keeps_structure_and_sets_lang(tmp_path, copy_model, engine):
    source = DOCUMENTS / "news-article.fr.html"
    out = _translate(tmp_path, copy_model, engine, source)
    english = (out / "news-article.en.html").read_bytes()
    assert _html_structure(english) == _html_structure(source.read_bytes())
    assert lxml_html.fromstring(english).getroottree().getroot().get("lang") == "en"
    pairs = _pairs(out / "news-article.fr-en.jsonl")
    assert not any("<" in p["source"] and ">" in p["source"] for p in pairs)


# -- Word --------------------------------------------------------------------------------


def _docx_structure(path: Path) -> tuple:
    import docx

    document = docx.Document(str(path))
    styles = Counter(p.style.name for p in document.paragraphs if p.style is not None)
    cells = sum(len(row.cells) for table in document.tables for row in table.rows)
    bold = sum(1 for p in document.paragraphs for r in p.runs if r.bold)
    with zipfile.ZipFile(path) as z:
        media = sorted((n, z.read(n)) for n in z.namelist() if n.startswith("word/media/"))
        rels = z.read("word/_rels/document.xml.rels")
    return styles, cells, bold > 0, media, rels


def test_word_round_trip_keeps_styles_tables_images_and_links(tmp_path, copy_model):
    source = DOCUMENTS / "press-release.fr.docx"
    out = _translate(tmp_path, copy_model, "ctranslate2", source)
    english = out / "press-release.en.docx"
    assert _docx_structure(english) == _docx_structure(source)


# -- Subtitles ---------------------------------------------------------------------------


def _cues(path: Path) -> list[tuple[str, str, list[str]]]:
    """(start, end, text lines) of every cue, read with the subtitle libraries."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".srt":
        import srt

        return [(str(c.start), str(c.end), c.content.splitlines()) for c in srt.parse(text)]
    import webvtt

    return [(c.start, c.end, c.text.splitlines()) for c in webvtt.from_string(text)]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ["interview.fr.srt", "interview.fr.vtt"])
def test_subtitles_keep_cues_and_timings_and_wrap(tmp_path, copy_model, name, engine):
    source = DOCUMENTS / name
    out = _translate(tmp_path, copy_model, engine, source)
    french, english = _cues(source), _cues(out / ("interview.en" + source.suffix))
    assert [(a, b) for a, b, _ in english] == [(a, b) for a, b, _ in french]
    for _, _, lines in english:
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines), lines
    assert [bool(lines) for *_, lines in english] == [bool(lines) for *_, lines in french]


# -- Inline spans on the same words: a table of cases ------------------------------------

INLINE_CASES = [
    "Le conseil a voté **le budget** hier soir.",
    "**Attention** : la route est fermée jusqu'à lundi.",
    "La mairie rappelle que le stationnement est *interdit* le mardi.",
    "Le rapport est publié sur [le site de l'Insee](https://www.insee.fr/fr/statistiques).",
    "Les **principaux chiffres** de l'étude sont *encourageants*.",
    "Selon **le *dernier* rapport**, le chômage recule.",
    "Consultez [la **carte** interactive](https://exemple.fr/carte) avant de partir.",
    "Le tarif passe à **12 euros** au premier janvier.",
    "Le maire a *longuement* remercié les bénévoles.",
    "Le chantier durera **trois mois**, selon la préfecture.",
    "Les inscriptions sont ouvertes sur [le portail](https://exemple.fr/inscription).",
    "Le festival accueille *plus de deux cents* artistes cette année.",
    "La ligne **B** du tramway sera interrompue ce week-end.",
    "Un numéro vert est disponible : *0 800 123 456*.",
    "Le projet, **financé par la région**, démarrera en mars.",
    "La *Maison des associations* ouvre ses portes samedi.",
    "Pour en savoir plus, lisez [notre article](https://exemple.fr/a) sur le sujet.",
    "Le **nouveau** gymnase sera inauguré en **septembre**.",
    "Il faut _absolument_ réserver sa place.",
    "Le __vote__ aura lieu à main levée.",
    "La commune compte désormais **8 412 habitants**.",
    "Les travaux de la **rue Victor-Hugo** commencent lundi.",
    "Le marché de Noël se tiendra *place de la République*.",
    "Le budget de la culture augmente de **4,5 %**.",
    "La réunion publique aura lieu à la [salle des fêtes](https://exemple.fr/salle).",
    "Le musée sera *exceptionnellement* fermé le 14 juillet.",
    "L'**école Jules-Ferry** accueillera une classe de plus.",
    "La piscine rouvre après **six mois** de travaux.",
    "Le conseil municipal a adopté le plan ***à l'unanimité***.",
    "Les résultats seront affichés en mairie *et* sur le site.",
    "Le **marché** du samedi est déplacé *place Carnot*.",
    "La collecte des déchets change de jour à partir de **février**.",
    "Les bus de la ligne [12](https://exemple.fr/ligne-12) seront déviés.",
    "Le club de football fête ses **cent ans** ce dimanche.",
    "Une *exposition photographique* retrace l'histoire du quartier.",
    "Le maire répondra aux questions des habitants **en direct**.",
    "Les travaux de rénovation de la [gare](https://exemple.fr/gare) sont terminés.",
    "Le centre de loisirs propose des activités **tout l'été**.",
    "La bibliothèque prête désormais des *liseuses* et des **tablettes**.",
    "Le vide-grenier annuel aura lieu le **premier dimanche** de juin.",
]


def _inline_elements(markdown: str) -> list[tuple[str, str]]:
    """(element, the text it covers) for each emphasis, strong and link of a paragraph."""
    md = MarkdownIt("commonmark")
    tokens = md.parseInline(markdown)[0].children or []
    open_at: list[tuple[str, int]] = []
    text: list[str] = []
    found = []
    for token in tokens:
        if token.type.endswith("_open"):
            name = token.type[:-5] + (":" + str(token.attrs.get("href")) if token.attrs else "")
            open_at.append((name, len("".join(text))))
        elif token.type.endswith("_close"):
            name, start = open_at.pop()
            found.append((name, "".join(text)[start:]))
        elif token.type in ("text", "code_inline"):
            text.append(token.content)
        elif token.type == "softbreak":
            text.append(" ")
    return sorted(found)


@pytest.mark.parametrize("engine", ENGINES)
def test_inline_spans_land_on_the_same_words(tmp_path, copy_model, engine):
    source = tmp_path / "cases.md"
    source.write_text("\n\n".join(INLINE_CASES) + "\n", encoding="utf-8")
    out = _translate(tmp_path, copy_model, engine, source)
    english = (out / "cases.en.md").read_text(encoding="utf-8").split("\n\n")
    assert len(english) == len(INLINE_CASES)
    same = [
        _inline_elements(fr) == _inline_elements(en)
        for fr, en in zip(INLINE_CASES, english, strict=True)
    ]
    misses = [en for en, ok in zip(english, same, strict=True) if not ok]
    assert sum(same) / len(same) >= 0.95, misses


def _html_elements(paragraph) -> list[tuple[str, str]]:
    """(element, the text it covers) for each inline element of an HTML paragraph."""
    return sorted(
        (el.tag + (":" + el.get("href") if el.get("href") else ""), el.text_content())
        for el in paragraph.iterdescendants()
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_inline_html_elements_land_on_the_same_words(tmp_path, copy_model, engine):
    md = MarkdownIt("commonmark")
    body = "".join(f"<p>{md.renderInline(case)}</p>\n" for case in INLINE_CASES)
    source = tmp_path / "cases.html"
    source.write_text(f"<html><body>\n{body}</body></html>\n", encoding="utf-8")
    out = _translate(tmp_path, copy_model, engine, source)
    french = lxml_html.fromstring(source.read_bytes()).findall(".//p")
    english = lxml_html.fromstring((out / "cases.en.html").read_bytes()).findall(".//p")
    assert len(english) == len(french) == len(INLINE_CASES)
    same = [_html_elements(f) == _html_elements(e) for f, e in zip(french, english, strict=True)]
    misses = [e.text_content() for e, ok in zip(english, same, strict=True) if not ok]
    assert sum(same) / len(same) >= 0.95, misses


# -- The plain-text path computes no alignment -------------------------------------------


def test_plain_text_computes_no_alignment(tmp_path, copy_model, monkeypatch):
    from translate_cli.engines import ctranslate2_engine

    calls = []
    original = ctranslate2_engine.CTranslate2Engine.align_batch

    def spy(self, sources, targets):
        calls.append(len(sources))
        return original(self, sources, targets)

    monkeypatch.setattr(ctranslate2_engine.CTranslate2Engine, "align_batch", spy)
    text = tmp_path / "article.txt"
    text.write_text("Le conseil a voté le budget. Il entre en vigueur lundi.\n", encoding="utf-8")
    out = _translate(tmp_path, copy_model, "ctranslate2", text)
    assert calls == []
    assert all("alignment" not in p for p in _pairs(out / "article.fr-en.jsonl"))
    markdown = tmp_path / "article.md"
    markdown.write_text("Le conseil a voté **le budget**.\n", encoding="utf-8")
    _translate(tmp_path, copy_model, "ctranslate2", markdown)
    assert calls == [1]


# -- Formats chosen by extension or forced; bad documents ---------------------------------


def test_input_format_forces_a_reader(tmp_path, copy_model):
    notes = tmp_path / "notes.txt"
    notes.write_text("# Titre\n\nLe conseil a voté **le budget**.\n", encoding="utf-8")
    out = _translate(
        tmp_path, copy_model, "ctranslate2", notes, extra=["--input-format", "markdown"]
    )
    assert [p["source"] for p in _pairs(out / "notes.fr-en.jsonl")] == [
        "Titre",
        "Le conseil a voté le budget.",
    ]
    assert (out / "notes.en.txt").read_text(encoding="utf-8").startswith("# ")


def test_bad_input_format_is_a_usage_error(tmp_path):
    result = runner.invoke(app, [str(tmp_path), "--input-format", "pdf"])
    assert result.exit_code == 2
    assert "unknown input format 'pdf'" in result.stderr


def test_folder_run_takes_documents_and_survives_bad_ones(tmp_path, copy_model):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.md").write_text("Le conseil a voté **le budget**.\n", encoding="utf-8")
    (folder / "b.html").write_text("<p>Le conseil a voté.</p>", encoding="utf-8")
    (folder / "c.srt").write_text("1\n00:00:01,000 --> 00:00:xx,000\nBonjour.\n", encoding="utf-8")
    (folder / "d.docx").write_bytes(b"not a zip at all")
    (folder / "e.vtt").write_text("WEBVTT\n\n00:01.000 --> 00:02.000\nBonsoir.\n", encoding="utf-8")
    out = tmp_path / "out"
    args = [str(folder), "-o", str(out), "--model", str(copy_model), "--no-tm"]
    result = runner.invoke(app, [*args, "--engine", "ctranslate2"])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert any("c.srt" in line and "timing" in line for line in errors), result.stderr
    assert any("d.docx" in line and "not a Word document" in line for line in errors)
    assert {p.name for p in out.iterdir() if ".en." in p.name} == {
        "a.en.md",
        "b.en.html",
        "e.en.vtt",
    }


def test_standard_input_as_a_document(copy_model):
    markdown = "# Titre\n\nLe conseil a voté **le budget** hier.\n"
    args = ["-", "--input-format", "markdown", "--model", str(copy_model), "--no-tm"]
    result = runner.invoke(app, [*args, "--engine", "ctranslate2"], input=markdown.encode())
    assert result.exit_code == 0, result.stderr
    assert result.stdout == markdown
    bad = runner.invoke(app, [*args[:-1], "--no-tm", "--input-format", "docx"], input=b"x")
    assert bad.exit_code == 1
    assert "<stdin>: not a Word document" in bad.stderr


def test_reviewed_sentences_with_protected_text_land_in_the_document(tmp_path, copy_model):
    """A reviewer's correction of a sentence holding inline code or a URL is used."""
    from translate_cli.writers.text import TSV_COLUMNS, tsv_escape, tsv_unescape

    source = tmp_path / "guide.md"
    source.write_text(
        "Lancez `make` pour **compiler** le projet.\n\nLisez https://exemple.fr/doc avant.\n",
        encoding="utf-8",
    )
    out, tm = tmp_path / "out", tmp_path / "tm.sqlite"
    base = [str(source), "-o", str(out), "--model", str(copy_model), "--tm", str(tm)]
    base += ["--engine", "ctranslate2", "-f", "tsv,txt"]
    assert runner.invoke(app, base).exit_code == 0
    tsv = out / "guide.fr-en.tsv"
    lines = tsv.read_text(encoding="utf-8").splitlines()
    rows = [
        dict(zip(TSV_COLUMNS, map(tsv_unescape, line.split("\t")), strict=True))
        for line in lines[1:]
    ]
    rows[0]["target"] = "Run make to build the project."
    rows[1]["target"] = "Read https://exemple.fr/doc first."
    body = ["\t".join(TSV_COLUMNS)]
    body += ["\t".join(tsv_escape(str(r[c])) for c in TSV_COLUMNS) for r in rows]
    edited = tmp_path / "edited.tsv"
    edited.write_text("\n".join(body) + "\n", encoding="utf-8")
    imported = runner.invoke(app, ["--import-reviewed", str(edited), "--tm", str(tm)])
    assert imported.exit_code == 0, imported.stderr
    assert runner.invoke(app, base).exit_code == 0
    english = (out / "guide.en.md").read_text(encoding="utf-8")
    assert english.splitlines()[0].startswith("Run `make` ")
    assert "build" in english and "Read https://exemple.fr/doc first." in english
    flags = [line.split("\t")[5] for line in tsv.read_text(encoding="utf-8").splitlines()[1:]]
    assert all("reviewed" in f.split(",") for f in flags)


def test_a_parser_or_layout_failure_fails_one_file_not_the_run(tmp_path, copy_model, monkeypatch):
    from translate_cli.readers.html import HTMLLayout, HTMLReader

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.html").write_text("<p>Le conseil a voté.</p>", encoding="utf-8")
    (folder / "b.md").write_text("Le conseil a voté **le budget**.\n", encoding="utf-8")
    args = [str(folder), "--model", str(copy_model), "--no-tm", "--engine", "ctranslate2"]

    def broken_read(self, data, name):
        raise KeyError("odd node")

    monkeypatch.setattr(HTMLReader, "read", broken_read)
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "o1")])
    assert result.exit_code == 1
    assert "a.html: cannot read as html: 'odd node'" in result.stderr
    assert (tmp_path / "o1" / "b.en.md").is_file()

    monkeypatch.undo()

    def broken_render(self, blocks):
        raise IndexError("no such block")

    monkeypatch.setattr(HTMLLayout, "render", broken_render)
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "o2")])
    assert result.exit_code == 1
    assert "a.html: cannot write the English document: no such block" in result.stderr
    assert (tmp_path / "o2" / "b.en.md").is_file()
    assert not (tmp_path / "o2" / "a.en.html").exists()
