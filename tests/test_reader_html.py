"""The HTML reader: blocks, spans, attributes, and the page written back around the English."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from translate_cli.errors import InputError
from translate_cli.markup import Block, Placed, Span
from translate_cli.project import block_sentences, project, strip_protected
from translate_cli.readers.base import Parsed
from translate_cli.readers.html import HTMLReader

FIXTURE = Path(__file__).parent / "fixtures" / "documents" / "news-article.fr.html"


def read(data: bytes | str, name: str = "page.html") -> Parsed:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return HTMLReader().read(data, name)


def identity(parsed: Parsed, change: Callable[[str], str] = lambda t: t) -> bytes:
    """Render each block as one sentence whose target is ``change(text)`` (same length)."""
    return parsed.layout.render(
        [[Placed(0, len(b.text), change(b.text), b.spans)] for b in parsed.blocks]
    )


def texts(parsed: Parsed) -> list[str]:
    return [b.text for b in parsed.blocks]


def block_with(parsed: Parsed, start: str) -> Block:
    return next(b for b in parsed.blocks if b.text.startswith(start))


def parse_html(data: bytes) -> Any:
    return etree.fromstring(data, etree.HTMLParser(encoding="utf-8", default_doctype=False))


def shape(root: Any) -> list[tuple[str, dict[str, str], str, str]]:
    """Every node's tag, attributes (but lang) and whitespace-collapsed text and tail."""

    def norm(text: str | None) -> str:
        return " ".join((text or "").split())

    out = []
    for node in root.iter():
        attributes = {k: v for k, v in node.attrib.items() if k != "lang"}
        if not isinstance(node.tag, str):
            attributes = {}
        out.append((str(node.tag), attributes, norm(node.text), norm(node.tail)))
    return out


def raw(data: bytes, pattern: str) -> list[str]:
    return re.findall(pattern, data.decode("utf-8"), re.DOTALL)


UNTOUCHED = [
    r"<script\b.*?</script>",
    r"<style\b.*?</style>",
    r"<pre\b.*?</pre>",
    r"<!--.*?-->",
]


@pytest.fixture(scope="module")
def source() -> bytes:
    return FIXTURE.read_bytes()


@pytest.fixture(scope="module")
def page(source: bytes) -> Parsed:
    return read(source)


# (a) What the reader sees.


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("Inondations à Valbrune : la digue a tenu, selon la préfecture", ()),
        (
            "Par Claire Dumontel, publié le 12 mars 2024 à 7 h 45",
            (Span(4, 19, 13), Span(31, 52, 14)),
        ),
        (
            "Selon le communiqué de la préfecture de la Sorne, la digue construite en 1987 a "
            "résisté sans la moindre brèche. Le maire, Étienne Rouvière, a salué « le "
            "sang-froid des équipes ».",
            (Span(26, 48, 17), Span(78, 110, 18), Span(88, 110, 19)),
        ),
        (
            "Les données brutes sont publiées par la station VLB-042 au format CSV ; on peut "
            "les lire avec la commande suivante :",
            (Span(48, 55, 24, protected=True),),
        ),
        (
            "Pour vous abonner à nos alertes, écrivez à alertes@echo-sorne.example.fr. "
            "Le service est gratuit.",
            (Span(43, 72, 25), Span(74, 74, 26, protected=True)),
        ),
        (
            "© 2024 L'Écho de la Sorne. Écho Média SAS, tous droits réservés.",
            (Span(27, 41, 27, protected=True),),
        ),
        ("La digue de Valbrune, mercredi matin. Photo : Hugo Lestrade", (Span(38, 59, 21),)),
    ],
)
def test_blocks_and_spans(page: Parsed, text: str, spans: tuple[Span, ...]) -> None:
    assert Block(text, spans) in page.blocks


