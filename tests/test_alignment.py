"""Word alignment from cross-attention: the pure mapping, then both engines.

The pure functions (:mod:`translate_cli.engines.alignment`) are checked on
hand-made pieces and matrices. The engines are checked with the committed
copy model (``tests/fixtures/copy-marian``): its output is its input, so a
sentence aligned with itself should give the diagonal ``(i, i)``.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from translate_cli.engines.alignment import attention_pairs, piece_words, project

# --- piece_words: SentencePiece pieces to whitespace words --------------------

PIECE_CASES = [
    pytest.param(
        "l'Insee publie", ["▁l", "'", "In", "see", "▁publie"], [0, 0, 0, 0, 1], id="elision"
    ),
    pytest.param(
        "L’armée dit «\u00a0non\u00a0» !",
        # Normalised to L'armée dit "non"! before SentencePiece.
        ["▁L", "'", "armée", "▁dit", '▁"', "non", '"', "!"],
        [0, 0, 0, 1, 2, 3, 4, 5],
        id="normalised-quotes",
    ),
    pytest.param("12,5 %", ["▁12", ",", "5", "▁", "%"], [0, 0, 0, 1, 1], id="bare-space-piece"),
    pytest.param("12,5 %", ["▁12", ",", "5%"], [0, 0, (0, 1)], id="piece-over-two-words"),
    pytest.param("Super 😀 merci", ["▁Super", "▁", "<unk>", "▁merci"], [0, 1, 1, 2], id="unk"),
    pytest.param("Un ﬁlm culte", ["▁Un", "▁fi", "lm", "▁culte"], [0, 1, 1, 2], id="nfkc"),
    pytest.param("Attendez… non", ["▁Attendez", "...", "▁non"], [0, 0, 1], id="ellipsis"),
    pytest.param("le gouver\u00adnement", ["▁le", "▁gouvernement"], [0, 1], id="soft-hyphen"),
    pytest.param("  deux   espaces\t", ["▁deux", "▁espaces"], [0, 1], id="odd-spaces"),
    pytest.param("fin", ["▁fin", "▁"], [0, 0], id="trailing-bare-space"),
    pytest.param("A (B) C", ["▁A", "▁(", "B", ")", "▁C"], [0, 1, 1, 1, 2], id="brackets"),
    pytest.param("x", ["▁y", "▁z"], [0, 0], id="nothing-matches"),
]


@pytest.mark.parametrize(("text", "pieces", "expected"), PIECE_CASES)
def test_piece_words(text, pieces, expected):
    want = [w if isinstance(w, tuple) else (w,) for w in expected]
    assert piece_words(text, pieces) == want


@pytest.mark.parametrize("text", ["", "   ", "\u00a0\t"])
def test_piece_words_of_a_blank_text_are_empty(text):
    assert piece_words(text, ["▁a", "b"]) == [(), ()]
    assert piece_words(text, []) == []


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("abc", "abc", [0, 1, 2]),
        ("a'b", "a’b", [0, 1, 2]),
        ("a...b", "a…b", [0, 1, 1, 1, 2]),
        ("ab", "axb", [0, 2]),
        ("axb", "ab", [0, 1, 1]),
        ("abc", "", []),
        ("", "abc", []),
    ],
)
def test_project(a, b, expected):
    assert project(a, b) == expected


# --- attention_pairs: attention matrix to Pharaoh pairs -----------------------

NAN = math.nan
ONE_PIECE = [(0,), (1,), (2,)]

ATTENTION_CASES = [
    pytest.param(
        # Three pieces each side, plus the </s> row and column the engines pass along.
        [[0.8, 0.1, 0.05, 0.05], [0.1, 0.7, 0.1, 0.1], [0.0, 0.2, 0.7, 0.1], [0, 0, 0, 1]],
        ONE_PIECE,
        ONE_PIECE,
        0.0,
        [(0, 0), (1, 1), (2, 2)],
        id="diagonal-with-eos",
    ),
    pytest.param(
        [[0.1, 0.2, 0.7], [0.1, 0.8, 0.1], [0.6, 0.3, 0.1]],
        ONE_PIECE,
        ONE_PIECE,
        0.0,
        [(0, 2), (1, 1), (2, 0)],
        id="reordering",
    ),
    pytest.param(
        # l' Insee | Insee : target pieces of one word attend to different source pieces.
        [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]],
        [(0,), (0,), (1,)],
        [(0,), (0,), (1,)],
        0.0,
        [(0, 0), (1, 1)],
        id="several-pieces-per-word",
    ),
    pytest.param(
        [[0.9, 0.1], [0.5, 0.5]],
        [(0,), (1,)],
        [(0,), ()],
        0.0,
        [(0, 0)],
        id="target-piece-without-word",
    ),
    pytest.param(
        [[0.2, 0.7, 0.1], [0.2, 0.3, 0.5]],
        [(0,), (), (1,)],
        [(0,), (1,)],
        0.0,
        [(0, 0), (1, 1)],
        id="source-piece-without-word-is-skipped",
    ),
    pytest.param(
        [[0.2, 0.8], [0.7, 0.3]],
        [(0, 1), (2,)],
        [(0,), (1, 2)],
        0.0,
        [(0, 1), (0, 2), (1, 1), (1, 2), (2, 0)],
        id="pieces-over-two-words",
    ),
    pytest.param(
        [[0.5, 0.5], [NAN, 0.1], [0.0, 0.0], [0.6, 0.4]],
        [(0,), (1,)],
        [(0,), (1,), (2,), (3,)],
        0.0,
        [(0, 3)],
        id="degenerate-rows",
    ),
    pytest.param(
        [[0.4, 0.35, 0.25], [0.9, 0.05, 0.05]],
        ONE_PIECE,
        [(0,), (1,)],
        0.5,
        [(0, 1)],
        id="threshold",
    ),
    pytest.param(
        [[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]],
        [(0,), (1,)],
        [(0,), (1,)],
        0.0,
        [(0, 1), (1, 0)],
        id="eos-column-ignored",
    ),
    pytest.param(
        [[0.3, 0.7], [0.9, 0.1]],
        ONE_PIECE,
        [(0,), (1,)],
        0.0,
        [(0, 1), (1, 0)],
        id="row-shorter-than-source",
    ),
    pytest.param([[1.0]], [(0,)], [(0,)], 0.0, [(0, 0)], id="one-piece"),
    pytest.param([[0.5, 0.5]], [(), ()], [(0,)], 0.0, [], id="blank-source"),
    pytest.param([], ONE_PIECE, [], 0.0, [], id="blank-target"),
]


@pytest.mark.parametrize(("matrix", "source", "target", "threshold", "expected"), ATTENTION_CASES)
def test_attention_pairs(matrix, source, target, threshold, expected):
    assert attention_pairs(matrix, source, target, threshold) == tuple(expected)


def test_every_target_word_with_pieces_is_linked():
    """With non-degenerate rows, each target word that has a piece gets a link."""
    source = [(0,), (0,), (1,), (2,)]
    target = [(0,), (1,), (1,), (2,), (3,)]
    matrix = [[0.1 * (r + c + 1) % 1 for c in range(5)] for r in range(6)]
    pairs = attention_pairs(matrix, source, target)
    assert {j for _, j in pairs} == {0, 1, 2, 3}
    assert list(pairs) == sorted(set(pairs))


# --- Both engines on the copy model -------------------------------------------

# A sentence aligned with itself: the copy model attends to the piece it copies.
SENTENCES = [
    "Le conseil municipal de Quimperlé a voté un budget de 48,7 millions d’euros.",
    "L'Insee prévoit une croissance de 0,3 % au troisième trimestre.",
    "« Nous n'abandonnerons pas », a déclaré la maire aux journalistes.",
    "Les pompiers sont intervenus vers 22 h 15, rue de l’Église.",
    "Qu'en pensez-vous ? Moi, j'hésite encore.",
    "Le prix du gazole a augmenté de 12 centimes en trois semaines !",
    "À Évreux, l’hôpital a ouvert un nouveau service d’urgences pédiatriques.",
    "Le tribunal a renvoyé l'affaire au 14 février 2026.",
    "Environ 3 500 personnes ont défilé samedi (selon la préfecture).",
    "Il s'agit, d'après l'enquête, d'un accident : personne n'était au volant.",
    "Les élèves de CM2 ont visité le château de Fougères-sur-Bièvre.",
    "Aujourd'hui, 75 % des foyers disposent d'une connexion à la fibre.",
    "La SNCF annonce des perturbations jusqu'à mercredi soir.",
    "« C'est inédit », souligne Mme Lefébure, chercheuse au CNRS.",
    "Le maillot jaune a terminé l'étape avec 1'32\" d'avance.",
    "Les températures dépasseront 38 °C dans le Gard et l'Hérault.",
    "Le député a été réélu avec 54,2 % des voix au second tour.",
    "Où sont passés les 200 000 euros de subventions ?",
    "L'usine de Saint-Étienne-du-Rouvray emploie 420 salariés.",
    "Un cerf-volant s'est pris dans les fils électriques… sans dégâts.",
]

ENGINES = ["transformers", "ctranslate2"]


@pytest.fixture(scope="module")
def engines(copy_model: Path) -> dict[str, object]:
    pytest.importorskip("ctranslate2")
    pytest.importorskip("torch")
    from translate_cli import Settings, load_engine

    return {
        name: load_engine(
            Settings(model=str(copy_model), engine=name, beams=1, threads=1, compute_type="float32")
        )
        for name in ENGINES
    }


def diagonal_scores(aligned: list[tuple[tuple[int, int], ...]]) -> tuple[float, float, float]:
    """Fraction of sentences exactly on the diagonal, link precision, word recall."""
    exact = sum(
        a == tuple((i, i) for i in range(len(s.split())))
        for s, a in zip(SENTENCES, aligned, strict=True)
    )
    links = [p for a in aligned for p in a]
    on = sum(i == j for i, j in links)
    words = sum(len(s.split()) for s in SENTENCES)
    found = sum(len({j for i, j in a if i == j}) for a in aligned)
    return exact / len(SENTENCES), on / max(len(links), 1), found / words


@pytest.mark.parametrize("name", ENGINES)
def test_a_sentence_aligned_with_itself_is_the_diagonal(engines, name):
    """Measured with float32 on CPU: 20/20 sentences exactly diagonal on both
    engines (precision and recall 100 %); the bar leaves room for another
    torch build or CPU."""
    aligned = engines[name].align_batch(SENTENCES, SENTENCES)
    exact, precision, recall = diagonal_scores(aligned)
    assert precision >= 0.95, (exact, precision, recall)
    assert recall >= 0.95, (exact, precision, recall)
    assert exact >= 0.8, (exact, precision, recall)
    for sentence, pairs in zip(SENTENCES, aligned, strict=True):
        n = len(sentence.split())
        assert list(pairs) == sorted(set(pairs))
        assert all(0 <= i < n and 0 <= j < n for i, j in pairs)
        assert {j for _, j in pairs} == set(range(n)), sentence


def test_both_engines_agree(engines):
    ours = [engines[name].align_batch(SENTENCES, SENTENCES) for name in ENGINES]
    same = sum(a == b for a, b in zip(*ours, strict=True))
    assert same >= len(SENTENCES) - 1


@pytest.mark.parametrize("name", ENGINES)
def test_batching_does_not_change_the_alignment(engines, name):
    """Padding (sources and targets of different lengths) must not leak in."""
    engine = engines[name]
    targets = [s.upper() if i % 3 == 0 else s for i, s in enumerate(SENTENCES)]
    together = engine.align_batch(SENTENCES, targets)
    alone = [engine.align_batch([s], [t])[0] for s, t in zip(SENTENCES, targets, strict=True)]
    assert together == alone


@pytest.mark.parametrize("name", ENGINES)
def test_blank_pairs_and_order(engines, name):
    engine = engines[name]
    sources = ["", "Bonjour à tous.", "Merci.", "  ", "Le chat dort."]
    targets = ["Hello.", "", "Merci.", "Nothing", "Le chat dort."]
    got = engine.align_batch(sources, targets)
    assert got[:2] == [(), ()] and got[3] == ()
    assert got[2] == ((0, 0),)
    assert got[4] == ((0, 0), (1, 1), (2, 2))
    assert engine.align_batch([], []) == []
    with pytest.raises(ValueError):
        engine.align_batch(["a"], [])


@pytest.mark.parametrize("name", ENGINES)
def test_target_words_keep_their_own_numbering(engines, name):
    """A target spelled differently (typographic quotes, glued %) is counted by its own
    whitespace words, not by what the model read after normalisation."""
    source = "Il a dit « non » à 12,5 % des votants."
    target = "Il a dit «\u00a0non\u00a0» à 12,5\u00a0% des votants."
    pairs = engines[name].align_batch([source], [target])[0]
    assert {j for _, j in pairs} == set(range(len(target.split())))
    assert pairs == tuple((i, i) for i in range(len(target.split())))


def test_the_ctranslate2_target_side_reads_target_spm(copy_model, tmp_path):
    """``LeanMarianTokenizer(target=True)`` matches ``MarianTokenizer(text_target=...)``
    when target.spm differs from source.spm (the copy model shares one; opus-mt-fr-en does not)."""
    pytest.importorskip("transformers")
    from transformers import AutoTokenizer

    from tests.support.offline_models import train_spm
    from translate_cli.engines.marian_tokenizer import LeanMarianTokenizer

    english = [
        "The city council voted a budget of 48.7 million euros.",
        "Firefighters arrived around 10:15 pm on Church Street.",
        "What do you think? I am still hesitating.",
        "Temperatures will exceed 38 degrees in the south of the country.",
    ] * 5
    other = tmp_path / "english"
    train_spm(english, other, 120)
    model = tmp_path / "model"
    model.mkdir()
    for path in copy_model.iterdir():
        if path.suffix != ".safetensors":
            shutil.copy(path, model / path.name)
    shutil.copy(other / "target.spm", model / "target.spm")
    vocab = json.loads((model / "vocab.json").read_text(encoding="utf-8"))
    pad = vocab.pop("<pad>")
    for piece in json.loads((other / "vocab.json").read_text(encoding="utf-8")):
        vocab.setdefault(piece, len(vocab) + 1)
    vocab["<pad>"] = pad
    (model / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")

    reference = AutoTokenizer.from_pretrained(model)
    ours = LeanMarianTokenizer(model, target=True)
    texts = [*english[:4], "An unseen sentence, with Église and 😀.", "</s> inside"]
    for text in texts:
        expected = reference.convert_ids_to_tokens(reference(text_target=text).input_ids)
        assert ours.encode(text) == expected
    source_side = LeanMarianTokenizer(model)
    assert any(ours.encode(t) != source_side.encode(t) for t in english)
