from __future__ import annotations

import codecs
import unicodedata

import pytest

from translate_cli.document import decode, document_from_text, paragraphs_of, read_document
from translate_cli.errors import InputError

from .conftest import SAMPLES, SEED

FRENCH = "L’été à Noël, déjà « très » cher. Ça coûte 3 € !"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (FRENCH.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + FRENCH.encode("utf-8"), "utf-8-sig"),
        (FRENCH.encode("utf-16"), "utf-16"),
        (FRENCH.encode("utf-16-le"), "utf-16-le"),
        (FRENCH.encode("cp1252"), "cp1252"),
        (FRENCH.encode("mac_roman"), "mac_roman"),
    ],
)
def test_decode_detects_encoding(data, encoding):
    text, used = decode(data, "x.txt")
    assert text == FRENCH
    assert used == encoding


def test_latin1_decodes_as_its_superset_cp1252():
    text, used = decode("Déjà l'été à Noël.".encode("latin-1"), "x.txt")
    assert (text, used) == ("Déjà l'été à Noël.", "cp1252")


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", b"abc\x00def", bytes(range(256)) * 8],
)
def test_binary_is_refused(data):
    with pytest.raises(InputError, match="not a text file"):
        decode(data, "img.png")


def test_crlf_and_nfc(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Été déjà.")
    path = tmp_path / "a.txt"
    path.write_bytes(codecs.BOM_UTF8 + f"{decomposed}\r\nLigne deux.\r\n".encode())
    doc = read_document(path)
    assert doc.paragraphs == ("Été déjà.", "Ligne deux.")
    assert doc.separator == "\n"
    assert doc.encoding == "utf-8-sig"


def test_seed_keeps_one_paragraph_per_line():
    doc = read_document(SEED)
    lines = [line for line in SEED.read_text().splitlines() if line.strip()]
    assert len(doc.paragraphs) == len(lines) == 7
    assert doc.paragraphs[1] == doc.paragraphs[4]  # the repeated paragraphs


def test_blank_line_document_is_unwrapped_and_headline_kept():
    doc = read_document(SAMPLES / "marche-lyon.fr.txt")
    assert doc.separator == "\n\n"
    assert doc.paragraphs[0] == "Le marché couvert de Lyon rouvre ses portes"
    assert len(doc.paragraphs) == 4
    assert doc.paragraphs[1].startswith("Après dix-huit mois de travaux, le marché couvert de la")
    assert "\n" not in "".join(doc.paragraphs)
    assert "Croix-Rousse a rouvert" in doc.paragraphs[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Headline over its paragraph, no blank line: line document, kept apart.
        (
            "Titre sans point\nLe texte commence ici.",
            ("Titre sans point", "Le texte commence ici."),
        ),
        # A line that stops mid-sentence before a lowercase word is rejoined.
        ("Il a dit que la\nréunion aura lieu.", ("Il a dit que la réunion aura lieu.",)),
        # Blank-line document: wrapped lines joined, short headline kept.
        (
            "Titre\n\nUne longue ligne qui continue sur\nla ligne suivante sans rupture.\n",
            ("Titre", "Une longue ligne qui continue sur la ligne suivante sans rupture."),
        ),
        # List items in a block stay items.
        (
            "Liste :\n\n- un élément\n- un autre élément",
            ("Liste :", "- un élément", "- un autre élément"),
        ),
        ("", ()),
        ("  \n\n \n", ()),
    ],
)
def test_paragraph_rules(text, expected):
    assert paragraphs_of(text)[0] == expected


def test_lone_surrogates_become_replacement_characters():
    doc = document_from_text("a\ud800b.")
    assert doc.paragraphs == ("a\ufffdb.",)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p, "no such file"),
        (lambda p: p.mkdir() or p, "is a directory"),
    ],
)
def test_unreadable_paths_name_the_file(tmp_path, make, reason):
    path = make(tmp_path / "x.txt")
    with pytest.raises(InputError, match=reason) as info:
        read_document(path)
    assert str(path) in str(info.value)
