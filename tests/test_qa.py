"""The review flags, as tables of French news sentences and English outputs.

Each check has a table of true positives (what the flag is for, often one of
opus-mt's known failures) and of false positives (pairs that look suspicious
but are fine, and must stay unflagged: false alarms teach reviewers to ignore
flags). The last column of a row says what the row pins down.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_cli.qa import (
    DESCRIPTIONS,
    QA_FLAGS,
    check_pair,
    confidence_flags,
    looks_french,
    numbers_in,
)
from translate_cli.vocabulary import Flag

NBSP = "\u00a0"
NNBSP = "\u202f"


def ids(table: list[tuple]) -> list[str]:
    return [row[-1] for row in table]


# --- numbers -------------------------------------------------------------------

NUMBERS: list[tuple[str, str, bool, str]] = [
    # --- true positives --------------------------------------------------------
    (
        "Le chômage a reculé de 0,3 point à 7,1 % au troisième trimestre.",
        "Unemployment fell to 7.1% in the third quarter.",
        True,
        "a decimal dropped",
    ),
    (
        "Le plan coûtera 2 milliards d'euros à l'État.",
        "The plan will cost the state 2 million euros.",
        True,
        "milliard read as million",
    ),
    (
        "La manifestation a réuni 15 000 personnes à Paris.",
        "The demonstration brought together 1,500 people in Paris.",
        True,
        "a zero lost",
    ),
    (
        "Le second tour aura lieu le 14 avril 2024.",
        "The second round will take place on 4 April 2024.",
        True,
        "wrong day",
    ),
    ("Le couvre-feu commence à 21 h.", "The curfew starts at 8 p.m.", True, "wrong hour"),
    (
        "Le taux directeur est passé de 3,5 % à 4,25 %.",
        "The key rate rose from 3.5% to 4.5%.",
        True,
        "wrong decimal",
    ),
    (
        "Les 27 États membres ont signé le texte.",
        "The member states signed the text.",
        True,
        "number dropped by the model",
    ),
    (
        "Il a été condamné à 5 ans de prison et 30 000 euros d'amende.",
        "He was sentenced to five years in prison and a fine of 3,000 euros.",
        True,
        "thousands lost",
    ),
    (
        "Le bilan s'élève à 12 morts et 3 disparus.",
        "The death toll stands at 12 dead.",
        True,
        "second number dropped",
    ),
    (
        "Le match s'est terminé sur le score de 3 à 3.",
        "The match ended with a score of 3.",
        True,
        "multiset: each 3 needs its own",
    ),
    (
        "Il a roulé pendant 2 h 30 sans s'arrêter.",
        "He drove for 2 hours without stopping.",
        True,
        "duration: minutes dropped",
    ),
    (
        "Le vol décollera à 8 h 30.",
        "The flight will take off at 8 a.m.",
        True,
        "minutes dropped",
    ),
    # --- false positives -------------------------------------------------------
    (
        "La manifestation a réuni 15 000 personnes.",
        "The demonstration brought together 15,000 people.",
        False,
        "space vs comma thousands",
    ),
    (
        f"Près de 15{NBSP}000 emplois sont menacés.",
        "Nearly 15000 jobs are at risk.",
        False,
        "no-break space thousands vs none",
    ),
    (
        f"La ville compte 3{NNBSP}000 habitants.",
        "The town has 3 000 inhabitants.",
        False,
        "narrow no-break space, French format kept",
    ),
    (
        "Le taux de chômage s'établit à 7,1 %.",
        "The unemployment rate stands at 7.1 percent.",
        False,
        "decimal comma and percent",
    ),
    (
        "Le 1er mai, les syndicats défileront.",
        "On May 1, the unions will march.",
        False,
        "1er = 1",
    ),
    (
        "La 1re ministre s'exprimera ce soir.",
        "The first minister will speak tonight.",
        False,
        "1re = first",
    ),
    (
        "Au 2e tour, il a obtenu 52,3 % des voix.",
        "In the second round, he won 52.3% of the vote.",
        False,
        "2e = second",
    ),
    (
        "La Ve République a été fondée en 1958.",
        "The Fifth Republic was founded in 1958.",
        False,
        "Roman ordinal = ordinal word",
    ),
    (
        "Au XXIe siècle, la France compte 68 millions d'habitants.",
        "In the 21st century, France has 68 million inhabitants.",
        False,
        "XXIe = 21st, millions scale",
    ),
    (
        "Napoléon Ier est mort en 1821 à Sainte-Hélène.",
        "Napoleon I died in 1821 on St Helena.",
        False,
        "Ier = regnal I",
    ),
    (
        "Le conseil se réunira à 8 h 30.",
        "The council will meet at 8:30 a.m.",
        False,
        "8 h 30 = 8:30 a.m.",
    ),
    (
        "Le match débutera à 20 h 45.",
        "The match will kick off at 8.45pm.",
        False,
        "24-hour to 12-hour clock",
    ),
    ("Le couvre-feu commence à 21 h.", "The curfew begins at 9 p.m.", False, "21 h = 9 p.m."),
    (
        "Les magasins ferment à 20 heures.",
        "Shops close at 8 o'clock in the evening.",
        False,
        "20 heures = 8 o'clock",
    ),
    ("La séance reprendra à 12 h.", "The session will resume at noon.", False, "12 h = noon"),
    (
        "Il a passé 48 h en garde à vue.",
        "He spent 48 hours in police custody.",
        False,
        "h as a duration",
    ),
    (
        "Rendez-vous à 18 h 30 place de la République.",
        "Meet at 18 h 30 at Place de la République.",
        False,
        "French time format copied",
    ),
    (
        "Le plan coûtera 2 milliards d'euros.",
        "The plan will cost €2bn.",
        False,
        "milliards = bn",
    ),
    (
        "L'entreprise a levé 3,5 millions d'euros.",
        "The company raised €3.5m.",
        False,
        "millions = m",
    ),
    (
        "La dette atteint 3 000 milliards d'euros.",
        "The debt reaches 3 trillion euros.",
        False,
        "3 000 milliards = 3 trillion",
    ),
    (
        "Le texte a été adopté par 10 voix contre 2.",
        "The text was adopted by ten votes to two.",
        False,
        "numbers as words",
    ),
    (
        "Le Covid-19 a fait 7 millions de morts dans le monde.",
        "COVID-19 has killed seven million people worldwide.",
        False,
        "word with scale",
    ),
    (
        "Les années 1990 ont été marquées par le chômage.",
        "The 1990s were marked by unemployment.",
        False,
        "decade",
    ),
    (
        "Le loyer moyen atteint 1.500 euros par mois.",
        "The average rent reaches 1,500 euros a month.",
        False,
        "dot as thousands separator",
    ),
    (
        "Il est arrivé mardi à Bruxelles.",
        "He arrived in Brussels on Tuesday, 12 March.",
        False,
        "numbers only in the target are not flagged",
    ),
    (
        "Le sommet du G7 s'ouvre vendredi à Hiroshima.",
        "The G7 summit opens in Hiroshima on Friday.",
        False,
        "number inside a name",
    ),
    (
        "Il a roulé pendant 2 h 30 sans s'arrêter.",
        "He drove for 2 hours 30 minutes without stopping.",
        False,
        "h as a duration with minutes",
    ),
    (
        "Il a roulé pendant 2 h 30 sans s'arrêter.",
        "He drove for 2.5 hours without stopping.",
        False,
        "duration as decimal hours",
    ),
    (
        "Les années 60 ont vu naître le mouvement.",
        "The 1960s saw the birth of the movement.",
        False,
        "decade written in full",
    ),
    (
        "Il a été réélu 2 fois.",
        "He was re-elected twice.",
        False,
        "twice",
    ),
    (
        "Le score est de 2 à 1 à la mi-temps.",
        "The score is 2-1 at half-time.",
        False,
        "score",
    ),
]


@pytest.mark.parametrize(("source", "target", "flagged", "why"), NUMBERS, ids=ids(NUMBERS))
def test_numbers(source: str, target: str, flagged: bool, why: str) -> None:
    assert (Flag.NUMBERS in check_pair(source, target)) is flagged


NUMBERS_IN: list[tuple[str, str, dict[str, int], str]] = [
    ("3 000 personnes", "fr", {"3000": 1}, "space thousands"),
    (f"3{NBSP}000 et 4{NNBSP}500", "fr", {"3000": 1, "4500": 1}, "no-break spaces"),
    ("12 000,50 euros", "fr", {"12000.5": 1}, "thousands and decimals"),
    ("3,5 %", "fr", {"3.5": 1}, "decimal comma"),
    ("2 milliards", "fr", {"2000000000": 1}, "milliard scale"),
    ("3,5 millions", "fr", {"3500000": 1}, "million scale"),
    ("2 Md€", "fr", {"2000000000": 1}, "financial abbreviation"),
    ("le 1er et le 2e", "fr", {"1": 1, "2": 1}, "ordinals"),
    ("XXIe et IIe siècles", "fr", {"21": 1, "2": 1}, "Roman ordinals"),
    ("Le Pen, Ce que Des Mes Vers", "fr", {}, "words that look Roman"),
    ("8 h 30, 8h30 et 20 h", "fr", {"8:30": 2, "20:00": 1}, "French times"),
    ("en 2019 3 000 personnes", "fr", {"2019": 1, "3000": 1}, "year then grouped number"),
    ("3,000 and 1,250,000", "en", {"3000": 1, "1250000": 1}, "comma thousands"),
    ("3.5% or 3.5 percent", "en", {"3.5": 2}, "percent"),
    ("8:30 a.m., 8.30am and 8 p.m.", "en", {"8:30": 2, "20:00": 1}, "English times"),
    ("two billion, a million, 2bn", "en", {"2000000000": 2, "1000000": 1}, "scales"),
    ("the twenty-first century, the Fifth Republic", "en", {"21": 1, "5": 1}, "ordinal words"),
    ("World War II and Francis I", "en", {"2": 1, "1": 1}, "Roman numerals"),
    ("Then I said I'm fine", "en", {}, "the pronoun I"),
    ("someone, often, tension", "en", {}, "number words inside words"),
]


@pytest.mark.parametrize(("text", "lang", "expected", "why"), NUMBERS_IN, ids=ids(NUMBERS_IN))
def test_numbers_in(text: str, lang: str, expected: dict[str, int], why: str) -> None:
    assert numbers_in(text, lang) == expected


def test_numbers_in_rejects_unknown_language() -> None:
    with pytest.raises(ValueError, match=r"'de'.*fr, en"):
        numbers_in("3", "de")


# --- untranslated --------------------------------------------------------------

UNTRANSLATED: list[tuple[str, str, bool, str]] = [
    # --- true positives --------------------------------------------------------
    (
        "Le gouvernement a annoncé mardi une baisse des impôts.",
        "Le gouvernement a annoncé mardi une baisse des impôts.",
        True,
        "copied",
    ),
    (
        "Le Sénat a adopté le texte !",
        "le sénat a adopté le texte!",
        True,
        "copied, case and French spacing aside",
    ),
    (
        "Les négociations reprendront la semaine prochaine à Bruxelles.",
        "Les négociations vont reprendre la semaine prochaine à Bruxelles.",
        True,
        "the model answered in French",
    ),
    (
        "Selon lui, il n'y a pas de danger pour la population.",
        "According to him, il n'y a pas de danger pour la population.",
        True,
        "half copied, mostly French",
    ),
    (
        "Mélenchon dénonce la réforme des retraites",
        "Mélenchon dénonce la réforme des retraites",
        True,
        "headline copied",
    ),
    (
        "Grève à la SNCF : le trafic sera très perturbé jeudi",
        "Grève à la SNCF: le trafic sera très perturbé jeudi",
        True,
        "headline copied, colon spacing aside",
    ),
    (
        "Réforme des retraites : mobilisation générale",
        "Réforme des retraites : mobilisation générale",
        True,
        "four words, one function word",
    ),
    (
        "Le ministre de l'Intérieur s'est rendu sur place dans la soirée.",
        "Le ministre de l’Intérieur s’est rendu sur place dans la soirée.",
        True,
        "copied with typographic apostrophes",
    ),
    # --- false positives -------------------------------------------------------
    ("Paris.", "Paris.", False, "one proper noun"),
    ("OTAN", "OTAN", False, "acronym"),
    ("Bon appétit !", "Bon appétit!", False, "two words"),
    ("Jean-Luc Mélenchon (LFI)", "Jean-Luc Mélenchon (LFI)", False, "names only"),
    ("La France insoumise", "La France insoumise", False, "party name kept"),
    ("2024 : 3,5 %", "2024: 3.5%", False, "numbers only"),
    (
        "« Make America great again »",
        '"Make America great again"',
        False,
        "an English quote left as it is",
    ),
    (
        "Le Pen et Bardella en tête des sondages",
        "Le Pen and Bardella lead the polls",
        False,
        "Le in a name",
    ),
    (
        "Le journal Le Monde a révélé l'affaire.",
        "The newspaper Le Monde revealed the affair.",
        False,
        "French newspaper title",
    ),
    (
        "Le ministre a reçu la CGT et Force ouvrière.",
        "The minister received the CGT and Force ouvrière.",
        False,
        "French union names",
    ),
    (
        "Il a cité Charles de Gaulle et la Déclaration des droits de l'homme.",
        "He quoted Charles de Gaulle and the Declaration of the Rights of Man.",
        False,
        "de inside a name",
    ),
    (
        "Le Conseil d'État a rejeté le recours.",
        "The Conseil d'État rejected the appeal.",
        False,
        "French institution kept",
    ),
    (
        "C'est la vie, a-t-il lâché.",
        '"C\'est la vie," he said.',
        False,
        "French phrase quoted in English",
    ),
    (
        "Le festival se tient à La Rochelle et aux Sables-d'Olonne.",
        "The festival takes place in La Rochelle and Les Sables-d'Olonne.",
        False,
        "French place names",
    ),
    ("Mélenchon dénonce la réforme", "Mélenchon slams the reform", False, "terse headline"),
]


@pytest.mark.parametrize(
    ("source", "target", "flagged", "why"), UNTRANSLATED, ids=ids(UNTRANSLATED)
)
def test_untranslated(source: str, target: str, flagged: bool, why: str) -> None:
    assert (Flag.UNTRANSLATED in check_pair(source, target)) is flagged


LOOKS_FRENCH: list[tuple[str, bool, str]] = [
    ("Le gouvernement a annoncé une baisse des impôts.", True, "plain French"),
    ("L'Assemblée nationale a voté le texte dans la nuit.", True, "elision at the start"),
    ("Réunion européenne à Strasbourg demain", True, "one function word and accents"),
    ("The government announced a tax cut.", False, "plain English"),
    ("Le Pen slams Macron's reform", False, "capitalised Le before a name"),
    ("Élisabeth Borne resigns", False, "accents without French words"),
    ("LE GOUVERNEMENT DÉMISSIONNE", False, "all capitals are not counted"),
    ("la vie", False, "too short"),
]


@pytest.mark.parametrize(("text", "expected", "why"), LOOKS_FRENCH, ids=ids(LOOKS_FRENCH))
def test_looks_french(text: str, expected: bool, why: str) -> None:
    assert looks_french(text) is expected


# --- repetition ----------------------------------------------------------------

REPETITION: list[tuple[str, str, bool, str]] = [
    # --- true positives --------------------------------------------------------
    (
        "La guerre en Ukraine a fait des milliers de morts.",
        "The war in Ukraine of the war of the war of the war has killed thousands.",
        True,
        "trigram loop",
    ),
    ("Il a été élu maire.", "He was was was was elected mayor.", True, "word four times"),
    (
        "Le président a dénoncé une « provocation ».",
        'The President denounced a "provocation, provocation, provocation, provocation".',
        True,
        "word loop across punctuation",
    ),
    (
        "Les agriculteurs bloquent l'autoroute A7.",
        "Farmers are blocking the A7 motorway, the motorway, the motorway, the motorway.",
        True,
        "bigram loop",
    ),
    (
        "Le texte sera examiné au Sénat.",
        "The text will be examined in the Senate in the Senate in the Senate in the Senate.",
        True,
        "trigram loop at the end",
    ),
    (
        "Le gouvernement a refusé de commenter.",
        "The minister refused to comment further the minister refused to comment further "
        "the minister refused to comment further.",
        True,
        "six-word loop",
    ),
    (
        "Le Premier ministre s'est exprimé.",
        "The Prime Minister, the Prime Minister and the Prime Minister and the Prime Minister.",
        True,
        "one trigram dominates",
    ),
    ("Merci.", "Thank you, thank you, thank you.", True, "loop from a one-word source"),
    ("Non.", "No, no, no, no.", True, "a one-word source does not license a loop"),
    # --- false positives -------------------------------------------------------
    ("Non, non, non et non !", "No, no, no and no!", False, "three times is speech"),
    ("Non, non, non, non !", "No, no, no, no!", False, "the source repeats as much"),
    (
        "Allez, allez, allez les Bleus !",
        "Come on, come on, come on Les Bleus!",
        False,
        "source repetition, longer in English",
    ),
    (
        "Il a répété : « Jamais, jamais, jamais, jamais ».",
        'He repeated: "Never, never, never, never."',
        False,
        "quoted repetition in the source",
    ),
    ("C'est très, très grave.", "It's very, very serious.", False, "emphasis"),
    (
        "Les ventes progressent d'année en année.",
        "Sales are growing year after year after year.",
        False,
        "idiom, two repeats",
    ),
    (
        "L'équipe de France a battu l'Italie, puis l'Espagne et enfin l'Allemagne.",
        "The French team beat the Italians, then the Spanish and finally the Germans.",
        False,
        "frequent 'the' is not a loop",
    ),
    (
        "« Bla-bla-bla », a lancé Greta Thunberg.",
        '"Blah blah blah," said Greta Thunberg.',
        False,
        "three times",
    ),
    ("Ha ha ha ha, a-t-il ri.", "Ha ha ha ha, he laughed.", False, "laughter in the source"),
]


@pytest.mark.parametrize(("source", "target", "flagged", "why"), REPETITION, ids=ids(REPETITION))
def test_repetition(source: str, target: str, flagged: bool, why: str) -> None:
    assert (Flag.REPETITION in check_pair(source, target)) is flagged


# --- length --------------------------------------------------------------------

LONG_SOURCE = (
    "Le gouvernement a présenté mercredi en conseil des ministres un projet de loi "
    "visant à simplifier les démarches administratives des entreprises."
)

LENGTH: list[tuple[str, str, bool, str]] = [
    # --- true positives --------------------------------------------------------
    (LONG_SOURCE, "The government presented a bill on Wednesday.", True, "truncated"),
    ("Les négociations ont échoué.", "The", True, "a single word left"),
    (
        "Le texte a été adopté.",
        "The text was adopted, and the text was adopted by the National Assembly on "
        "Tuesday evening after a long debate.",
        True,
        "runaway output, short source",
    ),
    (
        "Le Premier ministre a démissionné lundi soir.",
        "The Prime Minister resigned on Monday evening, and the President of the "
        "Republic accepted his resignation immediately afterwards.",
        True,
        "runaway output, long source",
    ),
    (
        "La réforme des retraites a été adoptée par le Parlement jeudi.",
        "Pension reform adopted.",
        True,
        "ratio 0.37",
    ),
    (
        "Le Sénat examinera le projet de loi de finances la semaine prochaine.",
        "The Senate.",
        True,
        "sentence cut after the subject",
    ),
    ("Le président est arrivé.", "He", True, "ratio 0.08 on a short source"),
    (
        "Des orages violents sont attendus dans le sud-ouest du pays ce week-end.",
        "Violent storms are expected in the south-west of the country this weekend, "
        "according to Météo-France, which placed twelve departments on orange alert.",
        True,
        "an invented clause",
    ),
    # --- false positives -------------------------------------------------------
    ("Oui.", "Yes.", False, "too short to judge"),
    ("Il pleut.", "It's raining.", False, "too short to judge, expands"),
    ("Non, a-t-il dit.", "No, he said.", False, "short, ratio 0.75"),
    ("Selon l'AFP.", "According to AFP.", False, "short, ratio 1.4"),
    ("L'UE a dit oui.", "The European Union said yes.", False, "acronym expanded, ratio 1.9"),
    ("Lire aussi :", "Read also:", False, "rubric"),
    ("Mise à jour à 18 h.", "Updated at 6 p.m.", False, "time"),
    ("PSG-OM : 3-0", "PSG-OM: 3-0", False, "score"),
    (
        LONG_SOURCE,
        "On Wednesday the government presented to the Council of Ministers a bill to "
        "simplify administrative procedures for businesses.",
        False,
        "ordinary ratio",
    ),
    (
        "Les Bleus ont battu les All Blacks.",
        "Les Bleus beat the All Blacks in Paris.",
        False,
        "ratio 1.1",
    ),
    (
        "Un homme a été interpellé à Lyon après une course-poursuite.",
        "A man was arrested in Lyon after a car chase.",
        False,
        "ratio 0.75",
    ),
]


@pytest.mark.parametrize(("source", "target", "flagged", "why"), LENGTH, ids=ids(LENGTH))
def test_length(source: str, target: str, flagged: bool, why: str) -> None:
    assert (Flag.LENGTH in check_pair(source, target)) is flagged


# --- empty ---------------------------------------------------------------------

EMPTY: list[tuple[str, str, bool, str]] = [
    # --- true positives --------------------------------------------------------
    ("Le texte a été adopté.", "", True, "empty"),
    ("Il pleut.", "   ", True, "spaces"),
    ("Élection", "\n\t", True, "newline and tab"),
    ("Non.", NBSP, True, "no-break space"),
    ("2024", "", True, "digits are content"),
    ("OTAN", "", True, "acronym"),
    ("Qu'en pensez-vous ?", " \u3000 ", True, "ideographic space"),
    ("Écoutez.", "\u2028", True, "line separator"),
    # --- false positives -------------------------------------------------------
    ("", "", False, "nothing to translate"),
    ("   ", "", False, "blank source"),
    ("—", "", False, "dash only"),
    ("…", "", False, "ellipsis only"),
    ("* * *", "", False, "section break"),
    ("«  »", " ", False, "empty quotes"),
    ("Le texte a été adopté.", "The text was adopted.", False, "translated"),
    ("Oui.", "Yes.", False, "short translation"),
]


@pytest.mark.parametrize(("source", "target", "flagged", "why"), EMPTY, ids=ids(EMPTY))
def test_empty(source: str, target: str, flagged: bool, why: str) -> None:
    assert (Flag.EMPTY in check_pair(source, target)) is flagged


def test_empty_stands_alone() -> None:
    """An empty target is not also 'numbers' and 'length': that says nothing more."""
    assert check_pair("La dette atteint 3 000 milliards d'euros fin 2023.", "") == (Flag.EMPTY,)


# --- low confidence ------------------------------------------------------------

GOOD = [-0.2, -0.3, -0.25, -0.15, -0.35]

CONFIDENCE: list[tuple[list[float | None], dict[str, float], list[bool], str]] = [
    ([None, None], {}, [False, False], "no scores"),
    ([-0.2, -1.5, None, -0.9], {}, [False, True, False, False], "absolute threshold"),
    ([-0.2, -1.0], {}, [False, False], "the threshold itself is not below it"),
    ([-0.2, -0.6], {"threshold": -0.5}, [False, True], "custom threshold"),
    ([-0.3] * 19 + [-0.8], {}, [False] * 19 + [True], "worst 5 % of 20"),
    ([-0.3] * 18 + [-0.8], {}, [False] * 19, "19 scored: no tail"),
    (
        [-0.3] * 18 + [-0.8] + [None] * 5,
        {},
        [False] * 24,
        "None does not count towards the minimum",
    ),
    ([-0.3] * 40, {}, [False] * 40, "a run of equal scores flags nothing by rank"),
    (GOOD * 8, {"tail": 0.0}, [False] * 40, "tail disabled"),
    (
        GOOD * 8,
        {},
        [s <= -0.35 for s in GOOD * 8],
        "ties at the cut are flagged alike",
    ),
    ([-0.3] * 39 + [math.nan], {}, [False] * 40, "NaN is no score"),
    ([-0.3] * 38 + [-2.0, -0.9], {}, [False] * 38 + [True, True], "threshold and tail"),
]


@pytest.mark.parametrize(("scores", "kwargs", "expected", "why"), CONFIDENCE, ids=ids(CONFIDENCE))
def test_confidence_flags(
    scores: list[float | None], kwargs: dict[str, float], expected: list[bool], why: str
) -> None:
    assert confidence_flags(scores, **kwargs) == expected


# --- the whole pair, descriptions ------------------------------------------------


def test_several_flags_come_in_display_order() -> None:
    source = "Le texte a été adopté par 300 voix contre 200 lors d'un vote solennel mardi."
    assert check_pair(source, "the the the the") == (Flag.REPETITION, Flag.NUMBERS, Flag.LENGTH)


def test_clean_pair_has_no_flags() -> None:
    assert check_pair(LONG_SOURCE, LENGTH[-3][1]) == ()


def test_every_flag_is_described_on_one_line() -> None:
    assert set(DESCRIPTIONS) == set(Flag)
    assert all(text and "\n" not in text for text in DESCRIPTIONS.values())


# --- speed and robustness ----------------------------------------------------------

T = TypeVar("T")


def _counted(fn: Callable[..., T], *args: object) -> tuple[T, int]:
    """``fn(*args)`` and how many functions (Python and built-in) it called.

    The checks run on every pair of large corpora; a count of calls bounds
    their work the way a time limit would, without depending on the machine.
    """
    calls = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    previous = sys.getprofile()
    sys.setprofile(count)
    try:
        result = fn(*args)
    finally:
        sys.setprofile(previous)
    return result, calls


def test_work_per_pair_is_small() -> None:
    """A few hundred calls at most for any pair of the tables."""
    rows = [(s, t) for table in (NUMBERS, UNTRANSLATED, REPETITION, LENGTH) for s, t, *_ in table]
    for source, target in rows:
        _, calls = _counted(check_pair, source, target)
        assert calls < 1_000, (source, target, calls)


def test_pathological_input_stays_linear() -> None:
    """3,000 numbers and 10,000 words: some 30 calls per number or 10 per word,
    where work quadratic in the input would take millions."""
    numbers = [f"{i}" for i in range(3000)]
    source = ", ".join(numbers)
    flags, calls = _counted(check_pair, source, ", ".join(reversed(numbers)))
    assert flags == ()
    assert calls < 300_000
    flags, calls = _counted(check_pair, source, "the " * 10_000)
    assert Flag.REPETITION in flags
    assert calls < 300_000
    flags, calls = _counted(check_pair, source, ", ".join([*numbers[1:], "3001"]))
    assert Flag.NUMBERS in flags
    assert calls < 300_000


def test_huge_numbers_neither_overflow_nor_raise() -> None:
    digits = "9" * 5000
    assert numbers_in(f"{digits},12 milliards", "fr") == {digits + "120000000": 1}
    assert check_pair(f"{digits}.12", f"{digits}.12 a.m.") == ()


def test_flag_names() -> None:
    """The names are written into output files: changing one breaks readers."""
    names = (Flag.EMPTY, Flag.UNTRANSLATED, Flag.REPETITION, Flag.NUMBERS, Flag.LENGTH)
    assert QA_FLAGS == names == ("empty", "untranslated", "repetition", "numbers", "length")
    assert Flag.LOW_CONFIDENCE == "low-confidence"


# Everything Unicode has, lone surrogates included (a file decoded with
# surrogateescape holds them), and text dense in what the checks react to.
ANY_TEXT = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(exclude_categories=()), max_size=200),
)
# fmt: off
BITS = st.sampled_from([
    " ", NBSP, NNBSP, ",", ".", ":", "h", "H", "%", "€", "'", "’", "-", "\n",
    "0", "1", "3", "8", "12", "20", "000", "30", "1er", "2e", "IIe", "XXIe", "Ier", "Vers",
    "a.m.", "pm", "o'clock", "million", "milliards", "bn", "m", "k", "a", "dozen",
    "twenty", "-first", "one", "I", "Louis", "noon", "le", "Le", "la", "the", "of", "no",
])
# fmt: on
DENSE_TEXT = st.lists(BITS, max_size=40).map("".join)
TEXTS = st.one_of(ANY_TEXT, DENSE_TEXT)


@settings(max_examples=300, deadline=None)
@given(TEXTS, TEXTS)
def test_check_pair_never_raises_and_keeps_order(source: str, target: str) -> None:
    flags = check_pair(source, target)
    assert all(isinstance(flag, Flag) for flag in flags)
    assert set(flags) <= set(QA_FLAGS)
    assert list(flags) == sorted(flags, key=QA_FLAGS.index)
    assert len(set(flags)) == len(flags)


# A number as numbers_in gives it: a decimal with no leading or trailing zero
# and "." as point, or a 24-hour clock time. Digits are any Unicode digits
# (int() reads them), but only ASCII zeros are trimmed.
CANONICAL_NUMBER = re.compile(r"(?!0\d)\d+(?:\.\d*[^\D0])?|(?:1?\d|2[0-4]):[0-5]\d")


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.sampled_from(["fr", "en"]))
def test_numbers_in_never_raises(text: str, lang: str) -> None:
    found = numbers_in(text, lang)
    assert all(CANONICAL_NUMBER.fullmatch(number) for number in found), found
    assert all(count > 0 for count in found.values())


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**18),
    st.sampled_from([("fr", " "), ("fr", NBSP), ("fr", NNBSP), ("en", ","), ("en", "")]),
)
def test_numbers_in_reads_grouped_digits(number: int, style: tuple[str, str]) -> None:
    lang, separator = style
    assert numbers_in(f"{number:,}".replace(",", separator), lang) == {str(number): 1}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(max_value=0.0)), max_size=60))
def test_confidence_flags_one_per_score(scores: list[float | None]) -> None:
    flags = confidence_flags(scores)
    assert len(flags) == len(scores)
    assert not any(flag for flag, s in zip(flags, scores, strict=True) if s is None)
