"""The French sentence splitter and the long-sentence cutter, as tables.

Each row of ``CASES`` is documentation: an input paragraph, the sentences a
French reader sees in it, and the rule it pins down.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType

import pytest

from translate_cli import segment
from translate_cli.segment import (
    ABBREVIATIONS,
    AbbrevKind,
    cut_spans,
    sentence_spans,
    split_sentences,
)

NBSP = "\u00a0"
NNBSP = "\u202f"

CASES: list[tuple[str, list[str], str]] = [
    # --- plain punctuation -------------------------------------------------
    ("Il pleut. Le vent souffle.", ["Il pleut.", "Le vent souffle."], "full stop"),
    ("Tu viens ? Oui.", ["Tu viens ?", "Oui."], "question mark with French spacing"),
    ("Quelle horreur ! Partons.", ["Quelle horreur !", "Partons."], "exclamation"),
    ("Tu es fou ?! Arrête.", ["Tu es fou ?!", "Arrête."], "stacked ?!"),
    ("Tu es fou ?!! Arrête.", ["Tu es fou ?!!", "Arrête."], "longer stack"),
    ("Il hésita… Puis il partit.", ["Il hésita…", "Puis il partit."], "ellipsis character"),
    ("Il attendit... Rien ne vint.", ["Il attendit...", "Rien ne vint."], "three points"),
    ("Il hésita… et partit.", ["Il hésita… et partit."], "ellipsis before lowercase"),
    (
        "Le terrain, revendu... 1,6 million, a doublé.",
        ["Le terrain, revendu... 1,6 million, a doublé."],
        "suspension before a number",
    ),
    (
        "Il est né à Paris. et il y vit.",
        ["Il est né à Paris.", "et il y vit."],
        "a plain word's point before lowercase",
    ),
    ("Il pleut. À Paris, il vente.", ["Il pleut.", "À Paris, il vente."], "accented capital"),
    ("Il pleut. A Paris, il vente.", ["Il pleut.", "A Paris, il vente."], "unaccented À"),
    (
        "Il a gagné en 2012. 300 personnes ont applaudi.",
        ["Il a gagné en 2012.", "300 personnes ont applaudi."],
        "digit start",
    ),
    ("  Il part.  Elle reste.  ", ["Il part.", "Elle reste."], "surrounding whitespace"),
    ("Un titre sans point", ["Un titre sans point"], "no final punctuation"),
    ("", [], "empty"),
    ("   \n ", [], "whitespace only"),
    # --- stray and doubled points of scraped text ------------------------------
    (
        "Il craint l'escalade . Le Pentagone veille .",
        ["Il craint l'escalade .", "Le Pentagone veille ."],
        "detached point",
    ),
    (
        "Il parle de l'Ukraine. . Puis il part.",
        ["Il parle de l'Ukraine. .", "Puis il part."],
        "doubled point",
    ),
    (
        "à l'intérieur de l'Ukraine. .",
        ["à l'intérieur de l'Ukraine. ."],
        "doubled point at the end",
    ),
    # --- titles --------------------------------------------------------------
    ("M. Dupont est arrivé. Il a parlé.", ["M. Dupont est arrivé.", "Il a parlé."], "M."),
    (
        "MM. Dupont et Durand votent. Ils gagnent.",
        ["MM. Dupont et Durand votent.", "Ils gagnent."],
        "MM.",
    ),
    (
        "Selon M. Le Pen, tout va bien.",
        ["Selon M. Le Pen, tout va bien."],
        "title before a function-word name",
    ),
    (
        "Le Dr. Martin et le Pr. Roux sont là. Ils opèrent.",
        ["Le Dr. Martin et le Pr. Roux sont là.", "Ils opèrent."],
        "Dr. and Pr. with a point",
    ),
    (
        "Mme Martin a vu Mgr. Vingt-Trois. Elle a prié.",
        ["Mme Martin a vu Mgr. Vingt-Trois.", "Elle a prié."],
        "Mgr.",
    ),
    (
        "Le gén. Leclerc entra dans Paris. La foule l'acclama.",
        ["Le gén. Leclerc entra dans Paris.", "La foule l'acclama."],
        "gén.",
    ),
    (
        "Le col. Rémy commandait. Il était jeune.",
        ["Le col. Rémy commandait.", "Il était jeune."],
        "col. as a rank",
    ),
    (
        "Il a franchi le col. Il est redescendu.",
        ["Il a franchi le col.", "Il est redescendu."],
        "col as a noun",
    ),
    ("Il vit à St. Louis depuis 2010.", ["Il vit à St. Louis depuis 2010."], "St."),
    ("La basilique Ste. Anne est fermée.", ["La basilique Ste. Anne est fermée."], "Ste."),
    # --- abbreviations ---------------------------------------------------------
    (
        "Certains fruits, p. ex. les pommes, mûrissent. D'autres non.",
        ["Certains fruits, p. ex. les pommes, mûrissent.", "D'autres non."],
        "p. ex.",
    ),
    (
        "Des fruits, p. ex. Pommes et poires.",
        ["Des fruits, p. ex. Pommes et poires."],
        "p. ex. before a capital",
    ),
    (
        "Le chef, c.-à-d. Marie, décide. Nous suivons.",
        ["Le chef, c.-à-d. Marie, décide.", "Nous suivons."],
        "c.-à-d.",
    ),
    (
        "Voir l'étude (cf. Dupont, 2010). Elle conclut.",
        ["Voir l'étude (cf. Dupont, 2010).", "Elle conclut."],
        "cf. and a closing bracket",
    ),
    (
        "Il a des pommes, des poires, etc. et des prunes.",
        ["Il a des pommes, des poires, etc. et des prunes."],
        "etc. mid-sentence",
    ),
    (
        "Il a des pommes, des poires, etc. Puis il part.",
        ["Il a des pommes, des poires, etc.", "Puis il part."],
        "etc. ends the sentence",
    ),
    (
        "Il a des pommes, etc., puis il part.",
        ["Il a des pommes, etc., puis il part."],
        "etc. before a comma",
    ),
    (
        "Il a des fruits (pommes, poires, etc.). Puis il part.",
        ["Il a des fruits (pommes, poires, etc.).", "Puis il part."],
        "etc. in brackets",
    ),
    (
        "« Des pommes, des poires, etc. » a-t-il dit.",
        ["« Des pommes, des poires, etc. » a-t-il dit."],
        "etc. before an incise",
    ),
    (
        "César mourut en 44 av. J.-C. Son fils lui succéda.",
        ["César mourut en 44 av. J.-C.", "Son fils lui succéda."],
        "J.-C. ends the sentence",
    ),
    (
        "Vers 800 apr. J.-C. Charlemagne fut couronné.",
        ["Vers 800 apr. J.-C. Charlemagne fut couronné."],
        "J.-C. before the subject",
    ),
    (
        "En 52 av. J.-C. la Gaule tomba.",
        ["En 52 av. J.-C. la Gaule tomba."],
        "J.-C. before lowercase",
    ),
    (
        "L'art. 3 du Code civil s'applique. Il est clair.",
        ["L'art. 3 du Code civil s'applique.", "Il est clair."],
        "art. before a number",
    ),
    (
        "Voir l'art. L. 121-1 du Code. Il s'applique.",
        ["Voir l'art. L. 121-1 du Code.", "Il s'applique."],
        "art. before a legal code",
    ),
    ("Il aime l'art. Il peint.", ["Il aime l'art.", "Il peint."], "art as a noun"),
    (
        "Il a été arrêté pour vol. Il nie.",
        ["Il a été arrêté pour vol.", "Il nie."],
        "vol as a noun",
    ),
    (
        "Lisez le chap. IV et la fig. 2. Ils sont clairs.",
        ["Lisez le chap. IV et la fig. 2.", "Ils sont clairs."],
        "chap. and fig.",
    ),
    ("Voir t. II, p. 45. C'est là.", ["Voir t. II, p. 45.", "C'est là."], "t. and p."),
    ("Le n° 5 a gagné. Le no. 6 a perdu.", ["Le n° 5 a gagné.", "Le no. 6 a perdu."], "n° and no."),
    (
        "Il y avait env. 300 personnes. Elles chantaient.",
        ["Il y avait env. 300 personnes.", "Elles chantaient."],
        "env.",
    ),
    (
        "Le 12 janv. 2013, il partit. Le 3 févr. il revint.",
        ["Le 12 janv. 2013, il partit.", "Le 3 févr. il revint."],
        "months in dates",
    ),
    (
        "Il est arrivé le 3 déc. Le lendemain, il partit.",
        ["Il est arrivé le 3 déc.", "Le lendemain, il partit."],
        "month ends the sentence",
    ),
    (
        "Ils étaient sept. Le huitième manquait.",
        ["Ils étaient sept.", "Le huitième manquait."],
        "sept the number",
    ),
    (
        "Appelez le tél. 01 23 45 67 89. Merci.",
        ["Appelez le tél. 01 23 45 67 89.", "Merci."],
        "tél.",
    ),
    (
        "Il travaille chez Apple Inc. La firme est riche.",
        ["Il travaille chez Apple Inc.", "La firme est riche."],
        "Inc. ends the sentence",
    ),
    (
        "C'était au XIXe s. Il y a longtemps.",
        ["C'était au XIXe s.", "Il y a longtemps."],
        "s. (siècle)",
    ),
    # --- initials and acronyms -------------------------------------------------
    (
        "J. K. Rowling a écrit. Elle est riche.",
        ["J. K. Rowling a écrit.", "Elle est riche."],
        "initials",
    ),
    ("J.K. Rowling a écrit. Elle vit.", ["J.K. Rowling a écrit.", "Elle vit."], "glued initials"),
    (
        "Ph. Dupont a signé. Ch. Martin aussi.",
        ["Ph. Dupont a signé.", "Ch. Martin aussi."],
        "two-letter initials",
    ),
    ("J. A. Dupont a signé.", ["J. A. Dupont a signé."], "an initial that is also a word"),
    (
        "Les É.-U. et l'U.R.S.S. se sont affrontés.",
        ["Les É.-U. et l'U.R.S.S. se sont affrontés."],
        "dotted acronyms",
    ),
    (
        "Il a quitté l'U.R.S.S. Il n'y est jamais revenu.",
        ["Il a quitté l'U.R.S.S.", "Il n'y est jamais revenu."],
        "acronym ends the sentence",
    ),
    (
        "Il travaille pour l'U.S. Census Bureau. C'est loin.",
        ["Il travaille pour l'U.S. Census Bureau.", "C'est loin."],
        "acronym inside a name",
    ),
    (
        "Il prend de la vitamine C. Elle le protège.",
        ["Il prend de la vitamine C.", "Elle le protège."],
        "letter ends the sentence",
    ),
    (
        "Il a rejoint l'OTAN. Le traité le lie.",
        ["Il a rejoint l'OTAN.", "Le traité le lie."],
        "undotted acronym",
    ),
    # --- numbers ---------------------------------------------------------------
    (
        "Il est né le 1er mars 1990. Il a 3 000 amis.",
        ["Il est né le 1er mars 1990.", "Il a 3 000 amis."],
        "1er and 3 000",
    ),
    (
        f"La hausse est de 3,5{NBSP}%. Le marché réagit.",
        [f"La hausse est de 3,5{NBSP}%.", "Le marché réagit."],
        "percent",
    ),
    (
        "Rendez-vous à 8 h 30. Le train part à 9 h. Il est tard.",
        ["Rendez-vous à 8 h 30.", "Le train part à 9 h.", "Il est tard."],
        "hours",
    ),
    (
        "Le taux est de 3.5 pour cent. C'est peu.",
        ["Le taux est de 3.5 pour cent.", "C'est peu."],
        "decimal point",
    ),
    (
        "Les étapes : 1. Préparer le terrain. 2. Construire.",
        ["Les étapes : 1. Préparer le terrain.", "2. Construire."],
        "list items",
    ),
    ("1. Introduction au sujet.", ["1. Introduction au sujet."], "a list label opens the sentence"),
    (
        "a. Le premier point. b. Le second.",
        ["a. Le premier point.", "b. Le second."],
        "letter labels",
    ),
    # --- URLs and e-mail ---------------------------------------------------------
    (
        "Consultez www.lemonde.fr. Vous y trouverez tout.",
        ["Consultez www.lemonde.fr.", "Vous y trouverez tout."],
        "domain",
    ),
    (
        "Écrivez à info@exemple.fr. Nous répondrons.",
        ["Écrivez à info@exemple.fr.", "Nous répondrons."],
        "e-mail",
    ),
    (
        "Le site https://exemple.fr/a.html?id=3 marche. Il est neuf.",
        ["Le site https://exemple.fr/a.html?id=3 marche.", "Il est neuf."],
        "URL with ? and .",
    ),
    (
        "Voir https://www.exemple.fr/un/long/chemin/page.html. Tout y est.",
        ["Voir https://www.exemple.fr/un/long/chemin/page.html.", "Tout y est."],
        "long URL",
    ),
    # --- quotations --------------------------------------------------------------
    (
        f"Il a dit{NBSP}: «{NBSP}Je pars.{NBSP}» Puis il est parti.",
        [f"Il a dit{NBSP}: «{NBSP}Je pars.{NBSP}»", "Puis il est parti."],
        "guillemets with NBSP",
    ),
    (
        f"Il a dit{NNBSP}: «{NNBSP}Je pars.{NNBSP}» Puis il est parti.",
        [f"Il a dit{NNBSP}: «{NNBSP}Je pars.{NNBSP}»", "Puis il est parti."],
        "guillemets with narrow NBSP",
    ),
    (
        "Il a dit : « Je pars. » Puis il est parti.",
        ["Il a dit : « Je pars. »", "Puis il est parti."],
        "guillemets with spaces",
    ),
    (
        "Il a dit : «Je pars.» Puis il est parti.",
        ["Il a dit : «Je pars.»", "Puis il est parti."],
        "guillemets without spaces",
    ),
    (
        "« Je pars ! » a-t-il dit. Puis il partit.",
        ["« Je pars ! » a-t-il dit.", "Puis il partit."],
        "incise after !",
    ),
    (
        "« Je pars ! », a-t-il dit. Il partit.",
        ["« Je pars ! », a-t-il dit.", "Il partit."],
        "comma after the quote",
    ),
    (
        "« Viens-tu ? » demanda-t-elle. Il se tut.",
        ["« Viens-tu ? » demanda-t-elle.", "Il se tut."],
        "incise after ?",
    ),
    (
        "« Pourquoi ? » Personne ne répond.",
        ["« Pourquoi ? »", "Personne ne répond."],
        "quoted question, then a sentence",
    ),
    ("Tu viens ? demanda-t-il.", ["Tu viens ? demanda-t-il."], "unquoted incise"),
    (
        "Il a déclaré : « Nous partons. Nous ne reviendrons pas. » La salle s'est tue.",
        ["Il a déclaré : « Nous partons.", "Nous ne reviendrons pas. »", "La salle s'est tue."],
        "multi-sentence quotation",
    ),
    (
        "Il dit « non ». Elle part.",
        ["Il dit « non ».", "Elle part."],
        "point after the closing quote",
    ),
    (
        'Il a dit "non." Puis il est parti.',
        ['Il a dit "non."', "Puis il est parti."],
        "straight quote closing",
    ),
    (
        '"La ligne est établie." Le Pentagone veille.',
        ['"La ligne est établie."', "Le Pentagone veille."],
        "straight quote, seed article",
    ),
    (
        'Il a parlé. "Les États-Unis sont prêts", a-t-il dit.',
        ["Il a parlé.", '"Les États-Unis sont prêts", a-t-il dit.'],
        "straight quote opening",
    ),
    (
        'Il a dit " je pars. " Puis il est parti.',
        ['Il a dit " je pars. "', "Puis il est parti."],
        "spaced straight quote closing",
    ),
    (
        'Il est parti. " Je reviens ", dit-il.',
        ["Il est parti.", '" Je reviens ", dit-il.'],
        "spaced straight quote opening",
    ),
    ("“Je pars.” Il partit.", ["“Je pars.”", "Il partit."], "curly quotes"),
    ("— Tu viens ? — Oui.", ["— Tu viens ?", "— Oui."], "dialogue dashes"),
    # --- brackets and omissions -------------------------------------------------
    ("(Il est parti.) Elle reste.", ["(Il est parti.)", "Elle reste."], "closing bracket stays"),
    (
        "Il est parti [...] La suite est connue.",
        ["Il est parti [...] La suite est connue."],
        "omission [...]",
    ),
    (
        "Il est parti (…) La suite est connue.",
        ["Il est parti (…) La suite est connue."],
        "omission (…)",
    ),
    (
        "Il est parti [...]. La suite est connue.",
        ["Il est parti [...].", "La suite est connue."],
        "omission, then a point",
    ),
    (
        "Il pleut. (Voir la carte.) Il vente.",
        ["Il pleut.", "(Voir la carte.)", "Il vente."],
        "bracketed sentence",
    ),
    # --- line breaks and odd starts -----------------------------------------------
    ("Titre sans point\n\nIl commence.", ["Titre sans point", "Il commence."], "blank line"),
    ("Il est\nparti. Elle reste.", ["Il est\nparti.", "Elle reste."], "single line break"),
    (
        "Il a acheté un téléphone. iPhone est sa marque.",
        ["Il a acheté un téléphone.", "iPhone est sa marque."],
        "camel-case brand",
    ),
    (
        "Soins palliatifs... | Le Devoir",
        ["Soins palliatifs... | Le Devoir"],
        "a bar does not start a sentence",
    ),
    # --- more abbreviations, labels and quotes ----------------------------------
    (
        "Il est au 3e étage, esc. B. La porte est là.",
        ["Il est au 3e étage, esc. B.", "La porte est là."],
        "esc. B",
    ),
    ("Il aime l'art. A Paris, il peint.", ["Il aime l'art.", "A Paris, il peint."], "art. then À"),
    ("Né c. 1500, il mourut jeune.", ["Né c. 1500, il mourut jeune."], "c. (circa)"),
    ("Lisez-le (v. Dupont, 2010). Il faut.", ["Lisez-le (v. Dupont, 2010).", "Il faut."], "v."),
    ("N.B. Les inscriptions sont closes.", ["N.B. Les inscriptions sont closes."], "N.B."),
    ("Il a vu Louis XIV. Le roi dînait.", ["Il a vu Louis XIV.", "Le roi dînait."], "Roman"),
    (
        "Le score final : 3. Les joueurs sont contents.",
        ["Le score final : 3.", "Les joueurs sont contents."],
        "a value after a colon is not a label",
    ),
    (
        "Trois raisons : 1. Le prix. 2. La qualité.",
        ["Trois raisons : 1. Le prix.", "2. La qualité."],
        "a first label after a colon",
    ),
    (
        'Selon lui, l"équipe a gagné. Elle dit " bravo. " Puis elle part.',
        ['Selon lui, l"équipe a gagné.', 'Elle dit " bravo. "', "Puis elle part."],
        "a quote standing for an apostrophe does not count",
    ),
    ("« Merci.\u2009» Il part.", ["« Merci.\u2009»", "Il part."], "thin space before »"),
    ("Il part. • Le point suivant.", ["Il part.", "• Le point suivant."], "bullet"),
    ("Il a signé. #MeToo a suivi.", ["Il a signé.", "#MeToo a suivi."], "hashtag"),
    (
        "Il a vu « le film »... Puis il est rentré.",
        ["Il a vu « le film »...", "Puis il est rentré."],
        "ellipsis after a quote",
    ),
    (
        "« Je ne sais pas... » Il partit.",
        ["« Je ne sais pas... »", "Il partit."],
        "ellipsis inside a quote",
    ),
    (
        "La réunion a lieu le 3 sept. 2013 à Paris.",
        ["La réunion a lieu le 3 sept. 2013 à Paris."],
        "sept.",
    ),
    (
        "Il est né en 1950 (cf. p. 3). Il vit.",
        ["Il est né en 1950 (cf. p. 3).", "Il vit."],
        "nested",
    ),
    # --- lowercase sentence starts (issue 14, kind 1) ------------------------------
    (
        "Le service était lent. on a attendu quarante minutes.",
        ["Le service était lent.", "on a attendu quarante minutes."],
        "review fragment",
    ),
    (
        "Pièces à fournir. - une copie du bail ; - une facture.",
        ["Pièces à fournir.", "- une copie du bail ; - une facture."],
        "dash list item",
    ),
    (
        "Il achète des vis, des clous, etc. et des outils.",
        ["Il achète des vis, des clous, etc. et des outils."],
        "etc. before lowercase in prose",
    ),
    (
        "Le p.-d.g. de la firme a parlé.",
        ["Le p.-d.g. de la firme a parlé."],
        "lowercase dotted abbreviation",
    ),
    (
        "Voir le Module 1.8.2. de l'annexe.",
        ["Voir le Module 1.8.2. de l'annexe."],
        "section number",
    ),
    (
        "Il visite le dépt. du Nord, puis le dépt. de l'Aisne. Il rentre.",
        ["Il visite le dépt. du Nord, puis le dépt. de l'Aisne.", "Il rentre."],
        "an abbreviation learned from the text (Punkt)",
    ),
    (
        "C'était lent. on attend. Le lent convoi passe. on part.",
        ["C'était lent.", "on attend.", "Le lent convoi passe.", "on part."],
        "a word also seen without its point is not learned",
    ),
    # --- everyday words that are also abbreviations (kind 2) ------------------------
    (
        "Il a croisé son ex. Elle n'avait pas changé.",
        ["Il a croisé son ex.", "Elle n'avait pas changé."],
        "ex. ends a sentence",
    ),
    (
        "Il embarqua sur un brig. Le navire coula.",
        ["Il embarqua sur un brig.", "Le navire coula."],
        "brig. ends a sentence",
    ),
    ("Le conte, ill. Sempé, est paru.", ["Le conte, ill. Sempé, est paru."], "ill. before a name"),
    (
        "Des fruits, par ex. Pommes et poires.",
        ["Des fruits, par ex. Pommes et poires."],
        "ex. before a capital that is not a function word",
    ),
    # --- a lowercase question after ? (kind 3) ---------------------------------------
    (
        "Comment remplir le formulaire ? à qui faut-il l'envoyer ?",
        ["Comment remplir le formulaire ?", "à qui faut-il l'envoyer ?"],
        "lowercase question",
    ),
    ("Tu viens ? demanda-t-elle.", ["Tu viens ? demanda-t-elle."], "incise with inversion"),
    (
        "Pourquoi pas ? a répondu le maire.",
        ["Pourquoi pas ? a répondu le maire."],
        "incise with a verb",
    ),
    (
        "Ils se disaient : qu'auraient-ils dit ? qu'auraient-ils pensé ? Je rêve.",
        ["Ils se disaient : qu'auraient-ils dit ? qu'auraient-ils pensé ?", "Je rêve."],
        "a rhetorical series",
    ),
    (
        "Que risquent les États-Unis ? une dégradation de leur image.",
        ["Que risquent les États-Unis ? une dégradation de leur image."],
        "an answer goes on",
    ),
    # --- transcribed speech (kind 4) -------------------------------------------------
    (
        "alors on est partis à la mer. et là c'était génial ! on a nagé… "
        "enfin c'était super. tu vois ? bon voilà.",
        [
            "alors on est partis à la mer.",
            "et là c'était génial !",
            "on a nagé…",
            "enfin c'était super.",
            "tu vois ?",
            "bon voilà.",
        ],
        "speech: ! … ? before lowercase",
    ),
    (
        "on a fait du quad, du bateau etc. donc c'était bien. et après on est rentrés.",
        ["on a fait du quad, du bateau etc.", "donc c'était bien.", "et après on est rentrés."],
        "speech: etc. ends a sentence",
    ),
    (
        "Il hésita… et partit. Tu viens ? demanda-t-elle. Quelle horreur ! dit-il.",
        ["Il hésita… et partit.", "Tu viens ? demanda-t-elle.", "Quelle horreur ! dit-il."],
        "capitalised dialogue never reads as speech",
    ),
    (
        "Le service était lent. on a attendu… et attendu. Le plat est arrivé.",
        ["Le service était lent.", "on a attendu… et attendu.", "Le plat est arrivé."],
        "one lowercase start does not make speech",
    ),
    # --- semicolons of scraped lists (kind 5) and list labels (kind 6) ----------------
    (
        "Ouvert du lundi au vendredi ; Le samedi, fermeture à midi.",
        ["Ouvert du lundi au vendredi ;", "Le samedi, fermeture à midi."],
        "; before a capitalised function word",
    ),
    (
        "La hausse atteint 4 % ; Lyon reste en tête.",
        ["La hausse atteint 4 % ; Lyon reste en tête."],
        "; before a name",
    ),
    (
        "Villes desservies : Paris ; Le Havre ; Lyon.",
        ["Villes desservies : Paris ; Le Havre ; Lyon."],
        "; before a name with a particle",
    ),
    (
        "Horaires : Le samedi, fermeture à midi.",
        ["Horaires : Le samedi, fermeture à midi."],
        "never at a colon",
    ),
    (
        "La loi prévoit trois cas. ii) la résiliation.",
        ["La loi prévoit trois cas.", "ii) la résiliation."],
        "roman list label",
    ),
    (
        "Les membres sont élus ; 3. Chaque membre désigne un suppléant.",
        ["Les membres sont élus ;", "3. Chaque membre désigne un suppléant."],
        "; before a numbered item",
    ),
    # --- no space after the point (kind 7) ---------------------------------------------
    (
        "Film culte, classique parmi les classiques.Enfin un conte de Noël.",
        ["Film culte, classique parmi les classiques.", "Enfin un conte de Noël."],
        "glued full stop",
    ),
    (
        "Livraison rapide!Le produit est conforme.",
        ["Livraison rapide!", "Le produit est conforme."],
        "glued exclamation",
    ),
    (
        "Écrivez à jean.Dupont@exemple.fr demain.",
        ["Écrivez à jean.Dupont@exemple.fr demain."],
        "glued: e-mail address",
    ),
    ("Voir www.Exemple.fr pour tout.", ["Voir www.Exemple.fr pour tout."], "glued: domain"),
    ("Il a vu M.Dupont hier.", ["Il a vu M.Dupont hier."], "glued: title"),
    # --- dotted acronyms (kind 8) ------------------------------------------------------
    (
        "Il a longtemps vécu aux É.-U. Washington lui a accordé la nationalité.",
        ["Il a longtemps vécu aux É.-U.", "Washington lui a accordé la nationalité."],
        "acronym after a determiner ends the sentence",
    ),
    (
        "Le texte a été adopté par l'O.N.U. Vingt pays se sont abstenus.",
        ["Le texte a été adopté par l'O.N.U.", "Vingt pays se sont abstenus."],
        "elided acronym ends the sentence",
    ),
    ("Il a rencontré J.-M. Le Pen hier.", ["Il a rencontré J.-M. Le Pen hier."], "J.-M. Le Pen"),
    (
        "Il a rejoint la société A.B.C. (Ateliers Bretons de Construction) en 2010.",
        ["Il a rejoint la société A.B.C. (Ateliers Bretons de Construction) en 2010."],
        "acronym before its expansion",
    ),
    ("Le L.A. Times rapporte l'affaire.", ["Le L.A. Times rapporte l'affaire."], "L.A. Times"),
    (
        "Il a vécu en 25 av. J-C. pour sa famille.",
        ["Il a vécu en 25 av. J-C. pour sa famille."],
        "J-C without points",
    ),
    # --- what a first review of the kinds found ------------------------------------------
    (
        "Le vin était trop sec. on ne le recommande pas.",
        ["Le vin était trop sec.", "on ne le recommande pas."],
        "an abbreviation that is an everyday word, before lowercase",
    ),
    (
        "Faites une pause de 30 sec. entre deux séries.",
        ["Faites une pause de 30 sec. entre deux séries."],
        "the same after a number",
    ),
    (
        "Service nul. accueil nul. je ne reviendrai pas.",
        ["Service nul.", "accueil nul.", "je ne reviendrai pas."],
        "a French word is never learned as an abbreviation",
    ),
    (
        "Il a croisé son ex. Marc l'a salué poliment.",
        ["Il a croisé son ex.", "Marc l'a salué poliment."],
        "ex. after a determiner is a noun",
    ),
    (
        "L'entreprise a franchi le cap. Trois mille exemplaires ont été vendus.",
        ["L'entreprise a franchi le cap.", "Trois mille exemplaires ont été vendus."],
        "a number word is not a name",
    ),
    (
        "Le colis est bloqué ? jusqu'à quand faut-il attendre ?",
        ["Le colis est bloqué ?", "jusqu'à quand faut-il attendre ?"],
        "question after prepositions",
    ),
    (
        "Le produit est-il sûr ? y a-t-il des effets indésirables ?",
        ["Le produit est-il sûr ?", "y a-t-il des effets indésirables ?"],
        "question with inversion",
    ),
    (
        "eBay a publié ses résultats. Les ventes progressent… mais les marges reculent.",
        ["eBay a publié ses résultats.", "Les ventes progressent… mais les marges reculent."],
        "a brand opening the paragraph is not speech",
    ),
    (
        "20 % des patients ont eu des nausées… mais rien de grave. Le traitement est sûr.",
        ["20 % des patients ont eu des nausées… mais rien de grave.", "Le traitement est sûr."],
        "a number opening the paragraph is not speech",
    ),
    (
        "Le tribunal a condamné la S.A.R.L. Martin à verser 5 000 euros.",
        ["Le tribunal a condamné la S.A.R.L. Martin à verser 5 000 euros."],
        "a company legal form before the name",
    ),
    (
        "Le Nobel a été attribué à J. M. G. Le Clézio en 2008.",
        ["Le Nobel a été attribué à J. M. G. Le Clézio en 2008."],
        "initials before a particle name",
    ),
    (
        "Dupont et al. (Nature, 2004) montrent que le gène est muté.",
        ["Dupont et al. (Nature, 2004) montrent que le gène est muté."],
        "an abbreviation before a bracketed capital",
    ),
    (
        "Le délai est de deux mois (art. R. 421-1).Le recours est gratuit.",
        ["Le délai est de deux mois (art. R. 421-1).", "Le recours est gratuit."],
        "glued after a closing bracket",
    ),
    # --- what a second review (new genres) found ----------------------------------------
    (
        "Vraiment nul !!! j'ai demandé un remboursement.",
        ["Vraiment nul !!!", "j'ai demandé un remboursement."],
        "stacked exclamation marks before lowercase",
    ),
    ("Trop bien!je recommande.", ["Trop bien!", "je recommande."], "glued ! before lowercase"),
    (
        "Il est arrivé à Washington D.C. Le FBI enquête.",
        ["Il est arrivé à Washington D.C.", "Le FBI enquête."],
        "an article before an acronym is no particle",
    ),
    (
        "La Cmax est atteinte en 2 h env. La dose est de 60 mg.",
        ["La Cmax est atteinte en 2 h env.", "La dose est de 60 mg."],
        "env. ends a sentence",
    ),
    (
        "La victime s'appelait Sophie M. Elle avait 34 ans.",
        ["La victime s'appelait Sophie M.", "Elle avait 34 ans."],
        "M. after a given name is an initial",
    ),
    (
        "Prendre 1 cp. le matin et 1 cp. 3 fois par jour. Ne pas croquer.",
        ["Prendre 1 cp. le matin et 1 cp. 3 fois par jour.", "Ne pas croquer."],
        "dosage forms",
    ),
    (
        "L'empereur Auguste meurt en 14 apr. J.-C. Tibère lui succède.",
        ["L'empereur Auguste meurt en 14 apr. J.-C.", "Tibère lui succède."],
        "a date closing the sentence",
    ),
    ("XXX. oui c'est ça.", ["XXX.", "oui c'est ça."], "a capital label is followed by a capital"),
    # --- an abbreviation before a bracketed reference (kind 9) -------------------------
    (
        "Dupont et al. (2004) montrent que tout va bien.",
        ["Dupont et al. (2004) montrent que tout va bien."],
        "et al. (2004)",
    ),
    (
        "Il cite les pommes, les poires, etc. [3] et conclut.",
        ["Il cite les pommes, les poires, etc. [3] et conclut."],
        "etc. [3]",
    ),
]


@pytest.mark.parametrize(("text", "expected", "rule"), CASES, ids=[c[2] for c in CASES])
def test_split_sentences(text: str, expected: list[str], rule: str) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(("text", "expected", "rule"), CASES, ids=[c[2] for c in CASES])
def test_sentence_spans_tile_the_text(text: str, expected: list[str], rule: str) -> None:
    spans = sentence_spans(text)
    assert "".join(text[a:b] for a, b in spans) == text
    assert all(a < b for a, b in spans)
    assert [a for a, _ in spans[1:]] == [b for _, b in spans[:-1]]
    assert [text[a:b].strip() for a, b in spans if text[a:b].strip()] == expected


SPAN_CASES: list[tuple[str, list[tuple[int, int]]]] = [
    ("", []),
    ("  ", [(0, 2)]),
    ("Oui. Non.", [(0, 5), (5, 9)]),
    ("  Oui.  Non.  ", [(0, 8), (8, 14)]),
    ("Oui\n\nNon", [(0, 5), (5, 8)]),
]


@pytest.mark.parametrize(("text", "spans"), SPAN_CASES)
def test_whitespace_goes_to_the_preceding_span(text: str, spans: list[tuple[int, int]]) -> None:
    assert sentence_spans(text) == spans


def test_abbreviations_are_documented_kinds() -> None:
    assert ABBREVIATIONS["M"] is AbbrevKind.TITLE
    assert ABBREVIATIONS["etc"] is AbbrevKind.FINAL
    assert ABBREVIATIONS["art"] is AbbrevKind.NUMBER
    assert ABBREVIATIONS["col"] is AbbrevKind.NAME
    assert ABBREVIATIONS["ex"] is AbbrevKind.WORD
    assert all(not key.endswith(".") for key in ABBREVIATIONS)


def test_everyday_words_are_those_of_the_french_word_list() -> None:
    """The listed abbreviations that read as words before lowercase (``trop sec. on``)."""
    pytest.importorskip("spellchecker")
    from translate_cli.dehyphenate import french_words

    words = french_words()
    everyday = {
        key
        for key in ABBREVIATIONS
        if ABBREVIATIONS[key] is not AbbrevKind.TITLE
        and key.islower()
        and len(key) > 1
        and words.get(key, 0) >= segment._EVERYDAY_FREQUENCY
    }
    assert everyday == segment._EVERYDAY_WORDS


def test_abbreviations_cover_the_moses_french_prefixes() -> None:
    """Every French non-breaking prefix of Moses is listed or recognised by its shape.

    Single lowercase letters are left out on purpose: before a capital they
    are list labels (``b. Le second point``) and before a lowercase word
    they are read as abbreviations anyway.
    """
    sacremoses = pytest.importorskip("sacremoses")
    prefixes = sacremoses.MosesTokenizer(lang="fr").NONBREAKING_PREFIXES
    assert len(prefixes) > 100
    missing = [
        prefix
        for prefix in prefixes
        if not (len(prefix) == 1 and prefix.islower())
        and prefix not in ABBREVIATIONS
        and not segment._is_initial(prefix)
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("text", "learned"),
    [
        ("Le dépt. du Nord et le dépt. 59 votent.", {"dépt"}),
        ("Le dépt. du Nord vote.", set()),  # seen once: no evidence
        ("Le dépt. du Nord, le dépt. de l'Aisne et le dept du Var.", {"dépt"}),
        ("Le spéc. est là, le spéc. du jour ; un spéc. sans point: spéc", set()),
        ("on y va. donc voilà. et voilà. bon", set()),  # vowel-final words are words
        ("Il a vu M. le maire et M. le préfet.", set()),  # listed already
    ],
)
def test_learned_abbreviations(text: str, learned: set[str]) -> None:
    assert segment.learned_abbreviations(text) == learned


def test_given_abbreviations_replace_the_paragraph_s_own() -> None:
    text = "Il visite le dépt. du Nord."
    assert split_sentences(text) == ["Il visite le dépt.", "du Nord."]
    assert split_sentences(text, frozenset({"dépt"})) == [text]
    assert sentence_spans(text, frozenset({"dépt"})) == [(0, len(text))]


def test_learned_abbreviations_do_not_hold_speech_together() -> None:
    text = "on y est allés en bus. donc bus. donc on a vu la mer. et voilà."
    assert split_sentences(text, frozenset({"bus"})) == [
        "on y est allés en bus.",
        "donc bus.",
        "donc on a vu la mer.",
        "et voilà.",
    ]


def segment_lines(func: Callable[..., object], *args: object) -> int:
    """How many lines of :mod:`translate_cli.segment` run during ``func(*args)``.

    A measure of the splitter's own work that, unlike a stopwatch, does not
    depend on the machine or its load: the same input always gives the same
    count on one Python version.
    """
    count = 0

    def in_segment(frame: FrameType, event: str, arg: object) -> object:
        nonlocal count
        if event == "line":
            count += 1
        return in_segment

    def on_call(frame: FrameType, event: str, arg: object) -> object:
        return in_segment if frame.f_code.co_filename == segment.__file__ else None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        func(*args)
    finally:
        sys.settrace(previous)
    return count


def test_splitting_work_grows_linearly() -> None:
    paragraph = (
        "M. Dupont, né le 1er mars 1950 à St. Louis (É.-U.), a dit : « Je pars. » "
        "Il a acheté des pommes, des poires, etc. Puis il est parti à 8 h 30… "
    )
    assert len(split_sentences(paragraph * 1000)) == 3 * 1000
    work = {n: segment_lines(split_sentences, paragraph * n) for n in (500, 1000)}
    # Twice the text is twice the work (a rescan per sentence would be four
    # times), and each sentence costs a few dozen lines, not a walk over the text.
    assert work[1000] <= 2.2 * work[500]
    assert work[1000] <= 300 * 3 * 1000


@pytest.mark.parametrize("text", [".", ". ", "a.", "« »"])
def test_pathological_runs_cost_no_more_per_character(text: str) -> None:
    """Long runs of one pattern: the splitter's own work must not grow with the run.

    Regular-expression backtracking happens inside ``re``, where no line is
    counted; the patterns rely on possessive quantifiers and atomic groups for
    that, and a run of 200 000 characters here would hang on one that backtracks.
    """
    long = text * (200_000 // len(text)) + "!"
    spans = sentence_spans(long)
    assert "".join(long[a:b] for a, b in spans) == long
    work = {n: segment_lines(sentence_spans, text * n + "!") for n in (50_000, 100_000)}
    assert work[100_000] <= 2.2 * work[50_000]
    assert work[100_000] <= 1000


# --- cut_spans -----------------------------------------------------------------


def short(limit: int):
    """A cheap stand-in for the tokenizer check: at most ``limit`` characters."""
    return lambda piece: len(piece) <= limit


def pieces(text: str, limit: int) -> list[str]:
    spans = cut_spans(text, short(limit))
    assert "".join(text[a:b] for a, b in spans) == text
    assert [a for a, _ in spans[1:]] == [b for _, b in spans[:-1]]
    return [text[a:b] for a, b in spans]


CUT_CASES: list[tuple[str, int, list[str], str]] = [
    ("", 10, [], "empty"),
    ("court", 10, ["court"], "already fits"),
    ("un deux trois quatre", 10, ["un deux ", "trois ", "quatre"], "spaces"),
    (
        "alpha beta, gamma delta epsilon",
        16,
        ["alpha beta, ", "gamma delta ", "epsilon"],
        "comma preferred over a later space",
    ),
    ("aaaa ; bbbb cccc dddd", 14, ["aaaa ; ", "bbbb cccc dddd"], "semicolon"),
    ("« oui » dit-il encore", 12, ["« oui » ", "dit-il ", "encore"], "closing quote"),
    ("abcdefghij", 4, ["abcd", "efgh", "ij"], "hard cut"),
    ("e\u0301e\u0301e\u0301", 3, ["e\u0301", "e\u0301", "e\u0301"], "combining accent kept whole"),
    ("\ud83d\ude00\ud83d\ude00", 3, ["\ud83d\ude00", "\ud83d\ude00"], "surrogate pair kept whole"),
    (f"3{NBSP}000 euros", 8, [f"3{NBSP}000 ", "euros"], "no cut at a no-break space"),
    ("  un deux", 4, ["  un ", "deux"], "leading whitespace joins the first piece"),
]


@pytest.mark.parametrize(
    ("text", "limit", "expected", "rule"), CUT_CASES, ids=[c[3] for c in CUT_CASES]
)
def test_cut_spans(text: str, limit: int, expected: list[str], rule: str) -> None:
    assert pieces(text, limit) == expected


def test_cut_pieces_fit() -> None:
    text = (
        "Le ministère, qui a établi une ligne ; les militaires — eux — veillent » puis " * 40
    ).strip()
    for limit in (1, 7, 30, 80, 200):
        assert all(len(p.strip()) <= limit for p in pieces(text, limit))


def test_clause_break_beats_whitespace_near_the_limit() -> None:
    text = "Les États-Unis conservent des canaux, pour discuter des problèmes de sécurité"
    first = pieces(text, 60)[0]
    assert first == "Les États-Unis conservent des canaux, "


def test_hard_cut_of_a_long_url() -> None:
    url = "https://exemple.fr/" + "a1b2c3d4e5" * 500
    result = pieces(url, 200)
    assert len(result) == -(-len(url) // 200)
    assert all(len(p) <= 200 for p in result)


def test_fits_is_called_logarithmically() -> None:
    calls = 0

    def fits(piece: str) -> bool:
        nonlocal calls
        calls += 1
        return len(piece) <= 100

    text = "mot " * 25_000  # 100 000 characters, about 1 000 pieces
    spans = cut_spans(text, fits)
    assert calls < len(spans) * 20


def test_long_paragraph_without_punctuation_is_cut_in_bounded_steps() -> None:
    text = "unmot deuxmots troismots quatre " * 65_000  # about 2 MB
    limit = 200
    sizes: list[int] = []

    def fits(piece: str) -> bool:
        sizes.append(len(piece))
        return len(piece) <= limit

    spans = cut_spans(text, fits)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(len(text[a:b].strip()) <= limit for a, b in spans)
    # A few checks per piece, each of a text at most twice the limit: the cut
    # never hands the tokenizer the rest of the paragraph.
    assert len(sizes) < len(spans) * 20
    assert max(sizes) <= 2 * limit
