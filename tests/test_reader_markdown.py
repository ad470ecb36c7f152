"""The Markdown reader: blocks and spans read, the English written back with the same structure."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from translate_cli.errors import InputError
from translate_cli.markup import PLAIN_TAG, Block, Placed, Span
from translate_cli.readers.base import READERS, Parsed
from translate_cli.readers.markdown import MarkdownLayout, MarkdownReader, _parser

FIXTURE = Path(__file__).parent / "fixtures" / "documents" / "blog-post.fr.md"
CASES = Path(__file__).resolve().parents[2] / "shared" / "data" / "cases"
CASE = CASES / "16-markdown-structure.md"

# Odd but valid constructions: setext heading over two lines, closed ATX heading,
# hard breaks of both kinds, a table inside a quote whose cells start with ">"
# and "-", escaped pipe in inline code, inline HTML, entities, shortcut and
# collapsed reference links, a linked image, a loose list item, escapes,
# ")"-ordered list, an inline footnote. "␣" is a space (trailing spaces: hard break).
TRICKY = """Titre setext
sur deux lignes
===============

## Titre fermé ##

Ligne avec coupure forcée␣␣
suite après la coupure\\
et encore une.

> Citation avec `code | pipe` et <span class="x">html</span> et &amp; entité.
> - liste dans citation␣␣
>   avec coupure
>
> | A | B |
> |---|---|
> | > chevron | - tiret |

Un [raccourci] et un [replié][] et une image liée [![badge](https://img.exemple/b.svg)](https://ci.exemple).

- élément
  sur deux lignes

  second paragraphe de l’\\*élément\\* avec \\_soulignés\\_ et snake_case.

10) dix
11) onze

Note en ligne^[texte de la note] fin.

[raccourci]: https://r.exemple
[replié]: <https://p.exemple> (titre)
""".replace("␣", " ")


def read(text: str | bytes) -> Parsed:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return MarkdownReader().read(data, "doc.md")


def identity(parsed: Parsed) -> list[list[Placed]]:
    return [[Placed(0, len(b.text), b.text, b.spans)] for b in parsed.blocks]


def two_sentences(block: Block) -> list[Placed]:
    """The block as two sentences where it has two and no span crosses the cut, else one."""
    cut = block.text.find(". ")
    if cut < 0 or any(s.start <= cut + 1 < s.end for s in block.spans):
        return [Placed(0, len(block.text), block.text, block.spans)]
    first, second = block.text[: cut + 1], block.text[cut + 2 :]
    shift = cut + 2
    return [
        Placed(0, cut + 1, first, tuple(s for s in block.spans if s.end <= cut + 1)),
        Placed(
            shift,
            len(block.text),
            second,
            tuple(
                Span(s.start - shift, s.end - shift, s.tag, s.protected)
                for s in block.spans
                if s.start >= shift
            ),
        ),
    ]


def mapped(parsed: Parsed, change: Callable[[str], str]) -> list[list[Placed]]:
    """Every block's text changed character by character (same length, so spans stay put)."""
    out = []
    for block in parsed.blocks:
        target = "".join(
            c if any(s.protected and s.start <= i < s.end for s in block.spans) else change(c)
            for i, c in enumerate(block.text)
        )
        out.append([Placed(0, len(block.text), target, block.spans)])
    return out


def upper(c: str) -> str:
    return c.upper() if len(c.upper()) == 1 else c


def tokens(text: str) -> list:
    found = []

    def walk(ts: Sequence) -> None:
        for t in ts:
            found.append(t)
            walk(t.children or ())

    walk(_parser().parse(text))
    return found