def test_block_order_and_attributes(page: Parsed) -> None:
    got = texts(page)
    # The head: title, then meta description and og: contents.
    assert got[:4] == [
        "Inondations à Valbrune : la digue a tenu, selon la préfecture",
        "La crue de la Sorne a atteint 4,2 mètres dans la nuit de mardi. "
        "Aucune victime n'est à déplorer.",
        "Inondations à Valbrune : la digue a tenu",
        "Retour sur une nuit d'angoisse dans la vallée de la Sorne.",
    ]
    for attribute in (
        "Navigation principale",  # aria-label
        "L'Écho de la Sorne",  # alt
        "Retour à l'accueil",  # title of a link
        "La digue de Valbrune au petit matin, entourée d'eau boueuse",  # alt in a figure
        "Communiqué officiel",  # title of a link inside a paragraph
        "autorisation",  # title of an abbr
        "Un mot, un lieu…",  # placeholder
    ):
        assert attribute in got
    # An attribute comes after the block that holds its element.
    assert got.index("Communiqué officiel") == got.index(block_with(page, "Selon").text) + 1
    # Table cells, list items, blockquote paragraphs, button and label are blocks.
    for text in ("Heure", "3,1 m", "Rouge", "Garder les factures des réparations urgentes."):
        assert text in got
    assert "Il faut rehausser la digue avant l'hiver." in got
    assert "Chercher" in got and "Rechercher" in got


def test_untouched_text_never_in_blocks(page: Parsed) -> None:
    joined = "\n".join(texts(page))
    for fragment in ("curl", "awk", "innerWidth", "console", "color: #666", "Bandeau", "CMS"):
        assert fragment not in joined
    # The viewport meta and the stylesheet link are not text.
    assert "width=device-width" not in joined


def test_encoding_and_no_warnings(page: Parsed) -> None:
    assert page.encoding == "utf-8"
    assert page.warnings == ()


# (b) Identity round trip: same structure, untouched parts byte for byte.


def test_identity_same_tree_but_lang(source: bytes, page: Parsed) -> None:
    out = identity(page)
    assert shape(parse_html(out)) == shape(parse_html(source))
    assert parse_html(out).get("lang") == "en"
    assert out.startswith(b"<!DOCTYPE html>\n")
    assert identity(page) == out  # render twice: same bytes


@pytest.mark.parametrize("pattern", UNTOUCHED)
def test_untouched_byte_identical(source: bytes, page: Parsed, pattern: str) -> None:
    expected = raw(source, pattern)
    assert expected, pattern
    assert raw(identity(page, str.upper), pattern) == expected


@pytest.mark.parametrize(
    ("xpath", "count"),
    [
        ("//h1", 1),
        ("//h2", 2),
        ("//li", 6),
        ("//td|//th", 12),
        ("//a", 8),
        ("//img", 2),
        ("//code", 2),
        ("//p", 8),
        ("//meta", 5),
        ("//br", 1),
    ],
)
def test_identity_counts(source: bytes, page: Parsed, xpath: str, count: int) -> None:
    before = parse_html(source).xpath(xpath)
    after = parse_html(identity(page, str.upper)).xpath(xpath)
    assert len(before) == len(after) == count


@pytest.mark.parametrize("attribute", ["//a/@href", "//img/@src", "//@datetime", "//@id"])
def test_addresses_unchanged(source: bytes, page: Parsed, attribute: str) -> None:
    before = parse_html(source).xpath(attribute)
    assert before
    assert parse_html(identity(page, str.upper)).xpath(attribute) == before


def test_two_sentences_joined(page: Parsed) -> None:
    chapo = block_with(page, "La crue de la Sorne a atteint 4,2 mètres dans la nuit de mardi à")
    cut = chapo.text.index(" Les habitants") + 1
    placed: list[list[Placed]] = [[Placed(0, len(b.text), b.text, b.spans)] for b in page.blocks]
    strong, em = chapo.spans
    placed[page.blocks.index(chapo)] = [
        Placed(0, cut - 1, chapo.text[: cut - 1], (strong,)),
        Placed(
            cut,
            len(chapo.text),
            chapo.text[cut:],
            (Span(em.start - cut, em.end - cut, em.tag),),
        ),
    ]
    out = page.layout.render(placed)
    assert (
        b"<strong>4,2 m\xc3\xa8tres</strong> dans la nuit de mardi \xc3\xa0 mercredi. "
        b"Les habitants du quartier des Tanneurs ont \xc3\xa9t\xc3\xa9 "
        b"<em>\xc3\xa9vacu\xc3\xa9s par pr\xc3\xa9caution</em>." in out
    )


