"""Word documents: paragraphs read into blocks and spans, and written back around the English.

The fixture ``press-release.fr.docx`` is made by ``make_press_release.py``
beside it. Round trips are checked with python-docx reading the output back;
one test opens the output in LibreOffice Writer.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.text.hyperlink import Hyperlink

from translate_cli.errors import InputError
from translate_cli.markup import Block, Placed, Span
from translate_cli.project import block_sentences, project, strip_protected
from translate_cli.readers.word import WordReader

FIXTURE = Path(__file__).parent / "fixtures" / "documents" / "press-release.fr.docx"
URL = "https://www.energie-partagee-exemple.fr/projets/lac-azur"
SOFFICE = shutil.which("soffice")
ALT_TEXT = (
    "Vue aérienne de la centrale Lac-Azur. Des rangées de panneaux solaires flottent "
    "sur l'eau turquoise de l'ancienne carrière."
)
ALT_TITLE = "La centrale Lac-Azur vue du ciel"


def read(data: bytes | None = None):
    return WordReader().read(FIXTURE.read_bytes() if data is None else data, "doc.docx")


def clip(block: Block, start: int, end: int, first: bool) -> tuple[Span, ...]:
    """The block's spans over ``text[start:end]``, in the sentence's offsets."""
    spans = []
    for s in block.spans:
        inside = start <= s.start < end or (s.start == s.end == end and first)
        if (s.start < end and s.end > start) or (s.start == s.end and inside):
            spans.append(
                Span(max(s.start, start) - start, min(s.end, end) - start, s.tag, s.protected)
            )
    return tuple(spans)


def sentences(block: Block, change=lambda t: t) -> list[Placed]:
    """The block as one or two sentences (cut after the first ". "), text through ``change``."""
    cut = block.text.find(". ") + 1
    ranges = [(0, cut), (cut + 1, len(block.text))] if cut > 0 else [(0, len(block.text))]
    return [
        Placed(a, b, change(block.text[a:b]), clip(block, a, b, i == len(ranges) - 1))
        for i, (a, b) in enumerate(ranges)
    ]


def english(block: Block, marked: str) -> Placed:
    """A sentence from ``[tag:text]`` marks: ``[2:12 megawatts]``, ``[3:]``, nested ones."""
    protected = {s.tag: s.protected for s in block.spans}
    text, spans, stack = "", [], []
    for piece in re.split(r"(\[\d+:|\])", marked):
        if m := re.fullmatch(r"\[(\d+):", piece):
            stack.append((int(m[1]), len(text)))
        elif piece == "]":
            tag, start = stack.pop()
            spans.append(Span(start, len(text), tag, protected[tag]))
        else:
            text += piece
    spans.sort(key=lambda s: (s.start, -s.end))
    return Placed(0, len(block.text), text, tuple(spans))


# --- what python-docx sees in a document ------------------------------------


def chars(paragraph) -> tuple:
    """Each character of a paragraph with its formatting and link: (char, b, i, colour, ...)."""
    out = []
    for item in paragraph.iter_inner_content():
        runs, url = (item.runs, item.url) if isinstance(item, Hyperlink) else ([item], None)
        for run in runs:
            f = run.font
            look = (
                f.bold,
                f.italic,
                f.color.rgb and str(f.color.rgb),
                f.subscript,
                f.superscript,
                f.underline,
                url,
            )
            out.extend((c, *look) for c in run.text)
    return tuple(out)


def view(data: bytes) -> dict:
    """The structure a reader of the document sees, as comparable values."""
    d = docx.Document(io.BytesIO(data))

    def paras(ps) -> list:
        return [(p.style.name, p.text, chars(p)) for p in ps]

    def tables(ts) -> list:
        return [
            [[(paras(c.paragraphs), tables(c.tables)) for c in row.cells] for row in t.rows]
            for t in ts
        ]

    related = d.part.related_parts
    blips = [s._inline.graphic.graphicData.pic.blipFill.blip.embed for s in d.inline_shapes]
    notes = next(
        p for p in d.part.package.iter_parts() if str(p.partname).endswith("footnotes.xml")
    )
    root = docx.oxml.parse_xml(notes.blob)
    footer = d.sections[0].footer._element
    body = d.element.body
    return {
        "body": paras(d.paragraphs),
        "tables": tables(d.tables),
        "header": paras(d.sections[0].header.paragraphs),
        "footer": paras(d.sections[0].footer.paragraphs),
        "links": [(h.url, h.text) for p in d.paragraphs for h in p.hyperlinks],
        "images": [(r, hashlib.sha256(related[r].blob).hexdigest()) for r in blips],
        "fields": [t.text for t in footer.iter(qn("w:instrText"))]
        + [f.get(qn("w:instr")) for f in footer.iter(qn("w:fldSimple"))],
        "footnotes": ["".join(t.text for t in p.iter(qn("w:t"))) for p in root.iter(qn("w:p"))],
        "marks": [
            (e.tag.split("}")[1], e.get(qn("w:id"))) for e in body.iter() if e.get(qn("w:id"))
        ],
        "comments": [c.text for c in d.comments],
    }


def upper_view(v: dict) -> dict:
    """The view of a document whose translated text is the source's, upper-cased."""

    def up(x):
        if isinstance(x, str) and x not in STYLES and not x.startswith("https:"):
            return x.upper()
        if isinstance(x, list | tuple):
            return type(x)(up(i) for i in x)
        return x

    return {
        k: up(x) if k in ("body", "tables", "header", "footer", "footnotes") else x
        for k, x in v.items()
    } | {"links": [(u, t.upper()) for u, t in v["links"]]}