def structure(text: str) -> tuple[Counter[str], list[tuple[str, str]]]:
    """Element counts (headings by level) and everything that must stay byte for byte."""
    counts: Counter[str] = Counter()
    kept: list[tuple[str, str]] = []
    for t in tokens(text):
        counts[t.tag if t.type == "heading_open" else t.type] += 1
        if t.type in ("fence", "code_block", "html_block", "front_matter", "code_inline"):
            kept.append((t.type, t.content))
        elif t.type == "link_open":
            kept.append(("href", t.attrs["href"]))
        elif t.type == "image":
            kept.append(("src", t.attrs["src"]))
    for name in ("inline", "text", "softbreak", "text_special"):
        counts.pop(name, None)
    return counts, kept


def html(text: str) -> str:
    return re.sub(r"\s+", " ", _parser().render(text))


def span_texts(block: Block) -> list[tuple[str, bool]]:
    return [(block.text[s.start : s.end], s.protected) for s in block.spans]


# (a) blocks, spans and what is kept out of them


def test_registered() -> None:
    assert READERS["markdown"] is MarkdownReader
    assert MarkdownReader.extensions == (".md", ".markdown")
    assert read("# Titre\n").layout.format == "markdown"


def test_fixture_blocks() -> None:
    blocks = read(FIXTURE.read_bytes()).blocks
    texts = [b.text for b in blocks]
    assert texts[0] == "Trois semaines à vélo dans le Jura"
    assert texts[1].startswith("Partis de Saint-Aubrac-les-Pins un matin de mai,")
    assert texts[1].endswith("tenter l'aventure.")  # three source lines, one block
    assert span_texts(blocks[1]) == [
        ("Saint-Aubrac-les-Pins", False),
        ("412 kilomètres", False),
        ("conseils pratiques", False),
    ]
    link = next(b for b in blocks if b.text.startswith("Le tracé complet"))
    assert span_texts(link) == [
        ("notre carte interactive", False),
        ("site de l'office de tourisme", False),
        ("https://contact.exemple.org/formulaire", True),  # autolink: protected
    ]
    # The inline link's title and the image's alt text and title are blocks of their own.
    assert texts[texts.index(link.text) + 1] == "Carte du parcours"
    assert "Vue du lac Morel au lever du soleil" in texts
    assert "Le lac Morel" in texts
    # List items at two depths, table cells (header and body, escaped pipe), quote levels.
    for text in (
        "Départ de Saint-Aubrac-les-Pins, montée vers le col des Brumes.",
        "arrêt à la fromagerie Les Trois Sapins ;",
        "Une trousse de réparation complète.",
        "Dénivelé",
        "Gorges de l'Orbe | variante",
        "650 m",
        "Le Jura ne se traverse pas, il se mérite. Chaque col rappelle que la patience vaut"
        " mieux que la vitesse.",
        "Proverbe local, cité par notre hôte à Vernoux.",
        "Les dénivelés sont cumulés et mesurés avec un altimètre barométrique.",  # footnote
    ):
        assert text in texts
    code = next(b for b in blocks if "commande gpx-export" in b.text)
    assert span_texts(code) == [("gpx-export --format=gpx", True)]
    note = next(b for b in blocks if b.text.startswith("Les étapes les plus exigeantes"))
    assert [(s.start, s.end, s.protected) for s in note.spans] == [(76, 76, True)]  # [^1]
    strike = next(b for b in blocks if b.text.startswith("Merci"))
    assert span_texts(strike) == [("promis", False)]
    nested = next(b for b in blocks if "vraiment" in b.text)
    assert span_texts(nested) == [("vraiment", False), ("vraiment", False)]
    everything = " ".join(texts)
    for absent in ("Camille", "gpx-export --input", "trkpt", "Office de tourisme", "---"):
        assert absent not in everything  # front matter, code block, reference definition
    assert len(blocks) == 36