# (c) Targets that differ from the sources.


def test_uppercased_targets(page: Parsed) -> None:
    root = parse_html(identity(page, str.upper))
    assert root.xpath("//figure/img/@alt") == [
        "LA DIGUE DE VALBRUNE AU PETIT MATIN, ENTOURÉE D'EAU BOUEUSE"
    ]
    assert root.xpath("//header//img/@alt") == ["L'ÉCHO DE LA SORNE"]
    assert root.xpath("//input/@placeholder") == ["UN MOT, UN LIEU…"]
    assert root.xpath("//meta[@name='description']/@content")[0].startswith("LA CRUE")
    assert root.xpath("//title/text()") == [
        "INONDATIONS À VALBRUNE : LA DIGUE A TENU, SELON LA PRÉFECTURE"
    ]
    assert root.xpath("//h2/text()") == [
        "LES CHIFFRES DE LA CRUE",
        "CE QUE LES HABITANTS DOIVENT FAIRE",
    ]
    # Protected spans keep their source text, whatever the target says.
    assert root.xpath("//p/code/text()") == ["VLB-042"]
    assert root.xpath("//span[@translate='no']/text()") == ["Écho Média SAS"]
    assert root.xpath("//a[@rel='author']/text()") == ["CLAIRE DUMONTEL"]


def test_spans_moved_in_english(page: Parsed) -> None:
    block = block_with(page, "Selon le communiqué")
    english = (
        "According to the statement from the Sorne prefecture, the dike built in 1987 "
        "held without a single breach. The mayor, Étienne Rouvière, praised the teams."
    )
    link, highlight, bold = block.spans

    def at(words: str, span: Span) -> Span:
        start = english.index(words)
        return Span(start, start + len(words), span.tag)

    spans = (
        at("Sorne prefecture", link),
        at("held without a single breach", highlight),
        at("without a single breach", bold),
    )
    placed: list[list[Placed]] = [[] for _ in page.blocks]
    placed[page.blocks.index(block)] = [Placed(0, len(block.text), english, spans)]
    title = texts(page).index("Communiqué officiel")
    placed[title] = [Placed(0, 19, "Official statement")]
    out = page.layout.render(placed).decode("utf-8")
    assert (
        "<p>According to the statement from the "
        '<a href="https://www.prefecture-sorne.example.fr/communiques/2024-03-12" '
        'title="Official statement">Sorne prefecture</a>, the dike built in 1987 '
        '<span class="highlight">held <b>without a single breach</b></span>. '
        "The mayor, Étienne Rouvière, praised the teams.</p>"
    ) in out
    # Blocks given no sentences are left as they were.
    assert "<h1>Inondations à Valbrune : la digue a tenu, selon la préfecture</h1>" in out


def test_span_over_two_sentences_written_per_piece() -> None:
    parsed = read('<p>Un <b id="x">mot. Deux</b> fin.</p>')
    (block,) = parsed.blocks
    assert block == Block("Un mot. Deux fin.", (Span(3, 12, 0),))
    out = parsed.layout.render(
        [[Placed(0, 7, "A word.", (Span(2, 7, 0),)), Placed(8, 17, "Two end.", (Span(0, 3, 0),))]]
    )
    assert b'<p>A <b id="x">word.</b> <b>Two</b> end.</p>' in out


def test_dropped_protected_span_is_kept() -> None:
    parsed = read('<p>Voir <img src="a.png" alt="Carte"> ici.</p>')
    assert texts(parsed) == ["Voir ici.", "Carte"]
    out = parsed.layout.render([[Placed(0, 9, "See here.")], [Placed(0, 5, "Map")]])
    assert b'<p>See here. <img src="a.png" alt="Map"></p>' in out