STYLES = {"Normal", "Heading 1", "Heading 2", "List Bullet", "Caption", "Header", "Footer"}


# --- (a) blocks and spans of the fixture ------------------------------------

BLOCKS = [
    ("Horizon Vert inaugure sa première centrale solaire flottante", []),
    (
        "Rennes, le 14 mars 2024. Horizon Vert annonce la mise en service de Lac-Azur, une "
        "centrale solaire flottante de 12 mégawatts installée sur l'ancienne carrière de "
        "Saint-Aubin.",
        [
            ("Horizon Vert", 0, False),
            ("Lac-Azur", 1, False),
            ("12 mégawatts", 2, False),
            ("", 3, True),
        ],
    ),
    ("Un projet citoyen", [("", 0, True), ("", 1, True)]),  # bookmark start and end
    (
        "Plus de 800 habitants ont financé le projet sur la plateforme Énergie Partagée. "
        "Les travaux ont duré onze mois.",
        [("Énergie Partagée", 0, False), ("Énergie Partagée", 1, False)],  # link, its format
    ),
    ("3 200 foyers alimentés chaque année", []),
    ("une baisse de 4 500 tonnes de CO2 par an", [("2", 0, False)]),
    ("une surface de 9 hectares, soit 15 % du plan d'eau", []),
    (
        "Le maire, Jean-Paul Morvan, salue un projet exemplaire pour la commune.",
        [("", 0, True), ("", 1, True)],  # comment range start; its end with the reference
    ),
    ("Chiffres clés", []),
    ("Indicateur", []),
    ("2023", []),
    ("2024", []),
    ("Production (GWh)", []),
    ("4,1", []),
    ("14,6", []),
    ("Emplois locaux", []),
    ("18", []),
    ("35", []),
    (ALT_TEXT, []),  # the image's wp:docPr descr, then its title: blocks of their own
    (ALT_TITLE, []),
    ("Figure 1 : la centrale Lac-Azur vue du ciel.", []),
    ("Horizon Vert 12 rue des Lilas, 35000 Rennes", [("Horizon Vert", 0, False), ("", 1, True)]),
    (
        "Communiqué de presse – Horizon Vert, énergies renouvelables",
        [("Communiqué de presse", 0, False)],
    ),
    (
        "Contact presse : Claire Dubois, 02 99 00 00 00 Page 1 sur 2",
        [("", 0, True), ("1", 1, True), ("2", 2, True)],  # tab, PAGE, NUMPAGES
    ),
    (
        "Puissance crête mesurée par l'institut Météo-Ouest en février 2024.",
        [("", 0, True), ("Météo-Ouest", 1, False)],  # footnote mark, italic
    ),
]


def test_fixture_blocks_texts_and_spans():
    parsed = read()
    assert parsed.encoding == "docx"
    assert parsed.warnings == ()
    assert parsed.layout.format == "docx"
    got = [
        (b.text, [(b.text[s.start : s.end], s.tag, s.protected) for s in b.spans])
        for b in parsed.blocks
    ]
    assert got == BLOCKS


def test_the_image_paragraph_is_no_block():
    # The picture alone has no text: its paragraph is kept as it is, its alt text read alone.
    texts = [b.text for b in read().blocks]
    assert "" not in texts
    assert len(texts) == len(BLOCKS)
    assert texts.index(ALT_TEXT) == texts.index("35") + 1


def test_tab_and_break_sit_after_the_space_they_stand_for():
    blocks = {b.text: b for b in read().blocks}
    address = blocks["Horizon Vert 12 rue des Lilas, 35000 Rennes"]
    assert address.spans[1] == Span(13, 13, 1, True)
    footer = blocks["Contact presse : Claire Dubois, 02 99 00 00 00 Page 1 sur 2"]
    assert footer.spans[0] == Span(47, 47, 0, True)


