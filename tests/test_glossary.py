"""Glossaries: reading TSV, CSV, TBX and DNT lists, and finding terms in French.

The tables are documentation: each row is an input, what the glossary makes
of it, and the rule it pins down.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from translate_cli import glossary as glossary_module
from translate_cli.errors import InputError
from translate_cli.glossary import Glossary, Term, TermMatch, plural_english

FIXTURES = Path(__file__).parent / "fixtures" / "glossary"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# --- reading -----------------------------------------------------------------

READ_CASES: list[tuple[str, list[tuple[str, str, str, int]]]] = [
    # file, [(french, english, note, line)] in reading order
    (
        "terms.tsv",  # no BOM, note column last, a quote inside a cell
        [
            ("centrale nucléaire", "nuclear power plant", "EDF usage", 2),
            ("Assemblée nationale", "National Assembly", "", 3),
            ("Assemblée", "Assembly", "", 4),
            ("projet de loi", "bill", 'not "draft law"', 5),
            ("porte-parole", "spokesperson", "", 6),
            ("chef d'État", "head of state", "", 7),
        ],
    ),
    (
        "terms.csv",  # BOM, header in another order and case, a quoted comma
        [
            ("Assemblée nationale", "National Assembly", "lower house, Palais Bourbon", 2),
            ("Sénat", "Senate", "", 3),
            ("député", "member of parliament", "", 4),
        ],
    ),
    (
        "tbx2.tbx",  # martif, tig and ntig, fr-FR/en-GB, deprecated English skipped
        [
            ("centrale nucléaire", "nuclear power plant", "energy; IAEA usage", 13),
            ("centrale atomique", "nuclear power plant", "energy; older usage; IAEA usage", 17),
            ("Assemblée nationale", "National Assembly", "chambre basse du Parlement", 38),
            ("Brexit", "Brexit", "", 47),
        ],
    ),
    (
        "tbx3.tbx",  # tbx namespace, conceptEntry/langSec/termSec, preferred English
        [
            (
                "centrale nucléaire",
                "nuclear power plant",
                "A plant that produces electricity from nuclear fission.",
                13,
            ),
            ("député", "member of parliament", "", 30),
            ("députée", "member of parliament", "feminine", 31),
        ],
    ),
]


@pytest.mark.parametrize(("name", "expected"), READ_CASES, ids=[c[0] for c in READ_CASES])
def test_reads_each_glossary_format(name: str, expected: list[tuple[str, str, str, int]]):
    path = FIXTURES / name
    terms = Glossary.load([path]).terms
    assert [(t.french, t.english, t.note, t.source) for t in terms] == [
        (fr, en, note, f"{path}:{line}") for fr, en, note, line in expected
    ]


@pytest.mark.parametrize("name", ["tbx2.tbx", "tbx3.tbx"])
def test_tbx_entries_without_both_languages_are_skipped_and_reported(name: str):
    glossary = Glossary.load([FIXTURES / name])
    assert glossary.warnings == (
        f"{FIXTURES / name}: 1 entry without a French and an English term skipped",
    )


def test_tbx_reading_agrees_with_translate_toolkit():
    """Cross-check on the TBX 2 fixture against translate-toolkit (GPL, tests only).

    translate-toolkit reads ``tig`` terms with their notes; for ``ntig`` it
    gives only the language section's text, so only the pair is compared there.
    Its notes include ``termNote`` values (part of speech), which are no note here.
    """
    from translate.storage import tbx

    path = FIXTURES / "tbx2.tbx"
    store = tbx.tbxfile.parsestring(path.read_bytes())
    expected: set[tuple[str, str, frozenset[str] | None]] = set()
    for unit in store.units:
        by_language: dict[str, list[tbx.TBXTerm]] = {}
        plain: dict[str, str] = {}
        for node in unit.getlanguageNodes():
            code = node.get(XML_LANG)
            by_language[code.split("-")[0]] = unit.get_target_terms(code)
            plain[code.split("-")[0]] = unit.gettarget(code)
        if "fr" not in plain or "en" not in plain:
            continue
        if not by_language["fr"]:  # ntig
            expected.add((plain["fr"], plain["en"], None))
            continue
        english = next(t for t in by_language["en"] if not t.deprecated)
        for french in by_language["fr"]:
            notes = {n.text for n in (*french.notes, *english.notes) if n.origin != "pos"}
            expected.add((french.text, english.text, frozenset(notes)))
    ours = {
        (t.french, t.english, frozenset(filter(None, t.note.split("; "))))
        for t in Glossary.load([path]).terms
    }
    assert {(fr, en, notes) for fr, en, notes in expected if notes is not None} <= ours
    assert {(fr, en) for fr, en, _ in expected} == {(fr, en) for fr, en, _ in ours}
    assert len(expected) == 4


def test_dnt_list_skips_comments_and_blank_lines():
    path = FIXTURES / "dnt.txt"
    terms = Glossary.load([], [path]).terms
    assert [(t.french, t.source) for t in terms] == [
        ("Brexit", f"{path}:3"),
        ("Élysée", f"{path}:4"),
        ("Les Républicains", f"{path}:6"),
    ]
    assert all(t.dnt and t.english == t.french for t in terms)


def test_a_term_is_dnt_only_when_its_english_is_its_french_exactly():
    assert Term("Brexit", "Brexit").dnt
    assert not Term("brexit", "Brexit").dnt
    assert not Term("Sénat", "Senate").dnt


BAD_FILES: list[tuple[str, bytes, str]] = [
    # file name, content, the reason after "path: "
    ("no-header.tsv", b"centrale\tplant\n", r"line 1: the header must name the columns fr and en"),
    ("empty.csv", b"\n\n", r"line 1: no header row"),
    ("twice.csv", b"fr,en,FR\na,b,c\n", r"line 1: column 'fr' named twice"),
    ("no-english.csv", b"fr,en\nS\xc3\xa9nat,\n", r"line 2: no English term \(en\) for 'Sénat'"),
    ("no-french.tsv", b"fr\ten\n\n\tSenate\n", r"line 3: no French term \(fr\)"),
    ("wide.csv", b"fr,en\nloi,act,law\n", r"line 2: 3 cells but the header names 2 columns"),
    ("latin1.tsv", b"fr\ten\nloi\tact\nS\xe9nat\tSenate\n", r"line 3: not UTF-8 \(byte 0xe9\)"),
    ("no-word.csv", b"fr,en\n---,dash\n", r"line 2: the French term '---' has no word"),
    ("tab.txt", b"Brexit\nSenat\tSenate\n", r"line 2: a tab; a DNT list holds one term per line"),
    ("broken.tbx", b"<martif>\n<text>\n</martif>\n", r"line 3: not well-formed XML: "),
    ("html.tbx", b"<html><body/></html>", r"line 1: not TBX: the root is <html>"),
    (
        "empty-term.tbx",
        b'<martif><text><body><termEntry>\n<langSet xml:lang="fr"><tig><term> </term></tig>'
        b'</langSet>\n<langSet xml:lang="en"><tig><term>x</term></tig></langSet>'
        b"</termEntry></body></text></martif>",
        r"line 2: empty <term>",
    ),
    ("glossary.txt-as-glossary.json", b"{}", r"unknown glossary type '.json'"),
]


@pytest.mark.parametrize(("name", "content", "reason"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_files_fail_in_one_line_naming_file_and_line(
    tmp_path: Path, name: str, content: bytes, reason: str
):
    path = tmp_path / name
    path.write_bytes(content)
    dnt = name.endswith(".txt")
    with pytest.raises(InputError) as info:
        Glossary.load([] if dnt else [path], [path] if dnt else [])
    message = str(info.value)
    assert "\n" not in message
    assert info.value.path == path
    assert re.match(re.escape(f"{path}: ") + reason, message), message


def test_a_missing_file_is_one_line(tmp_path: Path):
    with pytest.raises(InputError, match=r"gone\.tsv: no such file$"):
        Glossary.load([tmp_path / "gone.tsv"])


def test_tbx_entities_are_never_resolved(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    path = tmp_path / "xxe.tbx"
    path.write_text(
        f'<!DOCTYPE martif [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<martif><text><body><termEntry><langSet xml:lang="fr"><tig><term>loi &xxe;</term>'
        '</tig></langSet><langSet xml:lang="en"><tig><term>act</term></tig></langSet>'
        "</termEntry></body></text></martif>",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"xxe\.tbx: line 2: entity &xxe; is not expanded"):
        Glossary.load([path])


def test_a_later_file_wins_and_the_change_is_reported(tmp_path: Path):
    first = tmp_path / "a.tsv"
    first.write_text("fr\ten\nSénat\tSenate\nloi\tlaw\n", encoding="utf-8")
    second = tmp_path / "b.csv"
    second.write_text("fr,en\nsénat,French Senate\nloi,law\n", encoding="utf-8")
    glossary = Glossary.load([first, second])
    assert [(t.french, t.english) for t in glossary.terms] == [
        ("sénat", "French Senate"),
        ("loi", "law"),
    ]
    assert glossary.warnings == (
        f"{second}:2: 'sénat' → 'French Senate' replaces 'Senate' ({first}:2)",
    )


def test_terms_are_immutable():
    glossary = Glossary([Term("loi", "act")])
    with pytest.raises(dataclasses.FrozenInstanceError):
        glossary.terms[0].english = "law"  # type: ignore[misc]
    assert isinstance(glossary.terms, tuple)


# --- matching ----------------------------------------------------------------

GLOSSARY = Glossary(
    [
        Term("centrale nucléaire", "nuclear power plant"),
        Term("Assemblée nationale", "National Assembly"),
        Term("Assemblée", "Assembly"),
        Term("projet", "project"),
        Term("projet de loi", "bill"),
        Term("loi de finances rectificative", "amending finance act"),
        Term("député", "member of parliament"),
        Term("directeur général", "chief executive"),
        Term("chef d'État", "head of state"),
        Term("travaux publics", "public works"),
        Term("porte-parole", "spokesperson"),
        Term("parole", "speech"),
        Term("loi", "act"),
        Term("été indien", "Indian summer"),
        Term("ONG", "NGO"),
        Term("Brexit", "Brexit"),
        Term("Les Républicains", "Les Républicains"),
        Term("COVID-19", "COVID-19"),
        Term("mise en œuvre", "implementation"),
        Term("belle-mère", "mother-in-law"),
        Term("être humain", "human being"),
    ]
)

MATCH_CASES: list[tuple[str, list[tuple[str, str]], str]] = [
    # sentence, [(text found, English required)], rule
    (
        "Il a visité une centrale nucléaire.",
        [("centrale nucléaire", "nuclear power plant")],
        "plain",
    ),
    ("CENTRALE Nucléaire", [("CENTRALE Nucléaire", "nuclear power plant")], "case ignored"),
    (
        "Les centrales nucléaires ferment.",
        [("centrales nucléaires", "nuclear power plants")],
        "plural French, plural English",
    ),
    ("l'Assemblée nationale vote", [("Assemblée nationale", "National Assembly")], "longest first"),
    ("d’Assemblée générale", [("Assemblée", "Assembly")], "curly elision, shorter term"),
    ("les Assemblées", [("Assemblées", "Assemblies")], "consonant+y plural"),
    (
        "le projet de loi de finances rectificative",
        [("projet", "project"), ("loi de finances rectificative", "amending finance act")],
        "longest anywhere beats an earlier shorter overlap (projet de loi)",
    ),
    ("deux projets de loi", [("projets de loi", "bills")], "plural head, singular complement"),
    ("le chef d'Etat", [("chef d'Etat", "head of state")], "accents ignored within a lemma"),
    ("des députées", [("députées", "members of parliament")], "feminine plural"),
    # simplemma 2.0 gives "députée" itself as lemma but "député" to "députées":
    # a singular that is its own lemma takes its plural's.
    ("une députée", [("députée", "member of parliament")], "feminine singular"),
    ("la directrice générale", [("directrice générale", "chief executive")], "feminine"),
    ("des députés", [("députés", "members of parliament")], "plural head before 'of'"),
    ("les chefs d'État", [("chefs d'État", "heads of state")], "plural on the first word"),
    ("les travaux publics", [("travaux publics", "public works")], "plural term stays"),
    ("le travail public", [("travail public", "public works")], "no singular is made"),
    ("les ONG", [("ONG", "NGO")], "no -s to read: English as written"),
    ("un porte-parole", [("porte-parole", "spokesperson")], "hyphenated word"),
    ("des porte-paroles", [("porte-paroles", "spokespersons")], "hyphenated plural"),
    ("la parole est à vous", [("parole", "speech")], "the shorter term alone"),
    ("L'emploi et la loi", [("loi", "act")], "never inside a word (emploi)"),
    ("centrale, nucléaire", [], "punctuation between the words breaks a term"),
    ("centrale\u00a0nucléaire", [("centrale\u00a0nucléaire", "nuclear power plant")], "any space"),
    ("l'été indien", [("été indien", "Indian summer")], "elision before a term"),
    ("il est indien", [], "same lemma (être) without a shared stem is no match"),
    ("le BREXIT", [("BREXIT", "BREXIT")], "DNT: the source as found"),
    ("avec les républicains", [("les républicains", "les républicains")], "DNT, case kept"),
    ("la COVID-19 recule", [("COVID-19", "COVID-19")], "digits and hyphens"),
    ("les mises en œuvre", [("mises en œuvre", "implementations")], "lemma = term's form"),
    ("ses belles-mères", [("belles-mères", "mothers-in-law")], "hyphenated stems, part by part"),
    ("il est humain", [], "no stem shared with the term's infinitive (être)"),
    ("Rien à signaler ici.", [], "no term"),
]


@pytest.mark.parametrize(
    ("sentence", "expected", "rule"), MATCH_CASES, ids=[c[2] for c in MATCH_CASES]
)
def test_find(sentence: str, expected: list[tuple[str, str]], rule: str):
    matches = GLOSSARY.find(sentence)
    assert [(sentence[m.start : m.end], m.english) for m in matches] == expected, rule


def test_dnt_replacement_is_the_source_byte_for_byte():
    sentence = "Après le Brexit, BREXIT et brexit."
    found = [m.english for m in GLOSSARY.find(sentence)]
    assert found == ["Brexit", "BREXIT", "brexit"]
    assert [sentence.encode().count(e.encode()) for e in found] == [1, 1, 1]


def test_matches_carry_their_term():
    (match,) = GLOSSARY.find("les centrales nucléaires")
    assert match == TermMatch(4, 24, GLOSSARY.terms[0], "nuclear power plants")


PLURALS = [
    ("nuclear power plant", "nuclear power plants"),
    ("member of parliament", "members of parliament"),
    ("head of state", "heads of state"),
    ("Minister for Foreign Affairs", "Ministers for Foreign Affairs"),
    ("National Assembly", "National Assemblies"),
    ("bus", "buses"),
    ("tax", "taxes"),
    ("branch", "branches"),
    ("day", "days"),
    ("spokesman", "spokesmen"),
    ("human", "humans"),
    ("child", "children"),
    ("financial crisis", "financial crises"),
    ("life", "lives"),
    ("NGO", "NGOs"),
    ("legislation", "legislation"),
    ("public works", "public works"),
    ("by-election", "by-elections"),
    ("mother-in-law", "mothers-in-law"),
    ("COVID-19", "COVID-19"),
]


@pytest.mark.parametrize(("singular", "plural"), PLURALS)
def test_plural_english(singular: str, plural: str):
    assert plural_english(singular) == plural


MISSING_CASES: list[tuple[str, str, list[str]]] = [
    # source, target, French of the terms reported missing
    ("une centrale nucléaire", "a nuclear power plant", []),
    ("une centrale nucléaire", "a NUCLEAR  power\u00a0plant", []),
    ("une centrale nucléaire", "a nuclear plant", ["centrale nucléaire"]),
    ("les centrales nucléaires", "the nuclear power plant", []),  # singular accepted
    ("la centrale nucléaire", "the nuclear power plants", []),  # plural accepted
    ("la centrale nucléaire", "the nuclear power plantation", ["centrale nucléaire"]),
    ("l'Assemblée nationale", "the Assembly", ["Assemblée nationale"]),
    ("le Brexit", "Brexit", []),
    ("le Brexit", "the exit", ["Brexit"]),
    ("les députés et le Brexit", "MPs and Brexit", ["député"]),
    ("Rien.", "Nothing.", []),
]


@pytest.mark.parametrize(("source", "target", "absent"), MISSING_CASES)
def test_missing(source: str, target: str, absent: list[str]):
    assert [m.term.french for m in GLOSSARY.missing(source, target)] == absent


def test_fingerprint_ignores_order_and_sources_but_not_edits():
    terms = [Term("loi", "act", "", "a:2"), Term("Sénat", "Senate", "upper house", "a:3")]
    base = Glossary(terms).fingerprint
    assert re.fullmatch(r"[0-9a-f]{64}", base)
    assert Glossary(reversed(terms)).fingerprint == base
    assert Glossary([dataclasses.replace(t, source="b:9") for t in terms]).fingerprint == base
    edits = [
        [Term("loi", "law"), terms[1]],
        [terms[0], Term("Sénat", "Senate", "")],
        [terms[0], Term("Sénats", "Senate", "upper house")],
        [terms[0]],
    ]
    assert len({base, *(Glossary(e).fingerprint for e in edits)}) == 1 + len(edits)


def test_find_lemmatises_each_word_form_once_and_compares_nothing_without_terms(monkeypatch):
    """2000 term-free sentences: one lemmatiser call per distinct form, few comparisons."""
    import simplemma

    calls: list[str] = []
    real = simplemma.lemmatize

    def counting(token: str, lang: str, **kwargs: object) -> str:
        calls.append(token)
        return real(token, lang=lang)

    compared: list[str] = []
    real_same = glossary_module._same_word

    def counting_same(term_word: Any, word: Any) -> bool:
        compared.append(word.key)
        return real_same(term_word, word)

    monkeypatch.setattr(simplemma, "lemmatize", counting)
    monkeypatch.setattr(glossary_module, "_same_word", counting_same)
    glossary_module._lemma.cache_clear()
    glossary_module._lemmatised.cache_clear()
    text = (
        "le gouvernement annonce une réforme des retraites pour les salariés du secteur "
        "privé mais les syndicats refusent cette proposition jugée injuste par beaucoup"
    )
    vocabulary = text.split()
    sentences = [
        " ".join(vocabulary[(i + k) % len(vocabulary)] for k in range(12)) + "."
        for i in range(2000)
    ]
    assert all(GLOSSARY.find(s) == [] for s in sentences)
    words = 12 * len(sentences)
    # One call per distinct form, and one more (its plural) for a singular
    # that is its own lemma.
    assert len(calls) == len(set(calls)) <= 2 * len(set(vocabulary))
    assert set(calls) - set(vocabulary) <= {w + "s" for w in vocabulary}
    assert len(calls) / words < 0.002
    # Only "les" (lemma "le") begins a term (Les Républicains): words are compared
    # only at "le" and "les", the first word and the one after it, nowhere else.
    starts = sum(s.split().count("les") + s.split().count("le") for s in sentences)
    assert len(compared) == 2 * starts
    assert set(compared[0::2]) == {"le", "les"}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("semicolons.csv", "fr;en;note\ncentrale nucléaire;nuclear power plant;3,5 GW\n"),
        ("tags.tsv", "fr-FR\ten_GB\tComment\ncentrale nucléaire\tnuclear power plant\t3,5 GW\n"),
        ("names.csv", 'Français,English,Notes\ncentrale nucléaire,nuclear power plant,"3,5 GW"\n'),
    ],
)
def test_reads_spreadsheet_exports(tmp_path: Path, name: str, content: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8-sig")
    (term,) = Glossary.load([path]).terms
    assert (term.french, term.english, term.note) == (
        "centrale nucléaire",
        "nuclear power plant",
        "3,5 GW",
    )