def test_plain_tag_written_as_text() -> None:
    parsed = read("<p>Écrivez à moi@example.fr merci.</p>")
    text = parsed.blocks[0].text
    start = text.index("moi@")
    url = Span(start, start + 14, -1, protected=True)
    out = parsed.layout.render([[Placed(0, len(text), text, (url,))]])
    assert b"<p>\xc3\x89crivez \xc3\xa0 moi@example.fr merci.</p>" in out


# Charset, lang, XHTML, fragments, noscript, notranslate.


def test_declared_charset_read_and_rewritten() -> None:
    data = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        "</head><body><p>Été à Noël</p></body></html>"
    ).encode("cp1252")
    parsed = read(data)
    assert parsed.encoding == "cp1252"
    assert texts(parsed) == ["Été à Noël"]
    out = identity(parsed)
    assert b'content="text/html; charset=utf-8"' in out
    assert "<p>Été à Noël</p>".encode() in out


def test_meta_charset_rewritten_and_lang_added() -> None:
    parsed = read('<html><head><meta charset="windows-1252"></head><body><p>Oui</p></body></html>')
    out = identity(parsed)
    assert b'<meta charset="utf-8">' in out
    assert b'<html lang="en">' in out


def test_xhtml_written_as_xml() -> None:
    data = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="fr" lang="fr"><head>'
        "<title>Été</title>"
        "<script>//<![CDATA[\nif (a < b) {}\n//]]></script></head>"
        '<body><p>Un <em>mot</em>&#160;;<br/>fin</p><div></div><img src="a.png" alt="Vue"/></body>'
        "</html>"
    )
    parsed = read(data, "page.xhtml")
    assert texts(parsed) == ["Été", "Un mot ; fin", "Vue"]
    out = identity(parsed, str.upper)
    root = etree.fromstring(out)  # well-formed XML
    assert root.get("lang") == "en"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert b"<![CDATA[\nif (a < b) {}\n//]]>" in out
    assert b"<div></div>" in out
    assert b'alt="VUE"' in out
    assert b"Content-Type" not in out
    assert out.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC')


def test_fragment_stays_a_fragment() -> None:
    parsed = read("<p>Un <b>petit</b> fragment.</p>\n<!-- note -->\n<p>Deux</p>\n")
    assert identity(parsed, str.upper) == (
        b"<p>UN <b>PETIT</b> FRAGMENT.</p>\n<!-- note -->\n<p>DEUX</p>\n"
    )


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # Text directly in a div, beside block children, is its own block.
        ("<div>Avant <p>Dedans</p> après <b>gras</b></div>", ["Avant", "Dedans", "après gras"]),
        # noscript is read: it is what a reader without JavaScript sees.
        ("<body><noscript><p>Activez JavaScript</p></noscript></body>", ["Activez JavaScript"]),
        ('<p class="x notranslate">Nom propre</p><p>Oui</p>', ["Oui"]),
        ('<div translate="no"><p>Rien</p></div><p>Oui</p>', ["Oui"]),
        ("<p>Texte <script>var a = 1;</script>suite <!-- c --> fin</p>", ["Texte suite fin"]),
        ('<p>Mot <svg><text title="x">A</text></svg> fin <math><mi>x</mi></math></p>', ["Mot fin"]),
        ("<p><code>x = 1</code></p><p><img src=a.png></p><p>  </p>", []),
        (
            '<select><option value="a">Premier</option><option>Second</option></select>',
            ["Premier", "Second"],
        ),
        (
            '<input type="submit" value="Envoyer"><input type="text" value="ne pas toucher">',
            ["Envoyer"],
        ),
        ('<a href="/x"><div>Bloc</div></a>', ["Bloc"]),
        ("<my-widget>Élément inconnu</my-widget>", ["Élément inconnu"]),
        ("<ul><li>Un<ul><li>Deux</li></ul>suite</li></ul>", ["Un", "Deux", "suite"]),
        ("<dl><dt>Terme</dt><dd>Définition</dd></dl>", ["Terme", "Définition"]),
    ],
)
def test_what_is_a_block(html: str, expected: list[str]) -> None:
    parsed = read(html)
    assert texts(parsed) == expected
    out = identity(parsed)
    assert shape(parse_html(out)) == shape(parse_html(html.encode()))