# --- (b) identity round trip ------------------------------------------------


@pytest.fixture(scope="module")
def identity() -> bytes:
    parsed = read()
    out = parsed.layout.render([sentences(b) for b in parsed.blocks])
    assert out == parsed.layout.render([sentences(b) for b in parsed.blocks])  # no shared state
    return out


@pytest.mark.parametrize(
    "part",
    [
        "body",
        "tables",
        "header",
        "footer",
        "links",
        "images",
        "fields",
        "footnotes",
        "marks",
        "comments",
    ],
)
def test_identity_round_trip_keeps(identity, part):
    assert view(identity)[part] == view(FIXTURE.read_bytes())[part]


def test_identity_round_trip_structure(identity):
    v = view(identity)
    styles = [s for s, _, _ in v["body"]]
    assert styles.count("Heading 1") == 1
    assert styles.count("Heading 2") == 2
    assert styles.count("List Bullet") == 3
    assert [len(t) for t in v["tables"]] == [3]
    assert v["links"] == [(URL, "Énergie Partagée")]
    assert v["fields"] == [" PAGE ", " NUMPAGES "]
    assert len(v["images"]) == 1


def test_identity_keeps_media_and_relationships_byte_for_byte(identity):
    with zipfile.ZipFile(FIXTURE) as src, zipfile.ZipFile(io.BytesIO(identity)) as out:
        assert src.read("word/media/image1.png") == out.read("word/media/image1.png")
        assert src.read("word/_rels/document.xml.rels") == out.read("word/_rels/document.xml.rels")
        xml = out.read("word/footer1.xml").decode()
    assert '<w:fldChar w:fldCharType="begin"/>' in xml
    assert '<w:instrText xml:space="preserve"> PAGE </w:instrText>' in xml
    assert '<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>2</w:t></w:r></w:fldSimple>' in xml
    assert "<w:r><w:tab/></w:r>" in xml


def test_identity_keeps_the_footnote_space_after_its_number(identity):
    assert (
        view(identity)["footnotes"][2]
        == " Puissance crête mesurée par l'institut Météo-Ouest en février 2024."
    )


def test_render_checks_the_block_count():
    parsed = read()
    with pytest.raises(ValueError, match="blocks given"):
        parsed.layout.render([])


def test_a_block_with_no_sentences_is_kept():
    parsed = read()
    out = parsed.layout.render([[] for _ in parsed.blocks])
    assert view(out) == view(FIXTURE.read_bytes())


# --- (c) targets that differ from the sources --------------------------------


def test_uppercased_targets_keep_formatting_per_character():
    parsed = read()
    out = parsed.layout.render([sentences(b, str.upper) for b in parsed.blocks])
    assert view(out) == upper_view(view(FIXTURE.read_bytes()))


def bold_runs(paragraph) -> list[str]:
    return [r.text for r in paragraph.runs if r.bold]


def test_english_with_spans_moved_puts_formatting_on_the_right_words():
    parsed = read()
    blocks = [sentences(b) for b in parsed.blocks]
    lead, link, address = parsed.blocks[1], parsed.blocks[3], parsed.blocks[21]
    blocks[1] = [
        english(
            lead,
            "Rennes, 14 March 2024. A floating solar plant of [2:12 megawatts] called [1:Lac-Azur]"
            " is now run by [0:Horizon Vert] in the old Saint-Aubin quarry.[3:]",
        )
    ]
    blocks[3] = [
        english(link, "On the [1:[0:Énergie Partagée]] platform, 800 people paid."),
        english(link, "The work took eleven months."),
    ]
    blocks[21] = [english(address, "[0:Horizon Vert] [1:]12 Lilac Street, 35000 Rennes")]
    d = docx.Document(io.BytesIO(parsed.layout.render(blocks)))
    lead_p, link_p, address_p = d.paragraphs[1], d.paragraphs[3], d.paragraphs[-1]
    assert lead_p.text == (
        "Rennes, 14 March 2024. A floating solar plant of 12 megawatts called Lac-Azur"
        " is now run by Horizon Vert in the old Saint-Aubin quarry."
    )
    assert bold_runs(lead_p) == ["12 megawatts", "Horizon Vert"]
    assert [r.text for r in lead_p.runs if r.italic] == ["Lac-Azur"]
    assert [r.text for r in lead_p.runs if r.font.color.rgb is not None] == ["12 megawatts"]
    assert lead_p._p.xpath("./w:r[last()]/w:footnoteReference")  # still last, in its own run
    assert link_p.text == (
        "On the Énergie Partagée platform, 800 people paid. The work took eleven months."
    )
    assert [(h.url, h.text) for h in link_p.hyperlinks] == [(URL, "Énergie Partagée")]
    assert link_p.hyperlinks[0].runs[0].font.underline is True
    assert address_p.text == "Horizon Vert\n12 Lilac Street, 35000 Rennes"  # no space by the break
    assert bold_runs(address_p) == ["Horizon Vert"]