def test_tricky_blocks() -> None:
    blocks = read(TRICKY).blocks
    texts = [b.text for b in blocks]
    assert texts[:2] == ["Titre setext sur deux lignes", "Titre fermé"]
    assert texts[2] == "Ligne avec coupure forcée suite après la coupure et encore une."
    assert [(s.start, s.end, s.protected) for s in blocks[2].spans] == [
        (26, 26, True),
        (49, 49, True),
    ]
    assert span_texts(blocks[3])[0] == ("code | pipe", True)
    assert "html et & entité." in texts[3]
    assert "> chevron" in texts and "- tiret" in texts
    assert "second paragraphe de l’*élément* avec _soulignés_ et snake_case." in texts
    assert "badge" in texts
    assert texts[-1] == "Note en ligne fin."  # the inline footnote is a protected empty span


def test_empty_and_code_only_documents() -> None:
    parsed = read(b"")
    assert parsed.blocks == ()
    assert parsed.layout.render([]) == b""
    code = "```\nprint('bonjour')\n```\n\n    indenté\n\n<div>\nbloc HTML\n</div>\n\n---\n"
    parsed = read(code)
    assert parsed.blocks == ()
    assert parsed.layout.render([]) == code.encode()


# (b) identity round trip: byte-identical, and the same structure when rewritten


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(FIXTURE.read_bytes(), id="blog-post"),
        pytest.param(TRICKY.encode(), id="tricky"),
        pytest.param(CASE.read_bytes() if CASE.exists() else b"", id="case-16"),
        pytest.param(b"Ligne un\r\nligne deux\r\n\r\n# Titre\r\n", id="crlf"),
        pytest.param(b"\xef\xbb\xbf# Titre\n\nTexte.", id="bom-no-final-newline"),
    ],
)
def test_identity_is_byte_identical(source: bytes) -> None:
    parsed = read(source)
    assert parsed.layout.render(identity(parsed)) == source
    assert parsed.layout.render([two_sentences(b) for b in parsed.blocks]) == source
    assert parsed.layout.render([[] for _ in parsed.blocks]) == source
    assert parsed.layout.render(identity(parsed)) == source  # render can be called again


def test_identity_from_cp1252_is_utf8() -> None:
    text = "# Été\n\nCafé crème à emporter, très chaud et sucré.\n"
    parsed = read(text.encode("cp1252"))
    assert parsed.encoding != "utf-8"
    assert parsed.layout.render(identity(parsed)) == text.encode("utf-8")


