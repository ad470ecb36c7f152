"""Words cut at a line end in capitals, after a prefix, and before an apostrophe.

Each finding of the real-world text tests (issue 12) is a kind of break: the
tester's examples come first in each table, then further ones of the kind.
"""

from __future__ import annotations

import pytest

from translate_cli.document import paragraphs_of


def _paragraph(text: str) -> str:
    (paragraph,) = paragraphs_of(text)[0]
    return paragraph


# F6: text in capitals is decided on its lower-case forms, not kept by the
# capital rule, which is for a Capitalised rest only.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LA POLITIQUE DU GOUVER-\nNEMENT EN MATIÈRE", "LA POLITIQUE DU GOUVERNEMENT EN MATIÈRE"),
        ("EN MATIÈRE DE DÉVELOPPE-\nMENT DURABLE", "EN MATIÈRE DE DÉVELOPPEMENT DURABLE"),
        ("LA COM-\nMISSION SE RÉUNIT", "LA COMMISSION SE RÉUNIT"),
        ("UN ACCORD INTER-\nNATIONAL EST SIGNÉ", "UN ACCORD INTERNATIONAL EST SIGNÉ"),
        # A compound in capitals keeps its hyphen, as in lower case.
        ("IL VIENDRA PEUT-\nÊTRE DEMAIN", "IL VIENDRA PEUT-ÊTRE DEMAIN"),
        ("UN PORTE-\nPAROLE A PARLÉ", "UN PORTE-PAROLE A PARLÉ"),
        # A Capitalised rest still keeps it.
        ("Il habite à Saint-\nÉtienne depuis 2010.", "Il habite à Saint-Étienne depuis 2010."),
        ("Il a vu Jean-\nPierre hier.", "Il a vu Jean-Pierre hier."),
    ],
)
def test_words_in_capitals_cut_at_line_ends(text, expected):
    assert _paragraph(text) == expected


# F7: a prefix the word list writes with its hyphen keeps it when the joined
# form is no word; syllable breaks are still joined.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L'ex-\nprésident a parlé.", "L'ex-président a parlé."),
        ("Il a revu son ex-\nfemme hier.", "Il a revu son ex-femme hier."),
        ("Il a vu un ex-\nministre hier.", "Il a vu un ex-ministre hier."),
        ("Le vice-\nrecteur a parlé.", "Le vice-recteur a parlé."),
        ("Un pseudo-\nexpert a parlé.", "Un pseudo-expert a parlé."),
        ("La sous-\ntraitance coûte cher.", "La sous-traitance coûte cher."),
        ("La quasi-\ntotalité des élus.", "La quasi-totalité des élus."),
        # Syllable breaks: the joined form is a word, or neither half is a prefix.
        ("Le gouver-\nnement a parlé.", "Le gouvernement a parlé."),
        ("Un accord inter-\nnational est signé.", "Un accord international est signé."),
        ("Le déve-\nloppement durable.", "Le développement durable."),
        ("telle qu'on la com-\nprend aujourd'hui", "telle qu'on la comprend aujourd'hui"),
        ("Un auto-\nportrait est exposé.", "Un autoportrait est exposé."),
        ("Une loi anti-\nconstitutionnelle.", "Une loi anticonstitutionnelle."),
    ],
)
def test_hyphenated_prefixes_cut_at_line_ends(text, expected):
    assert _paragraph(text) == expected


@pytest.mark.xfail(
    reason="the word list has no néo- compound, nor néozélandais or zélandais: no evidence",
    strict=True,
)
def test_neo_zelandais_keeps_its_hyphen():
    assert (
        _paragraph("un ministre néo-\nzélandais à Paris.") == "un ministre néo-zélandais à Paris."
    )


# F7b: the rest of the word is read through an apostrophe.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le rapport publié aujour-\nd'hui montre", "Le rapport publié aujourd'hui montre"),
        ("montre que quel-\nqu'un a volé", "montre que quelqu'un a volé"),
        ("publié aujour-\nd\u2019hui montre", "publié aujourd\u2019hui montre"),
        ("Il vit sur une pres-\nqu'île bretonne.", "Il vit sur une presqu'île bretonne."),
        ("Il part lors-\nqu'il pleut.", "Il part lorsqu'il pleut."),
        ("Il attend jus-\nqu'à demain.", "Il attend jusqu'à demain."),
        # A compound with an elided word, and the euphonic -t-, keep theirs.
        ("Un chef-\nd'oeuvre est exposé.", "Un chef-d'oeuvre est exposé."),
        ("Que va-t-\nil faire ?", "Que va-t-il faire ?"),
    ],
)
def test_words_cut_before_an_apostrophe(text, expected):
    assert _paragraph(text) == expected