def test_a_span_over_two_sentences_is_written_in_each():
    block = Block("Un mot. Deux mots.", (Span(3, 12, 0),))
    doc = docx.Document()
    p = doc.add_paragraph("Un ")
    p.add_run("mot. Deux").bold = True
    p.add_run(" mots.")
    data = save(doc)
    parsed = read(data)
    assert parsed.blocks == (block,)
    out = parsed.layout.render(
        [[Placed(0, 7, "A word.", (Span(2, 7, 0),)), Placed(8, 18, "Two words.", (Span(0, 3, 0),))]]
    )
    (para,) = docx.Document(io.BytesIO(out)).paragraphs
    assert para.text == "A word. Two words."
    assert bold_runs(para) == ["word. Two"]  # the joining space takes the formatting around it


# --- alternative text of drawings --------------------------------------------


def drawing_xml(data: bytes) -> list[bytes]:
    """The ``w:drawing`` elements of a document's body, as XML."""
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    return [etree.tostring(d) for d in root.iter(qn("w:drawing"))]


def doc_pr(data: bytes) -> list[dict[str, str]]:
    """The attributes of each wp:docPr, then of each pic:cNvPr, of a document's body."""
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    return [dict(e.attrib) for tag in ("wp:docPr", "pic:cNvPr") for e in root.iter(qn(tag))]


def test_uppercased_targets_write_the_alt_text_and_title_in_the_drawing():
    parsed = read()
    out = parsed.layout.render([sentences(b, str.upper) for b in parsed.blocks])
    docpr, cnvpr = doc_pr(out)
    assert docpr["descr"] == ALT_TEXT.upper()  # the two sentences joined by one space
    assert docpr["title"] == ALT_TITLE.upper()
    assert cnvpr["descr"] == ALT_TEXT.upper()  # the picture's copy of the alt text too
    assert "title" not in cnvpr
    assert docpr["name"] == "Picture 1"


def test_identity_targets_keep_the_drawing_xml(identity):
    assert drawing_xml(identity) == drawing_xml(FIXTURE.read_bytes())


INLINE_IMAGE = (
    "<w:p><w:r><w:t xml:space='preserve'>Le logo </w:t></w:r><w:r><w:drawing>"
    "<wp:inline><wp:extent cx='10' cy='10'/><wp:docPr id='{id}' name='Logo' {attrs}/>"
    "<a:graphic><a:graphicData uri='http://schemas.openxmlformats.org/drawingml/2006/picture'>"
    "<pic:pic><pic:nvPicPr><pic:cNvPr id='0' name='logo.png' {pic}/><pic:cNvPicPr/>"
    "</pic:nvPicPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    "<w:r><w:t xml:space='preserve'> est bleu.</w:t></w:r></w:p>"
)


def image(id: int, attrs: str = "", pic: str = "") -> str:
    return INLINE_IMAGE.format(id=id, attrs=attrs, pic=pic)


@pytest.mark.parametrize(
    ("attrs", "texts"),
    [
        ("", []),
        ("descr=''", []),
        ("descr=' &#10; ' title='\t'", []),
        ("title='Logo bleu'", ["Logo bleu"]),
        ("descr='Un  logo\n bleu' title='Logo'", ["Un logo bleu", "Logo"]),
    ],
    ids=["none", "empty", "blank", "title-only", "both"],
)
def test_alt_text_blocks_follow_their_paragraph(attrs, texts):
    parsed = read(with_body(image(1, attrs) + "<w:p><w:r><w:t>Fin</w:t></w:r></w:p>"))
    assert [b.text for b in parsed.blocks] == ["Le logo est bleu.", *texts, "Fin"]
    assert all(b.spans == () for b in parsed.blocks[1:])


def test_a_twin_alt_text_is_written_only_where_it_held_the_same_french():
    xml = image(1, "descr='Logo'", "descr='Logo'") + image(2, "descr='Logo'", "descr='Autre'")
    parsed = read(with_body(xml))
    assert [b.text for b in parsed.blocks] == ["Le logo est bleu.", "Logo"] * 2
    out = parsed.layout.render([sentences(b, str.upper) for b in parsed.blocks])
    assert [a.get("descr") for a in doc_pr(out)] == ["LOGO", "LOGO", "LOGO", "Autre"]