@pytest.mark.parametrize("source", [FIXTURE.read_text("utf-8"), TRICKY], ids=["blog", "tricky"])
def test_rewritten_identity_renders_the_same_html(
    source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the byte-for-byte shortcut off, every block is rewritten from its spans."""
    parsed = read(source)
    layout = parsed.layout
    assert isinstance(layout, MarkdownLayout)
    monkeypatch.setattr(layout, "_source_text", tuple("\0" for _ in layout._source_text))
    out = layout.render(identity(parsed)).decode()
    assert out != source
    assert html(out) == html(source)
    assert structure(out) == structure(source)


@pytest.mark.parametrize("source", [FIXTURE.read_text("utf-8"), TRICKY], ids=["blog", "tricky"])
def test_uppercased_keeps_structure(source: str) -> None:
    parsed = read(source)
    out = parsed.layout.render(mapped(parsed, upper)).decode()
    assert structure(out) == structure(source)
    # Code, front matter and the reference definitions are copied as they were.
    for line in source.splitlines():
        if line.startswith(("```", "gpx-export", "grep", "title:", "[office]:", "[raccourci]")):
            assert line in out.splitlines()


# (c) targets that differ: spans written around the right English words


def place(target: str, *marked: tuple[str, int, bool]) -> tuple[Span, ...]:
    """Spans over the first occurrence of each text in ``target``, with the given tags."""
    spans = []
    for text, tag, protected in marked:
        start = target.index(text)
        spans.append(Span(start, start + len(text), tag, protected))
    return tuple(sorted(spans, key=lambda s: (s.start, -s.end)))


def translate(parsed: Parsed, english: dict[str, list[Placed]]) -> str:
    """Render with some blocks translated (by their French text), the others kept."""
    blocks = [english.get(b.text, []) for b in parsed.blocks]
    out = parsed.layout.render(blocks).decode()
    assert parsed.layout.render(blocks).decode() == out
    return out


def test_spans_moved_in_english() -> None:
    parsed = read(FIXTURE.read_bytes())
    intro = parsed.blocks[1]
    tags = [s.tag for s in intro.spans]
    target = (
        "We covered 412 kilometres in twenty-one days, leaving Saint-Aubrac-les-Pins one May"
        " morning. This post sums up the route, the gear and a few practical tips."
    )
    spans = place(
        target,
        ("Saint-Aubrac-les-Pins", tags[0], False),
        ("412 kilometres", tags[1], False),
        ("practical tips", tags[2], False),
    )
    link = next(b for b in parsed.blocks if b.text.startswith("Le tracé complet"))
    ltags = [s.tag for s in link.spans]
    ltarget = (
        "Ask us anything at https://contact.exemple.org/formulaire. The full route is on the"
        " tourist office site and on our interactive map."
    )
    lspans = place(
        ltarget,
        ("https://contact.exemple.org/formulaire", ltags[2], True),
        ("tourist office site", ltags[1], False),
        ("interactive map", ltags[0], False),
    )
    out = translate(
        parsed,
        {
            intro.text: [Placed(0, len(intro.text), target, spans)],
            link.text: [Placed(0, len(link.text), ltarget, lspans)],
            "Carte du parcours": [Placed(0, 17, 'Route "map"', ())],
            "Vue du lac Morel au lever du soleil": [Placed(0, 35, "Lake Morel at [dawn]", ())],
        },
    )
    lines = out.splitlines()
    assert (
        "We covered **412 kilometres** in twenty-one days, leaving *Saint-Aubrac-les-Pins* one"
        " May morning. This post sums up the route, the gear and a few __practical tips__." in lines
    )
    assert (
        "Ask us anything at <https://contact.exemple.org/formulaire>. The full route is on the"
        " [tourist office site][office] and on our [interactive map]"
        '(https://cartes.exemple.org/jura-2024 "Route \\"map\\"")' + "." in lines
    )
    assert '![Lake Morel at \\[dawn\\]](images/lac-morel.jpg "Le lac Morel")' in lines
    # The wrapped French paragraph's later lines are gone; the next heading follows.
    assert lines[lines.index("## L'itinéraire") - 2].startswith("We covered")
    counts, kept = structure(out)
    source_counts, source_kept = structure(FIXTURE.read_text("utf-8"))
    assert counts == source_counts
    assert sorted(kept) == sorted(source_kept)  # the links moved in their sentence
    rendered = _parser().render(out)
    assert 'title="Route &quot;map&quot;"' in rendered
    assert 'alt="Lake Morel at [dawn]"' in rendered


def test_english_that_looks_like_markup_is_escaped() -> None:
    source = (
        "# Titre\n\nPremier paragraphe.\n\n> - Élément cité\n\n| Col |\n|-----|\n| Case |\n\n"
        "Un [raccourci] ici.\n\n[raccourci]: https://r.exemple\n"
    )
    parsed = read(source)
    targets = {
        "Titre": "Issue #",
        "Premier paragraphe.": "1. Not a list *or* _emphasis_ [link] <b> C:\\temp &amp; a~~b",
        "Élément cité": "# not a heading",
        "Case": "a | b",
    }
    english = {k: [Placed(0, len(k), v, ())] for k, v in targets.items()}
    short = parsed.blocks[-1]
    english[short.text] = [
        Placed(0, len(short.text), "A shortcut here.", (Span(2, 10, short.spans[0].tag),))
    ]
    out = translate(parsed, english)
    assert structure(out) == structure(source)
    rendered = _parser().render(out)
    assert "<h1>Issue #</h1>" in rendered
    assert (
        "<p>1. Not a list *or* _emphasis_ [link] &lt;b&gt; C:\\temp &amp;amp; a~~b</p>" in rendered
    )
    assert "<li># not a heading</li>" in rendered
    assert "<td>a | b</td>" in rendered
    assert '<a href="https://r.exemple">shortcut</a>' in rendered
    assert "A [shortcut][raccourci] here." in out


def test_hard_break_and_protected_spans_follow_the_english() -> None:
    source = "> Avant la coupure  \n> après `x | y` la coupure.\n"
    parsed = read(source)
    (block,) = parsed.blocks
    brk, code = block.spans[0].tag, block.spans[1].tag
    target = "Code x | y first, then the break and the rest."
    at = target.index("break")
    spans = (*place(target, ("x | y", code, True)), Span(at, at, brk, True))
    spans = tuple(sorted(spans, key=lambda s: (s.start, -s.end)))
    out = parsed.layout.render([[Placed(0, len(block.text), target, spans)]]).decode()
    assert out == "> Code `x | y` first, then the  \n> break and the rest.\n"
    url = "see https://a.exemple/b_c*d now"
    plain = [Placed(0, len(block.text), url, (Span(4, 27, PLAIN_TAG, True),))]
    assert parsed.layout.render([plain]).decode() == f"> {url}\n"


def test_linked_image_whose_link_lost_its_text() -> None:
    source = "Voir [![badge](b.svg)](https://ci.exemple) ici.\n"
    parsed = read(source)
    block = parsed.blocks[0]
    link, image = (s.tag for s in block.spans)
    # The pipeline placed the link empty and the image beside it: written as in the source.
    target = "See here."
    spans = (Span(4, 4, link, True),)
    out = parsed.layout.render([[Placed(0, len(block.text), target, spans)], []]).decode()
    assert out == "See [![badge](b.svg)](https://ci.exemple) here.\n"
    spans = (Span(4, 4, link, True), Span(4, 4, image, True))
    english = [[Placed(0, len(block.text), target, spans)], [Placed(0, 5, "Build", ())]]
    assert parsed.layout.render(english).decode() == (
        "See [![Build](b.svg)](https://ci.exemple) here.\n"
    )


# (d) bad input


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", id="png"),
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(32)) * 4, id="zip"),
    ],
)
def test_binary_input_is_refused(data: bytes) -> None:
    with pytest.raises(InputError, match=r"doc\.md: .*binary"):
        read(data)


@pytest.mark.parametrize(
    "source",
    [
        "```python\ncode jamais fermé\n",
        "*emphase jamais fermée et [lien jamais fermé](http://x\n",
        "<div>\nHTML jamais fermé\n",
        "| a |\n|---|\n| b | c | d |\n",  # more cells than the header
        "[^x]: note sans appel\n\n" + "> " * 200 + "très imbriqué\n",
    ],
)
def test_any_text_is_markdown(source: str) -> None:
    """Markdown cannot be malformed: odd input is read and written back unchanged."""
    parsed = read(source)
    assert parsed.layout.render(identity(parsed)) == source.encode()
    out = parsed.layout.render(mapped(parsed, upper)).decode()
    assert structure(out)[0] == structure(source)[0]


def test_render_checks_the_block_count() -> None:
    parsed = read("Un.\n\nDeux.\n")
    with pytest.raises(ValueError, match="expected 2 blocks"):
        parsed.layout.render([[]])


def test_shortcut_link_followed_by_markup_stays_a_link() -> None:
    source = "Le [site] et la note[^1].\n\n[site]: https://s.exemple\n[^1]: Note.\n"
    parsed = read(source)
    block = parsed.blocks[0]
    link, note = (s.tag for s in block.spans)
    target = "The site(s) note."
    spans = (Span(4, 8, link), Span(8, 8, note, True))
    out = parsed.layout.render([[Placed(0, len(block.text), target, spans)], []]).decode()
    # "[site][^1]" would be a full reference to "^1"; "[site](s)" an inline link.
    assert out.splitlines()[0] == "The [site][][^1]\\(s) note."
    assert structure(out) == structure(source)
