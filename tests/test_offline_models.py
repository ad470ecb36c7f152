"""Tests for the Marian models built offline, and for the committed copy model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("sentencepiece")

from transformers import MarianMTModel, MarianTokenizer

from tests.support.offline_models import (
    build_tiny_random,
    edit_distance,
    evaluate_copy,
    train_copy_model,
    train_spm,
)

ROOT = Path(__file__).resolve().parents[1]
COPY_MODEL = ROOT / "tests" / "fixtures" / "copy-marian"
SAMPLE = ROOT / "samples" / "deconfliction.fr.txt"
MODEL_FILES = {
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "source.spm",
    "target.spm",
    "vocab.json",
    "tokenizer_config.json",
}
SMALL_LIMIT = 32

# Written for this test, absent from the copy model's training text.
UNSEEN = [
    "Le conseil régional a voté une aide de 15 millions d’euros aux lycées.",
    "La grève des contrôleurs aériens a perturbé le trafic à Marseille.",
    "Les députés examineront le texte en commission mardi prochain.",
    "Un homme de 35 ans a été blessé lors d’un accident à Grenoble.",
    "« Nous attendons des actes », a déclaré le président du syndicat.",
    "Le prix de l’essence a augmenté de 4 % en deux mois.",
    "La maire de Lille a inauguré une nouvelle bibliothèque.",
    "Les pompiers ont maîtrisé l’incendie après six heures d’efforts.",
    "L'équipe de Nantes s'est qualifiée pour les quarts de finale.",
    "Le gouvernement présentera son projet de loi à la rentrée.",
    "Les ventes de livres ont progressé de 2,5 % l’an dernier.",
    "Une tempête a frappé les côtes de Bretagne dans la nuit.",
]


def sample_lines() -> list[str]:
    return [line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_random(
        tmp_path_factory.mktemp("tiny") / "model",
        texts=sample_lines(),
        max_position_embeddings=SMALL_LIMIT,
        num_beams=2,
    )


@pytest.fixture(scope="session")
def tiny(tiny_dir: Path) -> tuple[MarianMTModel, MarianTokenizer]:
    return MarianMTModel.from_pretrained(tiny_dir).eval(), MarianTokenizer.from_pretrained(tiny_dir)


def test_module_import_leaves_torch_unloaded() -> None:
    code = (
        "import sys, tests.support.offline_models; "
        "heavy = {'torch', 'transformers', 'sentencepiece'} & set(sys.modules); "
        "sys.exit(sorted(heavy) or 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_tiny_model_writes_the_files_of_a_hub_snapshot(tiny_dir: Path) -> None:
    assert {path.name for path in tiny_dir.iterdir()} == MODEL_FILES


def test_vocab_follows_the_opus_mt_layout(tiny_dir: Path, tiny) -> None:
    model, tokenizer = tiny
    vocab = json.loads((tiny_dir / "vocab.json").read_text(encoding="utf-8"))
    assert vocab["</s>"] == 0
    assert vocab["<unk>"] == 1
    assert vocab["<pad>"] == len(vocab) - 1 == model.config.vocab_size - 1
    assert sorted(vocab.values()) == list(range(len(vocab)))
    assert tokenizer.pad_token_id == model.config.pad_token_id
    assert tokenizer.eos_token_id == model.config.eos_token_id == 0


def test_generation_config_follows_opus_mt(tiny) -> None:
    model, _ = tiny
    config = model.generation_config
    pad = model.config.vocab_size - 1
    assert config.pad_token_id == config.decoder_start_token_id == pad
    assert config.bad_words_ids == [[pad]]
    assert config.eos_token_id == config.forced_eos_token_id == 0
    assert config.num_beams == 2
    assert config.max_length == SMALL_LIMIT
    assert config.max_new_tokens is None


def test_limit_is_readable_from_tokenizer_and_config(tiny) -> None:
    model, tokenizer = tiny
    assert tokenizer.model_max_length == model.config.max_position_embeddings == SMALL_LIMIT
    long_text = " ".join(sample_lines())
    assert len(tokenizer(long_text).input_ids) > SMALL_LIMIT
    batch = tokenizer([long_text], truncation=True, return_tensors="pt")
    assert batch.input_ids.shape[1] == SMALL_LIMIT
    assert model.generate(**batch).shape[1] <= SMALL_LIMIT


def test_tiny_model_generates_one_row_per_input(tiny) -> None:
    model, tokenizer = tiny
    texts = ["Bonjour.", "L’armée américaine a déclaré jeudi qu’elle était prête.", "Oui"]
    batch = tokenizer(texts, return_tensors="pt", padding=True)
    generated = model.generate(**batch)
    decoded = tokenizer.batch_decode(generated, skip_special_tokens=True)
    assert len(decoded) == len(texts)
    assert all(isinstance(text, str) for text in decoded)
    pad = model.config.pad_token_id
    for row in generated.tolist():
        assert row[0] == pad
        body = row[1 : row.index(0)] if 0 in row else row[1:]
        assert pad not in body, "bad_words_ids must ban <pad> from the output"


def test_equal_token_bounds_force_the_same_work(tmp_path: Path) -> None:
    model_dir = build_tiny_random(
        tmp_path / "fixed", texts=sample_lines(), max_new_tokens=5, min_new_tokens=5
    )
    model = MarianMTModel.from_pretrained(model_dir)
    tokenizer = MarianTokenizer.from_pretrained(model_dir)
    config = json.loads((model_dir / "generation_config.json").read_text(encoding="utf-8"))
    assert config["max_new_tokens"] == config["min_new_tokens"] == 5
    assert "max_length" not in config
    batch = tokenizer(
        ["Un.", "Une phrase un peu plus longue que la première."], return_tensors="pt", padding=True
    )
    assert model.generate(**batch).shape == (2, 1 + 5)


def test_small_text_is_padded_to_the_requested_vocab(tmp_path: Path) -> None:
    train_spm(sample_lines(), tmp_path, 3000)
    vocab = json.loads((tmp_path / "vocab.json").read_text(encoding="utf-8"))
    assert len(vocab) == 3000
    assert vocab["<pad>"] == 2999
    assert "▁dummy00000" in vocab
    assert (tmp_path / "source.spm").read_bytes() == (tmp_path / "target.spm").read_bytes()


def test_copy_training_is_deterministic(tmp_path: Path) -> None:
    texts = sample_lines()
    first = train_copy_model(tmp_path / "a", texts=texts, steps=3, vocab_size=300, batch_size=4)
    second = train_copy_model(tmp_path / "b", texts=texts, steps=3, vocab_size=300, batch_size=4)
    for name in ("model.safetensors", "source.spm", "vocab.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("abc", "", 3),
        ("chat", "chats", 1),
        ("été", "ete", 2),
        ("kitten", "sitting", 3),
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance == edit_distance(b, a)


def test_committed_copy_model_is_small() -> None:
    assert {path.name for path in COPY_MODEL.iterdir()} == MODEL_FILES
    assert sum(path.stat().st_size for path in COPY_MODEL.iterdir()) < 2_000_000


def test_committed_copy_model_copies_unseen_sentences() -> None:
    score = evaluate_copy(COPY_MODEL, UNSEEN)
    mismatches = [(s, o) for s, o in zip(UNSEEN, score.outputs, strict=True) if s != o]
    assert score.exact_match >= 0.75, mismatches
    assert score.edit_ratio <= 0.02, mismatches


def test_committed_copy_model_starts_decoding_from_a_zero_embedding() -> None:
    model = MarianMTModel.from_pretrained(COPY_MODEL)
    pad_row = model.get_input_embeddings().weight[model.config.pad_token_id]
    assert not pad_row.detach().any()


def copy_parity_set(limit: int = 200) -> list[str]:
    """The unseen sentences first, then the samples' and copy corpus's sentences.

    Only sentences of up to 64 tokens: the copy model writes as many tokens as
    it reads, and copying gets unreliable (in every compute type) beyond that.
    """
    files = [*sorted(SAMPLE.parent.glob("*.txt")), COPY_MODEL.parent / "copy_corpus.fr.txt"]
    lines = [line for path in files for line in path.read_text(encoding="utf-8").splitlines()]
    parts = dict.fromkeys(p.strip() for line in lines for p in line.split(". ") if p.strip())
    tokenizer = MarianTokenizer.from_pretrained(COPY_MODEL)
    short = [p for p in parts if len(tokenizer(p).input_ids) <= 64]
    return list(dict.fromkeys([*UNSEEN, *short]))[:limit]


def copy_through_ctranslate2(out: Path, compute_type: str, texts: list[str]) -> list[str]:
    """Convert the copy model at ``compute_type`` and translate ``texts`` greedily."""
    ctranslate2 = pytest.importorskip("ctranslate2")
    converter = ctranslate2.converters.TransformersConverter(str(COPY_MODEL))
    converter.convert(str(out), quantization=compute_type)
    translator = ctranslate2.Translator(
        str(out), device="cpu", compute_type=compute_type, intra_threads=1
    )
    tokenizer = MarianTokenizer.from_pretrained(COPY_MODEL)
    tokens = [tokenizer.convert_ids_to_tokens(tokenizer(s).input_ids) for s in texts]
    results = translator.translate_batch(tokens, beam_size=1, max_batch_size=32)
    return [tokenizer.convert_tokens_to_string(r.hypotheses[0]) for r in results]


@pytest.mark.parametrize("compute_type", ["float32", "int8", "auto"])
def test_committed_copy_model_copies_through_ctranslate2(tmp_path: Path, compute_type: str) -> None:
    """The copy model copies through CTranslate2 at each compute type the CPU does right.

    float32 always; explicit int8 only where int8 products are exact (VNNI or
    Arm; elsewhere int8 is the user's choice and may be garbled, so the case
    is skipped); ``auto`` must resolve to int8 only where it is exact, and
    match float32 on at least 95% of the parity set.
    """
    from translate_cli.engines.ctranslate2_engine import (
        VNNI_FLAGS,
        cpu_int8_is_exact,
        pick_compute_type,
    )

    exact_int8 = cpu_int8_is_exact()
    if compute_type == "int8" and not exact_int8:
        pytest.skip(
            f"int8 is not exact on this CPU (cpu_int8_is_exact() is {exact_int8}: no "
            f"{'/'.join(sorted(VNNI_FLAGS))} flag in /proc/cpuinfo, so CTranslate2's u8 x s8 "
            "GEMM saturates pairs of products in int16); `auto` picks float32 here"
        )
    resolved = pick_compute_type(compute_type, "cpu")
    assert exact_int8 or not resolved.startswith("int8"), f"{compute_type} -> {resolved}"
    texts = copy_parity_set()
    outputs = copy_through_ctranslate2(tmp_path / resolved, resolved, texts)
    unseen = outputs[: len(UNSEEN)]
    copied = sum(o == s for o, s in zip(unseen, UNSEEN, strict=True)) / len(UNSEEN)
    assert copied >= 0.75, list(zip(UNSEEN, unseen, strict=True))
    if compute_type == "auto":
        reference = copy_through_ctranslate2(tmp_path / "reference", "float32", texts)
        pairs = list(zip(outputs, reference, strict=True))
        same = sum(a == b for a, b in pairs) / len(texts)
        assert len(texts) >= 150 and same >= 0.95, (resolved, [p for p in pairs if p[0] != p[1]])