def test_an_alt_text_with_no_sentences_or_the_same_text_is_kept():
    parsed = read(with_body(image(1, "descr='Un  logo'")))
    assert [b.text for b in parsed.blocks] == ["Le logo est bleu.", "Un logo"]
    for alt in ([], [Placed(0, 7, "Un logo", ())]):
        out = parsed.layout.render([sentences(parsed.blocks[0]), alt])
        assert doc_pr(out)[0]["descr"] == "Un  logo"


# --- small documents for the rarer structures --------------------------------


def save(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def with_body(xml: str) -> bytes:
    """A document whose body holds ``xml`` (in the w, r, v, mc, wps, wp, a, pic namespaces)."""
    from docx.oxml import parse_xml

    doc = docx.Document()
    body = doc.element.body
    ns = (
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
    )
    for child in parse_xml(f"<w:body {ns}>{xml}</w:body>"):
        body.insert(len(body) - 1, child)
    return save(doc)


TEXT_BOX = (
    "<w:p><w:r><w:t>Avant la boîte</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires='wps'>"
    "<wps:txbx><w:txbxContent><w:p><w:r><w:t>Dans la boîte</w:t></w:r></w:p></w:txbxContent>"
    "</wps:txbx></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r>"
    "<w:t>Dans la boîte</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict>"
    "</mc:Fallback></mc:AlternateContent></w:r></w:p>"
)


def test_text_box_paragraphs_come_after_their_paragraph_once():
    parsed = read(with_body(TEXT_BOX))
    assert [b.text for b in parsed.blocks] == ["Avant la boîte", "Dans la boîte"]
    out = parsed.layout.render([sentences(b, str.upper) for b in parsed.blocks])
    xml = zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml").decode()
    # The DrawingML box is translated, its VML twin for old Word stays as it was.
    assert (
        "<w:p><w:r><w:t>AVANT LA BOÎTE</w:t></w:r><w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><wps:txbx><w:txbxContent><w:p><w:r><w:t>DANS LA BOÎTE</w:t>'
        "</w:r></w:p></w:txbxContent></wps:txbx></mc:Choice><mc:Fallback><w:pict><v:shape>"
        "<v:textbox><w:txbxContent><w:p><w:r><w:t>Dans la boîte</w:t></w:r></w:p>"
    ) in xml


FIELD_OVER_PARAGRAPHS = (
    "<w:p><w:r><w:t xml:space='preserve'>Sommaire </w:t></w:r>"
    "<w:r><w:fldChar w:fldCharType='begin'/></w:r><w:r><w:instrText>TOC \\o</w:instrText></w:r>"
    "<w:r><w:fldChar w:fldCharType='separate'/></w:r><w:r><w:t>Introduction</w:t></w:r></w:p>"
    "<w:p><w:r><w:t>Chapitre premier</w:t></w:r></w:p>"
    "<w:p><w:r><w:t>Annexe</w:t></w:r><w:r><w:fldChar w:fldCharType='end'/></w:r>"
    "<w:r><w:t xml:space='preserve'> et la suite.</w:t></w:r></w:p>"
)


def test_a_field_over_paragraphs_is_protected_in_each():
    parsed = read(with_body(FIELD_OVER_PARAGRAPHS))
    got = [(b.text, [(s.start, s.end, s.protected) for s in b.spans]) for b in parsed.blocks]
    assert got == [
        ("Sommaire Introduction", [(9, 21, True)]),
        ("Annexe et la suite.", [(0, 6, True)]),
    ]
    out = parsed.layout.render([sentences(b, str.upper) for b in parsed.blocks])
    texts = [p.text for p in docx.Document(io.BytesIO(out)).paragraphs]
    assert texts == ["SOMMAIRE Introduction", "Chapitre premier", "Annexe ET LA SUITE."]


def test_a_field_crossing_a_link_end_keeps_its_paragraph_with_a_warning():
    xml = (
        "<w:p><w:hyperlink w:anchor='x'><w:r><w:t xml:space='preserve'>Voir </w:t></w:r><w:r>"
        "<w:fldChar w:fldCharType='begin'/></w:r></w:hyperlink><w:r><w:instrText>PAGE</w:instrText>"
        "</w:r><w:r><w:fldChar w:fldCharType='end'/></w:r></w:p>"
        "<w:p><w:r><w:t>Suite</w:t></w:r></w:p>"
    )
    parsed = read(with_body(xml))
    assert [b.text for b in parsed.blocks] == ["Suite"]
    assert len(parsed.warnings) == 1
    assert "kept in French" in parsed.warnings[0]


def test_tabs_and_breaks_take_the_place_of_a_space():
    xml = "<w:p><w:r><w:t>Nom</w:t><w:tab/><w:t>Valeur</w:t><w:br/><w:t>Fin</w:t></w:r></w:p>"
    parsed = read(with_body(xml))
    (block,) = parsed.blocks
    assert block.text == "Nom Valeur Fin"
    # The tab is placed before the space in the English, the break after it.
    target = Placed(0, 14, "Name Value End", (Span(4, 4, 0, True), Span(11, 11, 1, True)))
    out = parsed.layout.render([[target]])
    (para,) = docx.Document(io.BytesIO(out)).paragraphs
    assert para.text == "Name\tValue\nEnd"


def test_an_empty_linked_image_is_one_protected_span_and_plain_tags_are_text():
    xml = (
        "<w:p><w:r><w:t xml:space='preserve'>Écrire à </w:t></w:r><w:r><w:t>a@b.fr</w:t></w:r>"
        "<w:hyperlink r:id='rId99'><w:r><w:drawing/></w:r></w:hyperlink></w:p>"
    )
    parsed = read(with_body(xml))
    (block,) = parsed.blocks
    assert block.text == "Écrire à a@b.fr"
    assert block.spans == (Span(15, 15, 0, True),)
    target = Placed(0, 15, "Write to a@b.fr", (Span(9, 15, -1, True), Span(15, 15, 0, True)))
    out = parsed.layout.render([[target]])
    xml_out = zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml").decode()
    assert "<w:r><w:t>Write to a@b.fr</w:t></w:r><w:hyperlink" in xml_out
    assert '<w:hyperlink r:id="rId99"><w:r><w:drawing/></w:r></w:hyperlink>' in xml_out


# --- the pipeline's projection with the identity alignment (the copy model) ---


def copied(parsed) -> list[list[Placed]]:
    """Each block's sentences as the pipeline places them when the English is the French."""
    out = []
    for block in parsed.blocks:
        placed = []
        for start, text, spans in block_sentences(block):
            stripped = strip_protected(text, spans)
            identity = tuple((i, i) for i in range(len(stripped.text.split())))
            result = project(text, spans, stripped, stripped.text, identity)
            placed.append(Placed(start, start + len(text), result.target, result.spans))
        out.append(placed)
    return out


def body_paragraphs(data: bytes) -> list[str]:
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    return re.findall(r"<w:p>.*?</w:p>", xml)


TAB = "<w:r><w:tab/><w:t>Le texte de la note est ici.</w:t></w:r>"
TAB_OUT = "<w:r><w:tab/></w:r><w:r><w:t>Le texte de la note est ici.</w:t></w:r>"
SYM = '<w:r><w:sym w:font="Wingdings" w:char="F0E0"/></w:r>'
NOTE = '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
BOLD = "<w:rPr><w:b/></w:rPr>"
DATE = 'w:author="A" w:date="2024-01-01T00:00:00Z"'
COMMENT_REF = (
    '<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:commentReference w:id="0"/></w:r>'
)

# (paragraph XML, the English paragraph XML written after the copy model's
# translation): a correct run gives the same document, tracked changes accepted.
COPY_CASES = [
    # A tab right after a kept element (LibreOffice's footnote text; a symbol).
    pytest.param(SYM + TAB, SYM + TAB_OUT, id="symbol-then-tab"),
    pytest.param(NOTE + TAB, NOTE + TAB_OUT, id="footnote-mark-then-tab"),
    pytest.param(
        NOTE + "<w:r><w:tab/><w:t>Voir le </w:t></w:r><w:r>" + BOLD + "<w:t>rapport</w:t></w:r>"
        "<w:r><w:t>. Il est long.</w:t></w:r>",
        NOTE
        + '<w:r><w:tab/></w:r><w:r><w:t xml:space="preserve">Voir le </w:t></w:r><w:r>'
        + BOLD
        + "<w:t>rapport</w:t></w:r><w:r><w:t>. Il est long.</w:t></w:r>",
        id="footnote-mark-tab-two-sentences",
    ),
    pytest.param(
        NOTE + SYM + "<w:r><w:br/></w:r>" + TAB,
        NOTE + SYM + "<w:r><w:br/></w:r>" + TAB_OUT,
        id="four-kept-elements-at-the-start",
    ),
    pytest.param(TAB, TAB_OUT, id="leading-tab-alone"),
    pytest.param(
        "<w:r><w:t>Nom :</w:t><w:tab/><w:t>Jean</w:t></w:r>",
        "<w:r><w:t>Nom :</w:t></w:r><w:r><w:tab/></w:r><w:r><w:t>Jean</w:t></w:r>",
        id="tab-between-words",
    ),
    # Tracked changes: deletions and moved-away text dropped, insertions plain text.
    pytest.param(
        f'<w:r><w:t xml:space="preserve">Le comité a </w:t></w:r><w:del w:id="1" {DATE}><w:r>'
        f'<w:delText xml:space="preserve">refusé </w:delText></w:r></w:del><w:ins w:id="2" {DATE}>'
        '<w:r><w:t xml:space="preserve">approuvé </w:t></w:r></w:ins><w:r><w:t>la proposition.'
        "</w:t></w:r>",
        "<w:r><w:t>Le comité a approuvé la proposition.</w:t></w:r>",
        id="deletion-and-insertion",
    ),
    pytest.param(
        f'<w:r><w:t xml:space="preserve">Le texte </w:t></w:r><w:moveFrom w:id="3" {DATE}><w:r>'
        f'<w:t xml:space="preserve">déplacé </w:t></w:r></w:moveFrom><w:r><w:t>reste</w:t></w:r>'
        f'<w:moveTo w:id="4" {DATE}><w:r><w:t xml:space="preserve"> ici</w:t></w:r></w:moveTo>'
        "<w:r><w:t>.</w:t></w:r>",
        "<w:r><w:t>Le texte reste ici.</w:t></w:r>",
        id="move-from-and-to",
    ),
    pytest.param(
        '<w:hyperlink w:anchor="x"><w:r><w:t xml:space="preserve">Le lien </w:t></w:r>'
        f'<w:del w:id="5" {DATE}><w:r><w:delText xml:space="preserve">ancien </w:delText></w:r>'
        "</w:del><w:r><w:t>nouveau</w:t></w:r></w:hyperlink><w:r>" + BOLD + "<w:t>.</w:t></w:r>",
        '<w:hyperlink w:anchor="x"><w:r><w:t>Le lien nouveau</w:t></w:r></w:hyperlink>'
        "<w:r>" + BOLD + "<w:t>.</w:t></w:r>",
        id="deletion-in-a-link",
    ),
    # The comment reference stays right after its range's end.
    pytest.param(
        '<w:r><w:t xml:space="preserve">Cette phrase contient </w:t></w:r>'
        '<w:commentRangeStart w:id="0"/><w:r><w:t>un passage commenté</w:t></w:r>'
        '<w:commentRangeEnd w:id="0"/>' + COMMENT_REF + '<w:r><w:t xml:space="preserve"> par le '
        "relecteur.</w:t></w:r>",
        '<w:r><w:t xml:space="preserve">Cette phrase contient </w:t></w:r>'
        '<w:commentRangeStart w:id="0"/><w:r><w:t>un passage commenté</w:t></w:r>'
        '<w:commentRangeEnd w:id="0"/>' + COMMENT_REF + '<w:r><w:t xml:space="preserve"> par le '
        "relecteur.</w:t></w:r>",
        id="comment-in-the-middle",
    ),
    pytest.param(
        '<w:commentRangeStart w:id="0"/><w:r><w:t>Tout est commenté.</w:t></w:r>'
        '<w:commentRangeEnd w:id="0"/>' + COMMENT_REF + "<w:r><w:t> Pas ceci.</w:t></w:r>",
        '<w:commentRangeStart w:id="0"/><w:r><w:t>Tout est commenté.</w:t></w:r>'
        '<w:commentRangeEnd w:id="0"/>' + COMMENT_REF + '<w:r><w:t xml:space="preserve"> Pas '
        "ceci.</w:t></w:r>",
        id="comment-over-the-first-sentence",
    ),
    pytest.param(
        '<w:r><w:t xml:space="preserve">Une </w:t></w:r><w:commentRangeStart w:id="0"/><w:r>'
        '<w:t>fin</w:t></w:r><w:commentRangeEnd w:id="0"/>' + COMMENT_REF,
        '<w:r><w:t xml:space="preserve">Une </w:t></w:r><w:commentRangeStart w:id="0"/><w:r>'
        '<w:t>fin</w:t></w:r><w:commentRangeEnd w:id="0"/>' + COMMENT_REF,
        id="comment-at-the-end",
    ),
]


@pytest.mark.parametrize(("xml", "expected"), COPY_CASES)
def test_the_copy_model_gives_the_same_paragraph_back(xml, expected):
    parsed = read(with_body(f"<w:p>{xml}</w:p>"))
    (paragraph,) = body_paragraphs(parsed.layout.render(copied(parsed)))
    assert paragraph == f"<w:p>{expected}</w:p>"


def test_tracked_deletions_are_not_read():
    xml = (
        f'<w:p><w:r><w:t xml:space="preserve">Le comité a </w:t></w:r><w:del w:id="1" {DATE}>'
        f"<w:r><w:delText>refusé</w:delText></w:r></w:del><w:moveFrom w:id='2' {DATE}><w:r>"
        "<w:t>hier</w:t></w:r></w:moveFrom><w:r><w:t> la proposition.</w:t></w:r></w:p>"
    )
    (block,) = read(with_body(xml)).blocks
    assert block == Block("Le comité a la proposition.", ())


# --- (d) bad input -----------------------------------------------------------


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def fixture_with(name: str, data: bytes | None) -> bytes:
    """The fixture with one zip entry replaced (``None``: removed)."""
    with zipfile.ZipFile(FIXTURE) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    if data is None:
        del entries[name]
    else:
        entries[name] = data
    return zip_of(entries)


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # an old .doc, renamed


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Ceci n'est pas un document Word.", "not a Word document (not a zip file)"),
        (OLE, "not a Word document (not a zip file)"),
        (b"", "not a Word document (not a zip file)"),
        (FIXTURE.read_bytes()[:5000], "not a Word document (not a zip file)"),
        (zip_of({"bonjour.txt": b"salut"}), "not a Word document (no [Content_Types].xml"),
        (fixture_with("word/document.xml", None), "no word/document.xml"),
        (fixture_with("word/document.xml", b"<w:document><w:body>"), "corrupt XML"),
        (fixture_with("word/footer1.xml", b"\x00\x01"), "corrupt XML"),
        (fixture_with("word/footnotes.xml", b"<w:footnotes"), "corrupt XML"),
        (
            fixture_with(
                "[Content_Types].xml",
                zipfile.ZipFile(FIXTURE)
                .read("[Content_Types].xml")
                .replace(b"wordprocessingml.document.main+xml", b"spreadsheetml.sheet.main+xml"),
            ),
            "content type is 'application/vnd.openxmlformats-officedocument.spreadsheetml",
        ),
    ],
    ids=[
        "text",
        "old-doc",
        "empty",
        "truncated",
        "other-zip",
        "no-document",
        "corrupt-document",
        "corrupt-footer",
        "corrupt-footnotes",
        "spreadsheet",
    ],
)
def test_bad_input_is_one_input_error(data, reason):
    with pytest.raises(InputError) as caught:
        read(data)
    assert reason in caught.value.reason
    assert "\n" not in caught.value.reason
    assert str(caught.value).startswith("doc.docx: not a Word document (")


