"""Real-world text (issue 12): hard wraps, labels, invisible blank lines, cut words.

Each table row is a made-up document of one kind and the paragraphs a reader
expects from it; the case files in ``../shared/data/cases`` are then checked
end to end with the copy model, whose English document shows the paragraphs.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from typer.testing import CliRunner

from translate_cli import dehyphenate
from translate_cli.cli import app
from translate_cli.document import paragraphs_of, read_document

from .conftest import SAMPLES, SEED, shared_path

# Three paragraphs whose sentences start with capitals, proper nouns, numbers
# and « so that, wrapped at any width, some lines start with one of them.
PARAGRAPHS = (
    "Le conseil municipal de Rennes s'est réuni hier soir pour examiner le budget de la "
    "ville. Marie Dupont, adjointe aux finances, a présenté 12 mesures nouvelles devant "
    "Paul Lefèvre et 45 élus. « Nous voulons des comptes clairs », a-t-elle déclaré. 2025 "
    "sera une année d'économies, selon Jean Martin, qui préside la commission.",
    "Les débats ont duré trois heures. L'opposition a dénoncé un budget « sans ambition » "
    "et réclamé un audit complet des comptes. Le maire a répondu que 3 millions d'euros "
    "seraient consacrés aux écoles en 2026, à Rennes comme à Saint-Malo. Le vote aura lieu "
    "jeudi.",
    "La séance a été levée à 23 heures.",
)


@pytest.mark.parametrize("width", [60, 72, 80])
def test_hard_wrapped_file_without_blank_lines_gives_its_paragraphs_back(width):
    text = "\n".join(textwrap.fill(p, width) for p in PARAGRAPHS)
    # The kind: some lines inside a paragraph start with a capital, a number or «.
    inner = [line for line in text.splitlines() if line[:12] not in {p[:12] for p in PARAGRAPHS}]
    assert any(not line[0].islower() for line in inner)
    assert paragraphs_of(text) == (PARAGRAPHS, "\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Wrap before a number, a « quote and a proper noun; a colon inside.
        (
            "Les chercheurs ont mesuré la température de l'eau dans la\n"
            "Vilaine pendant 18 mois, de janvier 2023 à juin 2024, soit\n"
            "540 relevés au total. Le rapport conclut :\n"
            "« la rivière se réchauffe plus vite que prévu ». Selon\n"
            "Marc Henry, qui a dirigé l'étude, les poissons en souffrent.",
            (
                "Les chercheurs ont mesuré la température de l'eau dans la Vilaine pendant 18 "
                "mois, de janvier 2023 à juin 2024, soit 540 relevés au total. Le rapport "
                "conclut : « la rivière se réchauffe plus vite que prévu ». Selon Marc Henry, "
                "qui a dirigé l'étude, les poissons en souffrent.",
            ),
        ),
        # Lines broken by hand, not by a width: a sentence end that leaves room
        # for the next word is no paragraph end when other breaks leave room too.
        (
            "Nous ajoutons le même nombre de gouttes que la veille, soit\n"
            "12 gouttes et deux embryons neufs du même âge.\n"
            "Le chercheur\n"
            "note alors dans son carnet :\n"
            "« les individus témoins succombent ». Il semble\n"
            "ainsi que les larves émettent une substance.",
            (
                "Nous ajoutons le même nombre de gouttes que la veille, soit 12 gouttes et deux "
                "embryons neufs du même âge. Le chercheur note alors dans son carnet : « les "
                "individus témoins succombent ». Il semble ainsi que les larves émettent une "
                "substance.",
            ),
        ),
        # A line shaped like a label but starting with an article is a sentence.
        (
            "Les chercheurs ont placé deux embryons neufs du même âge dans\n"
            "la solution. Trois jours après, tout avait changé.\n"
            "Le chercheur note : les individus\n"
            "12 heures plus tard succombent tous, comme c'est la\n"
            "règle chez cette espèce, et les larves émettent une\n"
            "substance qui les protège.",
            (
                "Les chercheurs ont placé deux embryons neufs du même âge dans la solution. "
                "Trois jours après, tout avait changé. Le chercheur note : les individus 12 "
                "heures plus tard succombent tous, comme c'est la règle chez cette espèce, et "
                "les larves émettent une substance qui les protège.",
            ),
        ),
        # Headline, list items (one wrapped with a hanging indent), paragraph after.
        (
            "Budget 2025 de la ville\n"
            "Le conseil municipal a voté hier soir un budget de 240 millions\n"
            "d'euros, en hausse de 3 % sur un an. Les priorités sont :\n"
            "- la rénovation des écoles, qui recevra 12 millions\n"
            "  d'euros sur trois ans ;\n"
            "- la voirie ;\n"
            "- les transports en commun.\n"
            "Le vote a eu lieu à main levée après un débat de trois heures entre la\n"
            "majorité et l'opposition, qui a quitté la salle.",
            (
                "Budget 2025 de la ville",
                "Le conseil municipal a voté hier soir un budget de 240 millions d'euros, en "
                "hausse de 3 % sur un an. Les priorités sont :",
                "- la rénovation des écoles, qui recevra 12 millions d'euros sur trois ans ;",
                "- la voirie ;",
                "- les transports en commun.",
                "Le vote a eu lieu à main levée après un débat de trois heures entre la "
                "majorité et l'opposition, qui a quitté la salle.",
            ),
        ),
        # Heading, form labels, a byline, wrapped text, empty labels at the end.
        (
            "Compte rendu de séance\n"
            "Date : 12 mars 2025\n"
            "Lieu : Hôtel de ville\n"
            "Par Claire Dubois\n"
            "Le conseil s'est réuni sous la présidence du maire, qui a rappelé que\n"
            "Rennes accueillera en juin le congrès des villes moyennes. Il a ajouté\n"
            "que 1 200 participants étaient attendus et que les hôtels de la ville\n"
            "seraient complets.\n"
            "Nom :\n"
            "Signature :",
            (
                "Compte rendu de séance",
                "Date : 12 mars 2025",
                "Lieu : Hôtel de ville",
                "Par Claire Dubois",
                "Le conseil s'est réuni sous la présidence du maire, qui a rappelé que Rennes "
                "accueillera en juin le congrès des villes moyennes. Il a ajouté que 1 200 "
                "participants étaient attendus et que les hôtels de la ville seraient complets.",
                "Nom :",
                "Signature :",
            ),
        ),
        # Wrapped paragraphs whose last lines are short, first lines indented.
        (
            "  Le maire a ouvert la séance à 18 heures devant une salle comble et\n"
            "un public venu nombreux.\n"
            "  Les élus ont ensuite voté le budget, adopté par 32 voix contre 11,\n"
            "après trois heures de débat.",
            (
                "Le maire a ouvert la séance à 18 heures devant une salle comble et un public "
                "venu nombreux.",
                "Les élus ont ensuite voté le budget, adopté par 32 voix contre 11, après "
                "trois heures de débat.",
            ),
        ),
        # One paragraph per line, lengths from 20 to 160 characters.
        (
            "Le conseil municipal s'est réuni hier soir.\n"
            "Les débats, longs et parfois vifs, ont porté sur le budget de la ville pour "
            "l'année 2025, que l'opposition juge insuffisant pour les écoles et les bus.\n"
            "Le maire a répondu point par point.\n"
            "Résultats du vote\n"
            "Le budget a été adopté par 32 voix contre 11.",
            (
                "Le conseil municipal s'est réuni hier soir.",
                "Les débats, longs et parfois vifs, ont porté sur le budget de la ville pour "
                "l'année 2025, que l'opposition juge insuffisant pour les écoles et les bus.",
                "Le maire a répondu point par point.",
                "Résultats du vote",
                "Le budget a été adopté par 32 voix contre 11.",
            ),
        ),
        # One paragraph per line, every line short enough to be a wrap.
        (
            "Le conseil municipal s'est réuni hier soir.\n"
            "Le maire a répondu point par point aux questions de l'opposition.\n"
            "Résultats du vote\n"
            "Le budget a été adopté par 32 voix contre 11.",
            (
                "Le conseil municipal s'est réuni hier soir.",
                "Le maire a répondu point par point aux questions de l'opposition.",
                "Résultats du vote",
                "Le budget a été adopté par 32 voix contre 11.",
            ),
        ),
        # Two- and three-line files.
        (
            "Titre sans point\nLe texte commence ici.",
            ("Titre sans point", "Le texte commence ici."),
        ),
        ("Il pleut.\nLe vent souffle.", ("Il pleut.", "Le vent souffle.")),
        (
            "Le maire de Rennes a présenté hier soir son projet à Marie\n"
            "Dupont, la nouvelle préfète de la région.",
            (
                "Le maire de Rennes a présenté hier soir son projet à Marie Dupont, la nouvelle "
                "préfète de la région.",
            ),
        ),
        (
            "Le préfet a rappelé que la manifestation déclarée pour le\n"
            "« samedi noir » réunira selon les organisateurs plus de\n"
            "10 000 personnes dans le centre-ville.",
            (
                "Le préfet a rappelé que la manifestation déclarée pour le « samedi noir » "
                "réunira selon les organisateurs plus de 10 000 personnes dans le centre-ville.",
            ),
        ),
        # One paragraph per line: a line ending with a grammar word or a comma
        # continues, whatever the next line starts with.
        (
            "Les débats, longs et parfois vifs, ont porté sur le budget de la ville pour "
            "l'année 2025 et sur le congrès que doit accueillir la ville de\n"
            "Rennes, en juin, selon le maire.\n"
            "Le budget a été adopté par 32 voix contre 11 après un débat de trois heures,\n"
            "12 élus s'étant abstenus.",
            (
                "Les débats, longs et parfois vifs, ont porté sur le budget de la ville pour "
                "l'année 2025 et sur le congrès que doit accueillir la ville de Rennes, en juin, "
                "selon le maire.",
                "Le budget a été adopté par 32 voix contre 11 après un débat de trois heures, "
                "12 élus s'étant abstenus.",
            ),
        ),
        # Labels in a one-paragraph-per-line file and inside a blank-line block.
        (
            "Nom : Dupont\nPrénom : Marie\nLe dossier est complet.",
            ("Nom : Dupont", "Prénom : Marie", "Le dossier est complet."),
        ),
        (
            "Compte rendu\n\n"
            "Date : 12 mars 2025\n"
            "Lieu : Rennes\n"
            "Le conseil s'est réuni sous la présidence du maire, qui a ouvert la\n"
            "séance à 18 heures.\n\n"
            "Fin.",
            (
                "Compte rendu",
                "Date : 12 mars 2025",
                "Lieu : Rennes",
                "Le conseil s'est réuni sous la présidence du maire, qui a ouvert la séance à "
                "18 heures.",
                "Fin.",
            ),
        ),
    ],
)
def test_line_breaks_are_read_from_the_documents_evidence(text, expected):
    assert paragraphs_of(text)[0] == expected


def test_a_full_last_line_ending_a_sentence_cannot_be_told_from_a_wrap():
    # The limit of the evidence: the next paragraph's first word would not have
    # fitted, and the line ends a sentence, as it may inside a paragraph. The
    # paragraphs merge; no sentence is cut.
    text = (
        "Le maire a ouvert la séance à 18 heures devant une salle comble.\n"
        "Les élus ont voté le budget, adopté par 32 voix contre 11 après un\n"
        "long débat sur les écoles, les transports en commun et la voirie\n"
        "de la ville."
    )
    assert paragraphs_of(text)[0] == (" ".join(text.splitlines()),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Wrapped text around a separator.
        (
            "Le conseil s'est réuni hier soir pour examiner le budget de\n"
            "la ville et voter les subventions.\n"
            "* * *\n"
            "Les débats ont duré trois heures et se sont achevés tard dans\n"
            "la nuit.",
            (
                "Le conseil s'est réuni hier soir pour examiner le budget de la ville et voter "
                "les subventions.",
                "* * *",
                "Les débats ont duré trois heures et se sont achevés tard dans la nuit.",
            ),
        ),
        # Numbers, dates and codes in a one-paragraph-per-line file.
        (
            "Calendrier des réunions.\n1\n102\n6171-1231\n12/03/2024\nFin du calendrier.",
            (
                "Calendrier des réunions.",
                "1",
                "102",
                "6171-1231",
                "12/03/2024",
                "Fin du calendrier.",
            ),
        ),
        # A line stopped mid-sentence is not joined across a separator.
        ("Il a dit que\n* * *\nla suite", ("Il a dit que", "* * *", "la suite")),
        # Inside a blank-line block.
        (
            "Titre\n\nPremière ligne du texte qui continue\n—\nsur la suite.",
            ("Titre", "Première ligne du texte qui continue", "—", "sur la suite."),
        ),
    ],
)
def test_lines_without_letters_stay_paragraphs_of_their_own(text, expected):
    assert paragraphs_of(text)[0] == expected


@pytest.mark.parametrize("blank", ["", "\u200b", "\ufeff", "\u2060", " \u200b\t", "\u200e\u00ad"])
def test_invisible_only_lines_are_blank_lines(blank):
    text = f"Le conseil s'est réuni hier soir.\n{blank}\nLes débats ont duré trois heures."
    expected = ("Le conseil s'est réuni hier soir.", "Les débats ont duré trois heures.")
    assert paragraphs_of(text) == (expected, "\n\n")


def test_a_visible_character_makes_a_line_non_blank():
    text = "Le conseil s'est réuni.\n\u200bx\nLes débats."
    assert paragraphs_of(text) == (("Le conseil s'est réuni.", "\u200bx", "Les débats."), "\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The case file's syllable breaks.
        ("telle qu'on la com-\nprend aujourd'hui", "telle qu'on la comprend aujourd'hui"),
        ("des asymétries inhé-\nrentes aux phénomènes", "des asymétries inhérentes aux phénomènes"),
        ("l'action réci-\nproque d'un aimant", "l'action réciproque d'un aimant"),
        (
            "du mouvement du con-\nducteur et de l'aimant.",
            "du mouvement du conducteur et de l'aimant.",
        ),
        # Real compounds keep their hyphen.
        ("Il viendra peut-\nêtre demain.", "Il viendra peut-être demain."),
        ("Il habite à Saint-\nÉtienne depuis 2010.", "Il habite à Saint-Étienne depuis 2010."),
        ("Il est assis vis-à-\nvis du maire.", "Il est assis vis-à-vis du maire."),
        ("Il est élu, c'est-à-\ndire responsable.", "Il est élu, c'est-à-dire responsable."),
        ("Selon le porte-\nparole du maire.", "Selon le porte-parole du maire."),
        ("Un bel arc-\nen-ciel est apparu.", "Un bel arc-en-ciel est apparu."),
        ("Le vent du sud-\nouest souffle.", "Le vent du sud-ouest souffle."),
        # A one-letter half is no cut: the euphonic -t-.
        ("Que va-t-\nil faire ?", "Que va-t-il faire ?"),
        # A word made of two words is joined when the list spells it joined.
        ("Il a perdu son porte-\nfeuille hier.", "Il a perdu son portefeuille hier."),
        # A soft hyphen always joins; U+2010 HYPHEN is kept as written.
        ("du mouvement du con\u00ad\nducteur.", "du mouvement du conducteur."),
        ("Il viendra peut\u2010\nêtre demain.", "Il viendra peut\u2010être demain."),
        # A line holding only the rest of the word.
        ("telle qu'on la com-\nprend.", "telle qu'on la comprend."),
        # The document's own vocabulary wins over the list: a made-up compound
        # written unbroken elsewhere keeps its hyphen, and is joined otherwise.
        (
            "Le zorglub-\nkapla est prêt. Un zorglub-kapla coûte cher.",
            "Le zorglub-kapla est prêt. Un zorglub-kapla coûte cher.",
        ),
        ("Le zorglub-\nkapla est prêt.", "Le zorglubkapla est prêt."),
        (
            "Un arc-\nboutant tient la voûte. Chaque arcboutant coûte cher.",
            "Un arcboutant tient la voûte. Chaque arcboutant coûte cher.",
        ),
        ("Un arc-\nboutant tient la voûte.", "Un arc-boutant tient la voûte."),
        # A dash after a space or a digit is no cut word.
        ("Il a dit -\nnon, jamais.", "Il a dit - non, jamais."),
    ],
)
def test_words_cut_at_line_ends(text, expected):
    assert paragraphs_of(text)[0] == (expected,)


def test_a_cut_word_joins_lines_of_a_one_paragraph_per_line_file():
    long = "Il est connu que l'électrodynamique de Maxwell, " * 4
    text = f"{long}telle qu'on la com-\nprend, conduit à des asymétries.\nAutre paragraphe."
    assert paragraphs_of(text)[0] == (
        f"{long}telle qu'on la comprend, conduit à des asymétries.",
        "Autre paragraphe.",
    )


@pytest.fixture
def no_word_list(monkeypatch):
    def refuse() -> dict[str, int]:
        raise AssertionError("the word list was loaded")

    monkeypatch.setattr(dehyphenate, "french_words", refuse)


@pytest.mark.parametrize(
    "text",
    [
        SEED.read_text(encoding="utf-8"),
        "Il viendra peut-être demain, vis-à-vis du sud-ouest.\nLa suite -\n12-",
        "Il habite à Saint-\nÉtienne depuis 2010.",  # decided by the capital
        "Le zorglub-\nkapla est prêt. Un zorglub-kapla coûte cher.",  # by the document
    ],
)
def test_the_word_list_is_loaded_only_for_a_cut_word_that_needs_it(no_word_list, text):
    assert paragraphs_of(text)[0]


def test_help_does_not_load_the_word_list():
    code = (
        "import sys; from translate_cli.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('LOADED', 'spellchecker' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "LOADED False" in out.stdout


def test_the_regression_set_keeps_its_paragraphs():
    # The seed: one paragraph per line; marche-lyon: wrapped blocks and a
    # headline; the shared articles: one paragraph per blank-line block.
    assert read_document(SEED).paragraphs == tuple(SEED.read_text().splitlines())
    lyon = read_document(SAMPLES / "marche-lyon.fr.txt").paragraphs
    blocks = (SAMPLES / "marche-lyon.fr.txt").read_text().split("\n\n")
    assert lyon == tuple(" ".join(b.split("\n")).strip() for b in blocks)
    articles = sorted(shared_path("data", "articles").glob("*.fr.txt"))
    assert len(articles) == 9
    for path in articles:
        lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
        assert read_document(path).paragraphs == tuple(lines), path.name


def _english_paragraphs(tmp_path, copy_model, names):
    """Translate the named case files with the copy model; their English paragraphs."""
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in names:
        (cases / name).write_bytes(shared_path("data", "cases", name).read_bytes())
    out = tmp_path / "out"
    args = [str(cases), "-o", str(out), "--model", str(copy_model), "--no-tm"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    found = {}
    for name in names:
        english = (out / name.replace(".txt", ".en.txt")).read_text(encoding="utf-8")
        separator = "\n\n" if "\n\n" in english else "\n"
        found[name] = english.strip("\n").split(separator)
    return found


def test_case_files_give_the_paragraphs_the_cases_readme_states(tmp_path, copy_model):
    names = ["02-hard-wrap-capital.txt", "03-pdf-hyphenation.txt", "11-blankish-lines.txt"]
    english = _english_paragraphs(tmp_path, copy_model, names)
    # 02: one paragraph; 03: a heading and two paragraphs, words rejoined;
    # 11: the invisible-only lines are blank, the text-free lines their own.
    assert len(english["02-hard-wrap-capital.txt"]) == 1
    hyphenation = english["03-pdf-hyphenation.txt"]
    assert len(hyphenation) == 3
    for word in ("comprend", "inhérentes", "réciproque", "conducteur"):
        assert word in " ".join(hyphenation)
    assert len(english["11-blankish-lines.txt"]) == 5


# Findings of the paragraph review (try 12), each with one more input of its kind.
FINDINGS = [
    # F1: heading and byline do not vote; wrapped at 77 columns.
    pytest.param(
        "Fermeture du pont de l'Europe\n"
        "Par Luc Martin\n"
        "La circulation sur le pont de l'Europe sera interrompue pendant six semaines\n"
        "à partir de lundi, a annoncé la préfète Claire Lambert. Les travaux coûteront\n"
        "4 millions d'euros, financés par Strasbourg et Kehl.",
        (
            "Fermeture du pont de l'Europe",
            "Par Luc Martin",
            (
                "La circulation sur le pont de l'Europe sera interrompue pendant six semaines à "
                "partir de lundi, a annoncé la préfète Claire Lambert. Les travaux coûteront 4 "
                "millions d'euros, financés par Strasbourg et Kehl."
            ),
        ),
        id="short_article77",
    ),
    pytest.param(
        "Grève dans les transports lillois\n"
        "Par Anne Roux\n"
        "Les conducteurs de bus de Lille ont cessé le travail ce matin pour protester\n"
        "contre la réforme des horaires, a indiqué le syndicat. La grève devrait durer\n"
        "3 jours selon la direction, qui appelle au dialogue.",
        (
            "Grève dans les transports lillois",
            "Par Anne Roux",
            (
                "Les conducteurs de bus de Lille ont cessé le travail ce matin pour protester "
                "contre la réforme des horaires, a indiqué le syndicat. La grève devrait durer 3 "
                "jours selon la direction, qui appelle au dialogue."
            ),
        ),
        id="own_heading_byline_wrap",
    ),
    # F2: a first line cut before a name, a number, or a word and a comma is no
    # headline; the width ignores one URL line; a signature stays apart.
    pytest.param(
        "Le maire de Nantes a inauguré lundi la nouvelle médiathèque du quartier\n"
        "Nord, en présence de 300 habitants. La construction a duré deux ans et a coûté\n"
        "12 millions d'euros, financés par la ville et la région Pays de la Loire.",
        (
            (
                "Le maire de Nantes a inauguré lundi la nouvelle médiathèque du quartier Nord, en "
                "présence de 300 habitants. La construction a duré deux ans et a coûté 12 "
                "millions d'euros, financés par la ville et la région Pays de la Loire."
            ),
        ),
        id="pdflike",
    ),
    pytest.param(
        "Bonjour à tous,\n"
        "\n"
        "Le musée accueille chaque année\n"
        "12 000 visiteurs venus de toute l'Europe, et nous espérons faire mieux cette année.\n"
        "\n"
        "Notre nouvelle exposition sur Victor\n"
        "Hugo ouvrira ses portes le 3 mai, avec le soutien de la ville de Besançon.\n"
        "\n"
        "La directrice, qui arrive de\n"
        "Lyon, présentera le programme.\n"
        "\n"
        "Cordialement,\n"
        "Hélène",
        (
            "Bonjour à tous,",
            (
                "Le musée accueille chaque année 12 000 visiteurs venus de toute l'Europe, et "
                "nous espérons faire mieux cette année."
            ),
            (
                "Notre nouvelle exposition sur Victor Hugo ouvrira ses portes le 3 mai, avec le "
                "soutien de la ville de Besançon."
            ),
            "La directrice, qui arrive de Lyon, présentera le programme.",
            "Cordialement,",
            "Hélène",
        ),
        id="handwrap_signature",
    ),
    pytest.param(
        "Le conseil municipal a voté jeudi soir une subvention de 40\n"
        "000 euros pour la rénovation du gymnase Jean Moulin, fermé\n"
        "depuis janvier.\n"
        "\n"
        "La commune participera aussi au financement des vestiaires\n"
        "et de la nouvelle salle de sport.\n"
        "\n"
        "Voir le site https://www.ville-exemple.fr/actualites/2025/03/renovation-du-gymnase-jean-moulin",
        (
            (
                "Le conseil municipal a voté jeudi soir une subvention de 40 000 euros pour la "
                "rénovation du gymnase Jean Moulin, fermé depuis janvier."
            ),
            (
                "La commune participera aussi au financement des vestiaires et de la nouvelle "
                "salle de sport."
            ),
            (
                "Voir le site "
                "https://www.ville-exemple.fr/actualites/2025/03/renovation-du-gymnase-jean-moulin"
            ),
        ),
        id="blank_url",
    ),
    pytest.param(
        "Nous avons reçu hier la visite de Marie\n"
        "Laurent, la nouvelle directrice de l'école, avec les élus de la commune voisine.\n"
        "\n"
        "Le festival présentera cette année\n"
        "150 concerts gratuits dans les parcs de la ville, du 1er au 15 juillet.\n"
        "\n"
        "Merci à tous pour votre accueil.",
        (
            (
                "Nous avons reçu hier la visite de Marie Laurent, la nouvelle directrice de "
                "l'école, avec les élus de la commune voisine."
            ),
            (
                "Le festival présentera cette année 150 concerts gratuits dans les parcs de la "
                "ville, du 1er au 15 juillet."
            ),
            "Merci à tous pour votre accueil.",
        ),
        id="own_name_and_number_cut",
    ),
    pytest.param(
        "Le département a accordé une aide de 25\n"
        "000 euros au club de football de la ville.\n"
        "\n"
        "Les détails sont en ligne.\n"
        "\n"
        "Voir https://www.departement-exemple.fr/aides/2025/club-de-football-de-la-ville\n"
        "\n"
        "Bien à vous,\n"
        "Marc Petit",
        (
            ("Le département a accordé une aide de 25 000 euros au club de football de la ville."),
            "Les détails sont en ligne.",
            "Voir https://www.departement-exemple.fr/aides/2025/club-de-football-de-la-ville",
            "Bien à vous,",
            "Marc Petit",
        ),
        id="own_number_cut_url_signature",
    ),
    # A headline ending with a name, followed by a line opening with a full name.
    pytest.param(
        "Inondations dans le Gard\n"
        "Marie Dupont, maire de la commune, a demandé l'aide de l'État pour les sinistrés.\n"
        "\n"
        "Les dégâts sont estimés à 3 millions d'euros selon la préfecture du département.",
        (
            "Inondations dans le Gard",
            "Marie Dupont, maire de la commune, a demandé l'aide de l'État pour les sinistrés.",
            "Les dégâts sont estimés à 3 millions d'euros selon la préfecture du département.",
        ),
        id="own_headline_then_full_name",
    ),
    # F3: a heading after a paragraph stays its own.
    pytest.param(
        "Inondations dans la vallée du Rhône\n"
        "Par Sophie Marchand\n"
        "Lieu : Valence\n"
        "Date : 4 avril 2025\n"
        "Les pluies torrentielles qui se sont abattues sur la Drôme dans la nuit de\n"
        "dimanche à lundi ont provoqué la crue de plusieurs rivières. Selon la\n"
        "préfecture, 1 200 foyers ont été évacués et trois routes départementales\n"
        "restent coupées. « La situation est sous contrôle », a assuré le préfet\n"
        "Laurent Giraud lors d'une conférence de presse à Valence.\n"
        "Mesures prises\n"
        "- ouverture de deux gymnases ;\n"
        "- distribution d'eau potable ;\n"
        "- fermeture des écoles jusqu'à mercredi.\n"
        "Les habitants peuvent joindre la cellule de crise au numéro vert, qui sera\n"
        "ouverte jour et nuit jusqu'à la fin de l'épisode.\n"
        "Contact : mairie de Valence",
        (
            "Inondations dans la vallée du Rhône",
            "Par Sophie Marchand",
            "Lieu : Valence",
            "Date : 4 avril 2025",
            (
                "Les pluies torrentielles qui se sont abattues sur la Drôme dans la nuit de "
                "dimanche à lundi ont provoqué la crue de plusieurs rivières. Selon la "
                "préfecture, 1 200 foyers ont été évacués et trois routes départementales restent "
                "coupées. « La situation est sous contrôle », a assuré le préfet Laurent Giraud "
                "lors d'une conférence de presse à Valence."
            ),
            "Mesures prises",
            "- ouverture de deux gymnases ;",
            "- distribution d'eau potable ;",
            "- fermeture des écoles jusqu'à mercredi.",
            (
                "Les habitants peuvent joindre la cellule de crise au numéro vert, qui sera "
                "ouverte jour et nuit jusqu'à la fin de l'épisode."
            ),
            "Contact : mairie de Valence",
        ),
        id="mixed",
    ),
    pytest.param(
        "Le maire a présenté le projet de tramway devant le conseil, qui\n"
        "l'a approuvé à une large majorité après deux heures de débat et\n"
        "un long échange avec l'opposition.\n"
        "Calendrier\n"
        "Les travaux commenceront en mars et dureront deux ans, selon\n"
        "la métropole, qui finance le projet.",
        (
            (
                "Le maire a présenté le projet de tramway devant le conseil, qui l'a approuvé à "
                "une large majorité après deux heures de débat et un long échange avec "
                "l'opposition."
            ),
            "Calendrier",
            (
                "Les travaux commenceront en mars et dureront deux ans, selon la métropole, qui "
                "finance le projet."
            ),
        ),
        id="own_heading_after_paragraph",
    ),
    # F4: one item per line: long headlines, posts ending with an emoji.
    pytest.param(
        "Le gouvernement annonce un plan de relance de cent milliards d'euros pour l'industrie\n"
        "Les syndicats appellent à la grève le 5 décembre dans les transports publics\n"
        "Fortes pluies attendues sur la Bretagne et la Normandie pendant tout le week-end\n"
        "Le prix du carburant atteint un nouveau record dans les stations du Sud-Ouest",
        (
            (
                "Le gouvernement annonce un plan de relance de cent milliards d'euros pour "
                "l'industrie"
            ),
            "Les syndicats appellent à la grève le 5 décembre dans les transports publics",
            "Fortes pluies attendues sur la Bretagne et la Normandie pendant tout le week-end",
            "Le prix du carburant atteint un nouveau record dans les stations du Sud-Ouest",
        ),
        id="headlines",
    ),
    pytest.param(
        "Super soirée hier soir au concert de Lyon avec toute la bande, on remet ça bientôt 🎉\n"
        "Merci à tous les bénévoles qui ont rendu ce festival possible malgré la pluie 🙏\n"
        "Rendez-vous l'année prochaine pour la dixième édition du festival des Nuits 🎸\n"
        "Les photos de la soirée sont enfin en ligne sur notre page, allez voir 📸",
        (
            (
                "Super soirée hier soir au concert de Lyon avec toute la bande, on remet ça "
                "bientôt 🎉"
            ),
            "Merci à tous les bénévoles qui ont rendu ce festival possible malgré la pluie 🙏",
            "Rendez-vous l'année prochaine pour la dixième édition du festival des Nuits 🎸",
            "Les photos de la soirée sont enfin en ligne sur notre page, allez voir 📸",
        ),
        id="posts",
    ),
    pytest.param(
        "Trop contente de vous retrouver ce soir pour le concert au Zénith de Nantes 😍\n"
        "Un grand merci à l'équipe de la salle pour l'accueil et la bonne humeur 🙌\n"
        "Prochaine date annoncée très bientôt sur nos réseaux, restez connectés 🔔",
        (
            "Trop contente de vous retrouver ce soir pour le concert au Zénith de Nantes 😍",
            "Un grand merci à l'équipe de la salle pour l'accueil et la bonne humeur 🙌",
            "Prochaine date annoncée très bientôt sur nos réseaux, restez connectés 🔔",
        ),
        id="posts2",
    ),
    pytest.param(
        "Le tribunal administratif annule l'arrêté du maire sur la circulation en ville\n"
        "La sécheresse menace les récoltes de blé dans tout le Centre et le Bassin parisien\n"
        "Nouvelle hausse du nombre de demandeurs d'emploi au troisième trimestre en France",
        (
            "Le tribunal administratif annule l'arrêté du maire sur la circulation en ville",
            ("La sécheresse menace les récoltes de blé dans tout le Centre et le Bassin parisien"),
            ("Nouvelle hausse du nombre de demandeurs d'emploi au troisième trimestre en France"),
        ),
        id="own_headlines",
    ),
    pytest.param(
        "Quelle belle journée à la plage avec les enfants, on y retourne dimanche ☀️\n"
        "Bravo à toute l'équipe pour cette victoire incroyable face à Marseille ⚽\n"
        "On vous attend nombreux samedi pour la fête de quartier, venez déguisés 🎈",
        (
            "Quelle belle journée à la plage avec les enfants, on y retourne dimanche ☀️",
            "Bravo à toute l'équipe pour cette victoire incroyable face à Marseille ⚽",
            "On vous attend nombreux samedi pour la fête de quartier, venez déguisés 🎈",
        ),
        id="own_posts",
    ),
    # F5: an indented line under a list item continues it.
    pytest.param(
        "Le conseil a retenu trois projets pour l'année prochaine :\n"
        "- l'agrandissement de la bibliothèque municipale, confié à l'architecte\n"
        "  Sophie Renard, qui a déjà travaillé pour la commune ;\n"
        "- la création d'une piste cyclable le long du canal de Nantes à\n"
        "  Brest, sur 12 kilomètres.",
        (
            "Le conseil a retenu trois projets pour l'année prochaine :",
            (
                "- l'agrandissement de la bibliothèque municipale, confié à l'architecte Sophie "
                "Renard, qui a déjà travaillé pour la commune ;"
            ),
            (
                "- la création d'une piste cyclable le long du canal de Nantes à Brest, sur 12 "
                "kilomètres."
            ),
        ),
        id="listwrap2",
    ),
    pytest.param(
        "Au programme de la journée :\n"
        "- la visite du chantier de la médiathèque, en présence du maire\n"
        "  Jean Dupuis, qui inaugurera la première pierre ;\n"
        "- un débat public à la salle des fêtes.",
        (
            "Au programme de la journée :",
            (
                "- la visite du chantier de la médiathèque, en présence du maire Jean Dupuis, qui "
                "inaugurera la première pierre ;"
            ),
            "- un débat public à la salle des fêtes.",
        ),
        id="own_listwrap",
    ),
]


@pytest.mark.parametrize(("text", "expected"), FINDINGS)
def test_findings_headlines_items_and_list_continuations(text, expected):
    assert paragraphs_of(text)[0] == expected