def test_warning_for_repaired_markup() -> None:
    parsed = read("<p>Un <b>texte mal fermé</p><p>Deux <i>x</p></i>")
    assert texts(parsed) == ["Un texte mal fermé", "Deux x"]
    assert len(parsed.warnings) == 1
    assert parsed.warnings[0].startswith("malformed HTML repaired: line 1:")


def test_xhtml_not_well_formed_read_as_html() -> None:
    parsed = read('<?xml version="1.0"?>\n<html><body><p>a & b</p></body></html>')
    assert texts(parsed) == ["a & b"]
    assert parsed.warnings[0].startswith("not well-formed XHTML, read as HTML:")
    assert b"<?xml" not in identity(parsed)


def test_wrong_number_of_blocks() -> None:
    parsed = read("<p>Un</p><p>Deux</p>")
    with pytest.raises(ValueError, match="1 blocks given for a page of 2"):
        parsed.layout.render([[]])


# (d) Bad input.


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "malformed HTML: empty document"),
        (b" \n\t ", "malformed HTML: empty document"),
        (b"Bonjour, ceci est du texte.", "malformed HTML: no tag at all (plain text?)"),
        (b"<!-- rien -->", "malformed HTML: no element (only comments or a doctype)"),
        (b"<!DOCTYPE html>", "malformed HTML: no element (only comments or a doctype)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "not a text file (binary content)"),
        (
            b'<?xml version="1.0"?><rss><channel><title>x</title></channel></rss>',
            "not an HTML document (XML root element <rss>)",
        ),
        (
            b'<meta charset="iso-8859-1"><p>' + b"\x01\x02\x03\x04\x05" * 4 + b"</p>",
            "not a text file (binary content)",
        ),
    ],
)
def test_bad_input(data: bytes, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        read(data, "bad.html")
    assert caught.value.reason == reason
    assert "\n" not in str(caught.value)


def test_unknown_declared_charset_falls_back() -> None:
    parsed = read('<meta charset="klingon"><p>Été</p>'.encode())
    assert texts(parsed) == ["Été"]
    assert parsed.warnings == ("unknown declared charset 'klingon': encoding detected instead",)


def test_empty_spans_side_by_side() -> None:
    parsed = read(b'<p>Texte<br><br>suite <img src="a.png"><img src="b.png"></p>')
    assert texts(parsed) == ["Texte suite"]
    out = identity(parsed, str.upper)
    assert b'<p>TEXTE<br><br>SUITE <img src="a.png"><img src="b.png"></p>' in out


# Whitespace around empty elements: as in the source, whatever the block's text lost or gained.


def pipeline(parsed: Parsed) -> bytes:
    """Render as the pipeline does with the copy model: sentences, protected text
    taken out and put back by :func:`project` with the identity alignment."""
    blocks = []
    for block in parsed.blocks:
        placed = []
        for start, text, spans in block_sentences(block):
            stripped = strip_protected(text, spans)
            words = range(len(stripped.text.split()))
            result = project(text, spans, stripped, stripped.text, tuple((i, i) for i in words))
            placed.append(Placed(start, start + len(text), result.target, result.spans))
        blocks.append(placed)
    return parsed.layout.render(blocks)


SPACED = [
    '<p>Le chat <img src="a.png" alt="petit"> dort ici.</p>',
    "<p>Le mot<br>suivant est seul.</p>",
    "<p>site.<br>Une</p>",
    "<p>A <br> B</p>",
    "<p>Fin<br> suite</p>",
    '<p><img src="x"> Texte</p>',
    '<p>Texte <img src="x"></p>',
    '<p>Le chat<img src="x">dort.</p>',
    '<p>Le chat <img src="x">dort.</p>',
    '<p>Le chat<img src="x"> dort.</p>',
    '<p>Texte<br><br>suite <img src="a.png"><img src="b.png"></p>',
    '<p>Nom : <input type="text"> puis valider.</p>',
    "<p>Un mot. Puis <!-- note --> la suite<!-- fin -->.</p>",
    '<p>Voir <span translate="no"></span> ici.</p>',
    '<p>Le <b>chat</b> <img src="x"> <a href="/d">dort</a>.</p>',
    "<p>Ligne une.<br> Ligne deux. <br></p>",
    "<p>\n  <br>Texte\n</p>",
]


@pytest.mark.parametrize("html", SPACED)
@pytest.mark.parametrize("render", [identity, pipeline], ids=["identity", "pipeline"])
def test_space_around_empty_elements_as_in_source(
    html: str, render: Callable[[Parsed], bytes]
) -> None:
    out = render(read(f"<html><body>{html}</body></html>"))
    assert html.encode() in out


# (source, English target, spans of the English, expected paragraph)
MOVED = [
    # The pipeline glued the image to the next word: the source's space after comes back.
    (
        '<p>Le chat <img src="x"> dort.</p>',
        "The cat sleeps.",
        (Span(8, 8, 0, True),),
        '<p>The cat <img src="x"> sleeps.</p>',
    ),
    # A space before a <br> the source did not have goes (the break separates the words).
    (
        "<p>Le mot<br>suivant.</p>",
        "The word next.",
        (Span(9, 9, 0, True),),
        "<p>The word<br>next.</p>",
    ),
    (
        "<p>Le mot<br>suivant.</p>",
        "The word next.",
        (Span(8, 8, 0, True),),
        "<p>The word<br>next.</p>",
    ),
    # The source's space moves to the side it was on; the words stay apart.
    (
        '<p>Voir<img src="x"> ici.</p>',
        "See here.",
        (Span(4, 4, 0, True),),
        '<p>See<img src="x"> here.</p>',
    ),
    # An image inside a word in the source, between two English words: never glued.
    (
        '<p>Le chat<img src="x">dort.</p>',
        "The cat sleeps.",
        (Span(8, 8, 0, True),),
        '<p>The cat <img src="x">sleeps.</p>',
    ),
    (
        '<p>Le chat<img src="x">dort.</p>',
        "The cat sleeps.",
        (Span(7, 7, 0, True),),
        '<p>The cat<img src="x"> sleeps.</p>',
    ),
    # At the end: the source's space before it comes back, none is added after.
    (
        '<p>Texte <img src="x"></p>',
        "Text.",
        (Span(5, 5, 0, True),),
        '<p>Text. <img src="x"></p>',
    ),
    # Next to a link the image was not in.
    (
        '<p>Le <a href="/c">chat</a> <img src="x"> dort.</p>',
        "The cat sleeps.",
        (Span(4, 7, 0), Span(7, 7, 1, True)),
        '<p>The <a href="/c">cat</a> <img src="x"> sleeps.</p>',
    ),
]


@pytest.mark.parametrize(("html", "target", "spans", "expected"), MOVED)
def test_space_around_empty_elements_in_english(
    html: str, target: str, spans: tuple[Span, ...], expected: str
) -> None:
    parsed = read(html)
    text = parsed.blocks[0].text
    out = parsed.layout.render(
        [[Placed(0, len(text), target, spans)], *([] for _ in parsed.blocks[1:])]
    )
    assert out.decode() == expected


@pytest.mark.parametrize(
    ("html", "texts"),
    [
        ("<p>Un mot très<wbr>long ici.</p>", ["Un mot trèslong ici."]),
        ("<p>Voir <embed src='a.svg'> le schéma.</p>", ["Voir le schéma."]),
        (
            "<p>Avant</p><audio><source src='a.ogg'><track src='b.vtt'></audio><p>Après.</p>",
            ["Avant", "Après."],
        ),
    ],
)
def test_html5_void_elements_hold_nothing(html: str, texts: list[str]) -> None:
    """libxml2 does not know wbr, embed, source, track: what follows them stays outside."""
    page = HTMLReader().read(f"<html><body>{html}</body></html>".encode(), "void.html")
    assert [b.text for b in page.blocks] == texts