# --- LibreOffice opens the output --------------------------------------------


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not on PATH")
def test_libreoffice_writer_opens_the_english_document(tmp_path):
    parsed = read()
    source = tmp_path / "press-release.en.docx"
    source.write_bytes(parsed.layout.render([sentences(b, str.upper) for b in parsed.blocks]))
    lock = Path(tempfile.gettempdir()) / "translate-cli-soffice.lock"
    # One soffice at a time: parallel runs of the suite would fight over it.
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        done = subprocess.run(
            [
                SOFFICE or "soffice",
                f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                "--headless",
                "--convert-to",
                "txt:Text (encoded):UTF8",
                "--outdir",
                str(tmp_path / "out"),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    made = tmp_path / "out" / "press-release.en.txt"
    if "source file could not be loaded" in done.stderr + done.stdout and not made.exists():
        pytest.skip("LibreOffice Writer is not installed: apt-get install libreoffice-writer-nogui")
    assert done.returncode == 0, done.stderr
    text = made.read_text(encoding="utf-8-sig")
    assert "HORIZON VERT INAUGURE SA PREMIÈRE CENTRALE SOLAIRE FLOTTANTE" in text
    assert "PLUS DE 800 HABITANTS ONT FINANCÉ LE PROJET SUR LA PLATEFORME ÉNERGIE PARTAGÉE." in text
    assert "PRODUCTION (GWH)" in text


def test_each_header_part_is_read_once_over_sections():
    doc = docx.Document()
    doc.sections[0].header.paragraphs[0].text = "En-tête commun"
    doc.add_paragraph("Première partie.")
    doc.add_section()  # linked to the previous header: no header part of its own
    doc.add_paragraph("Seconde partie.")
    third = doc.add_section()
    third.header.is_linked_to_previous = False
    third.header.paragraphs[0].text = "En-tête de l'annexe"
    parsed = read(save(doc))
    assert [b.text for b in parsed.blocks] == [
        "Première partie.",
        "Seconde partie.",
        "En-tête commun",
        "En-tête de l'annexe",
    ]
    out = parsed.layout.render([sentences(b, str.upper) for b in parsed.blocks])
    d = docx.Document(io.BytesIO(out))
    assert [s.header.paragraphs[0].text for s in d.sections] == [
        "EN-TÊTE COMMUN",
        "EN-TÊTE COMMUN",
        "EN-TÊTE DE L'ANNEXE",
    ]
