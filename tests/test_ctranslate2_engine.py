"""The CTranslate2 engine: conversion cache, tokenizer parity, generation settings, lean path.

Every model here is built offline (tiny random, or the committed copy model when
it exists), and every conversion goes to a temporary cache
(``TRANSLATE_CACHE_DIR``), never to the user's.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ctranslate2 = pytest.importorskip("ctranslate2")
pytest.importorskip("sentencepiece")

from translate_cli import Settings, load_engine  # noqa: E402
from translate_cli.engines import ENGINES, pick_engine  # noqa: E402
from translate_cli.engines import ct2_cache as ct2c  # noqa: E402
from translate_cli.engines import ctranslate2_engine as ct2e  # noqa: E402
from translate_cli.engines.ct2_cache import CACHE_ENV, MANIFEST, entry_path  # noqa: E402
from translate_cli.engines.ctranslate2_engine import CTranslate2Engine, ct2_options  # noqa: E402
from translate_cli.engines.marian_files import (  # noqa: E402
    Generation,
    max_input_tokens,
    read_generation,
)
from translate_cli.engines.marian_tokenizer import LeanMarianTokenizer  # noqa: E402
from translate_cli.engines.normalize import (  # noqa: E402
    NORMALIZATION_OFF,
    NORMALIZATION_ON,
    source_preparer,
)
from translate_cli.errors import EngineError, ModelError, UsageError  # noqa: E402
from translate_cli.models import resolve_model  # noqa: E402

from .conftest import COPY_MODEL, ROOT, SAMPLES, SHARED  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Inputs that exercise MarianTokenizer's corners: added tokens inside the
# text, language codes, unknown characters, odd spaces, empty input.
EDGE_CASES = [
    "",
    " ",
    "  Bonjour  ",
    "Bonjour\tle monde",
    "Ligne un\nligne deux",
    "A\u00a0: «\u00a0Non\u00a0», dit-il\u202f!",
    "«Pas d’espace»",
    ">>fr<< Bonjour",
    ">>en<<",
    ">>>x<<< y",
    ">> pas un code",
    "Texte avec </s> au milieu",
    "<unk> et <pad> et </s>",
    "a</s>b<pad>c",
    "Prix : 1 000,50 € – 3½ % ; 2.5 × 4",
    "Emoji 😀 🇫🇷 et 中文",
    "Ligatures : œuvre, Æsir, ﬁnance",
    "C’est l’été… “quoi” ? — « oui » !",
    "ÉCOLE NATIONALE D’ADMINISTRATION",
    "M. Dupont a dit : « Il est 10 h 30. »",
    "www.lemonde.fr/international/article_2012.html",
]


def french_sentences() -> list[str]:
    """A few hundred varied French sentences: samples, fixtures, shared articles."""
    files = [
        *sorted(SAMPLES.glob("*.txt")),
        *sorted(FIXTURES.glob("*.txt")),
        *sorted((SHARED / "data" / "articles").glob("*.fr.txt")),
    ]
    seen: dict[str, None] = {}
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            for part in line.split(". "):
                if part.strip():
                    seen.setdefault(part.strip(), None)
    return [*seen, *EDGE_CASES]


SENTENCES = french_sentences()


def with_compute_type(settings: Settings, compute_type: str) -> Settings:
    return dataclasses.replace(settings, compute_type=compute_type)


def ct2_engine(model: Path, compute_type: str = "float32", **settings: object) -> CTranslate2Engine:
    # One thread: OpenMP pools spinning on a busy machine make timings explode.
    settings.setdefault("threads", 1)
    config = with_compute_type(Settings(model=str(model), **settings), compute_type)
    return CTranslate2Engine(resolve_model(str(model)), config)  # type: ignore[arg-type]


@pytest.fixture(scope="module", autouse=True)
def ct2_cache(tmp_path_factory: pytest.TempPathFactory):
    """Every conversion of this module goes to a temporary cache."""
    with pytest.MonkeyPatch.context() as mp:
        root = tmp_path_factory.mktemp("ct2-cache")
        mp.setenv(CACHE_ENV, str(root))
        yield root


def _vocab_texts() -> list[str]:
    return [line for p in sorted(SAMPLES.glob("*.txt")) for line in p.read_text().splitlines()]


def _build(tmp_path_factory: pytest.TempPathFactory, name: str, **kwargs: object) -> Path:
    from tests.support.offline_models import build_tiny_random

    return build_tiny_random(tmp_path_factory.mktemp(name), texts=_vocab_texts(), **kwargs)


@pytest.fixture(scope="module")
def parity_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The copy model when committed, else a tiny random model that stops after 8 tokens."""
    if (COPY_MODEL / "config.json").is_file():
        return COPY_MODEL, "copy model"
    return _build(tmp_path_factory, "ct2-parity", max_new_tokens=8), "tiny random model"


@pytest.fixture(scope="module")
def fixed5_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """min_new_tokens = max_new_tokens = 5, forced EOS as in opus-mt."""
    return _build(tmp_path_factory, "ct2-fixed5", max_new_tokens=5, min_new_tokens=5)


@pytest.fixture(scope="module")
def beam3_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory, "ct2-beam3", num_beams=3, max_new_tokens=6)


@pytest.fixture(scope="module")
def french_tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tokenizer-only folder like opus-mt's: bigger vocabulary, ``source_lang`` fr."""
    from transformers import MarianTokenizer

    from tests.support.offline_models import FRENCH_CHARS, train_spm

    out = tmp_path_factory.mktemp("fr-tokenizer")
    train_spm(SENTENCES, out, 2000, required_chars=FRENCH_CHARS)
    MarianTokenizer(
        vocab=str(out / "vocab.json"),
        source_spm=str(out / "source.spm"),
        target_spm=str(out / "target.spm"),
        source_lang="fr",
        target_lang="en",
    ).save_pretrained(out)
    return out


# --- Tokenizer parity ---------------------------------------------------------


@pytest.fixture(params=["tiny", "french"])
def tokenizer_dir(request, tiny_model, french_tokenizer) -> Path:
    return tiny_model if request.param == "tiny" else french_tokenizer


def test_corpus_is_big_and_varied():
    assert len(SENTENCES) >= 300


def test_lean_tokens_match_marian_tokenizer(tokenizer_dir):
    from transformers import MarianTokenizer

    reference = MarianTokenizer.from_pretrained(tokenizer_dir)
    lean = LeanMarianTokenizer(tokenizer_dir)
    for text in SENTENCES:
        assert lean.tokenize(text) == reference.tokenize(text), text
        expected = reference.convert_ids_to_tokens(reference(text).input_ids)
        assert lean.encode(text) == expected, text
    batch = lean.encode_batch(SENTENCES)
    assert batch == [lean.encode(t) for t in SENTENCES]


def test_lean_decoding_matches_marian_tokenizer(tokenizer_dir):
    from transformers import MarianTokenizer

    reference = MarianTokenizer.from_pretrained(tokenizer_dir)
    lean = LeanMarianTokenizer(tokenizer_dir)
    sequences = [reference(t).input_ids for t in SENTENCES]
    rng = random.Random(0)
    size = len(reference.get_vocab())
    # Random outputs, as a random model produces them, special ids included.
    sequences += [[rng.randrange(size) for _ in range(rng.randint(0, 30))] for _ in range(300)]
    for ids in sequences:
        tokens = reference.convert_ids_to_tokens(ids)
        assert lean.decode(tokens) == reference.decode(ids, skip_special_tokens=True), tokens


def test_normalize_matches_marian_tokenizer(tokenizer_dir):
    from transformers import MarianTokenizer

    reference = MarianTokenizer.from_pretrained(tokenizer_dir)
    lean = LeanMarianTokenizer(tokenizer_dir)
    for text in SENTENCES:
        assert lean.normalize(text) == reference.normalize(text), text


# --- Normalisation (OPUS-MT preprocessing) -------------------------------------


def test_lean_tokens_match_marian_tokenizer_on_normalised_text(tokenizer_dir):
    from transformers import MarianTokenizer

    reference = MarianTokenizer.from_pretrained(tokenizer_dir)
    lean = LeanMarianTokenizer(tokenizer_dir)
    normalised = source_preparer(True)(SENTENCES)
    assert sum(a != b for a, b in zip(normalised, SENTENCES, strict=True)) >= 50
    expected = [reference.convert_ids_to_tokens(ids) for ids in reference(normalised).input_ids]
    assert lean.encode_batch(normalised) == expected


@pytest.mark.parametrize("normalize", [True, False])
def test_both_engines_feed_the_model_the_same_tokens(tiny_model, normalize):
    fast = ct2_engine(tiny_model, "float32", normalize=normalize)
    reference = load_engine(
        Settings(model=str(tiny_model), engine="transformers", threads=1, normalize=normalize)
    )
    seen = source_preparer(normalize)(SENTENCES)
    ids = reference.tokenizer(seen).input_ids
    expected = [reference.tokenizer.convert_ids_to_tokens(i) for i in ids]
    assert fast.source_tokens(SENTENCES) == expected
    assert fast.count_tokens(SENTENCES) == reference.count_tokens(SENTENCES)
    assert fast.details["normalize"] == reference.details["normalize"]
    assert fast.details["normalize"] == (NORMALIZATION_ON if normalize else NORMALIZATION_OFF)


@pytest.mark.parametrize("engine", ["ctranslate2", "transformers"])
def test_the_model_reads_the_normalised_text(copy_model, engine):
    """The copy model writes what it reads: with normalisation on, the ASCII apostrophe
    and straight quotes of OPUS-MT's training data; off, the typographic ones."""
    text = "L’armée a dit «\u00a0non\u00a0» à l’OTAN."
    on, off = (
        load_engine(Settings(model=str(copy_model), engine=engine, beams=1, threads=1, **kw))
        for kw in ({}, {"normalize": False})
    )
    read = on.translate_batch([text])[0].text
    assert "’" not in read and "«" not in read
    assert "'" in read
    assert "’" in off.translate_batch([text])[0].text
    assert on.count_tokens([text]) != off.count_tokens([text])


# --- Conversion cache ---------------------------------------------------------


@pytest.fixture
def conversions(monkeypatch) -> list[str]:
    """Record every real conversion."""
    calls: list[str] = []
    real = ct2c._run_converter

    def counting(source, out, quantization):
        calls.append(quantization)
        return real(source, out, quantization)

    monkeypatch.setattr(ct2c, "_run_converter", counting)
    return calls


def test_conversion_is_cached_per_quantization(tmp_path, monkeypatch, tiny_model, conversions):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    first = ct2_engine(tiny_model, "int8")
    assert conversions == ["int8"]
    again = ct2_engine(tiny_model, "int8")
    assert conversions == ["int8"], "second load converted again"
    assert again.path == first.path
    other = ct2_engine(tiny_model, "float32")
    assert conversions == ["int8", "float32"]
    assert other.path != first.path

    source = resolve_model(str(tiny_model))
    assert first.path == entry_path(source, "int8", tmp_path)
    assert first.path.is_relative_to(tmp_path / "ct2")
    assert first.path.name == "int8" and first.path.parent.name == source.revision
    for name in ("model.bin", "config.json", MANIFEST, "hf/source.spm", "hf/vocab.json"):
        assert (first.path / name).is_file(), name
    manifest = json.loads((first.path / MANIFEST).read_text())
    assert manifest["revision"] == source.revision and manifest["quantization"] == "int8"
    assert not list(first.path.parent.glob(".tmp-*")), "temporary folder left behind"


def test_failed_conversion_leaves_no_entry(tmp_path, monkeypatch, tiny_model):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))

    def dies_half_way(source, out, quantization):
        out.mkdir(parents=True)
        (out / "model.bin").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(ct2c, "_run_converter", dies_half_way)
    source = resolve_model(str(tiny_model))
    with pytest.raises(KeyboardInterrupt):
        ct2c.convert(source, "int8")
    entry = entry_path(source, "int8")
    assert not entry.exists()
    assert not list(entry.parent.glob(".tmp-*"))


def test_killed_conversion_leaves_no_entry_and_next_run_converts(tmp_path, tiny_model):
    """SIGKILL-like death (os._exit) in the middle of converting."""
    env = {**os.environ, CACHE_ENV: str(tmp_path)}
    script = textwrap.dedent(
        f"""
        import os
        from translate_cli.engines import ct2_cache as m
        from translate_cli.models import resolve_model
        real = m._run_converter
        def dies(source, out, q):
            real(source, out, q)
            os._exit(9)
        m._run_converter = dies
        m.convert(resolve_model({str(tiny_model)!r}), "int8")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT)
    assert done.returncode == 9
    source = resolve_model(str(tiny_model))
    entry = entry_path(source, "int8", tmp_path)
    assert not entry.exists()
    assert ct2c.read_manifest(ct2c.convert(source, "int8", tmp_path)) is not None


def test_unwritable_cache_is_a_model_error_naming_the_variable(tmp_path, monkeypatch, tiny_model):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    with pytest.raises(ModelError, match=CACHE_ENV):
        ct2_engine(tiny_model, "int8")


def test_concurrent_conversions_do_not_break_each_other(tmp_path, tiny_model):
    env = {**os.environ, CACHE_ENV: str(tmp_path)}
    script = textwrap.dedent(
        f"""
        from translate_cli.engines import ct2_cache as m
        from translate_cli.models import resolve_model
        print(m.convert(resolve_model({str(tiny_model)!r}), "float32"))
        """
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", script], env=env, cwd=ROOT, stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    paths = {run.communicate()[0].decode().strip() for run in runs}
    assert all(run.returncode == 0 for run in runs)
    assert len(paths) == 1
    entry = Path(paths.pop())
    assert ct2c.read_manifest(entry) is not None
    assert sorted(p.name for p in entry.parent.iterdir()) == ["float32"]


# --- Same output as the transformers engine -----------------------------------


def test_greedy_float32_matches_transformers(parity_model):
    model, kind = parity_model
    fast = ct2_engine(model, "float32", beams=1)
    reference = load_engine(Settings(model=str(model), engine="transformers", beams=1, threads=1))
    texts = sorted(set(SENTENCES) - {""}, key=len)
    # Up to 64 tokens: the copy model writes as many tokens as it reads, and
    # transformers' greedy search on long sentences would make this test slow.
    texts = [t for t, n in zip(texts, fast.count_tokens(texts), strict=True) if n <= 64]
    texts = texts[:: max(1, len(texts) // 300)]  # about 300, short to long
    batches = [texts[i : i + 16] for i in range(0, len(texts), 16)]
    # One engine after the other, one thread each: torch and CTranslate2 bring
    # two OpenMP runtimes whose spinning pools, on a busy 2-core machine, turn
    # a 3-second test into minutes.
    ours = [h.text for batch in batches for h in fast.translate_batch(batch)]
    theirs = [h.text for batch in batches for h in reference.translate_batch(batch)]
    same = sum(a == b for a, b in zip(ours, theirs, strict=True)) / len(texts)
    print(f"\nparity with transformers ({kind}, {len(texts)} sentences): {same:.1%}")
    assert same >= 0.95
    assert fast.count_tokens(texts) == reference.count_tokens(texts)
    assert fast.max_input_tokens == reference.max_input_tokens


def test_scores_are_length_normalised_log_probabilities(parity_model):
    fast = ct2_engine(parity_model[0], "float32", beams=1)
    hyps = fast.translate_batch(["Le chat dort.", "Il fait beau aujourd’hui à Lyon."])
    assert all(h.score is not None and -50 < h.score <= 0 for h in hyps)


# --- Generation settings ------------------------------------------------------


def _hf_new_tokens(model: Path, texts: list[str]) -> list[list[int]]:
    """Token ids transformers generates after the decoder start token."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model)
    hf = AutoModelForSeq2SeqLM.from_pretrained(model).eval()
    with torch.inference_mode():
        out = hf.generate(**tokenizer(texts, return_tensors="pt", padding=True))
    pad = hf.generation_config.pad_token_id
    return [[i for i in row[1:] if i != pad] for row in out.tolist()]


def test_fixed_length_with_forced_eos(fixed5_model):
    """min_new_tokens = max_new_tokens = 5 with forced EOS: 4 tokens, then </s>, in both."""
    texts = ["Le chat dort.", "Bonjour à tous, ceci est une phrase plus longue."]
    fast = ct2_engine(fixed5_model)
    ours = [tokens for tokens, _ in fast.generate(texts)]
    theirs = _hf_new_tokens(fixed5_model, texts)
    eos = fast.tokenizer.vocab["</s>"]
    assert all(len(row) == 5 and row[-1] == eos for row in theirs)
    assert [[fast.tokenizer.vocab[t] for t in row] + [eos] for row in ours] == theirs


def test_fixed_length_without_forced_eos(tmp_path, fixed5_model):
    """Without forced EOS both engines generate exactly 5 tokens."""
    import shutil

    model = tmp_path / "model"
    shutil.copytree(fixed5_model, model)
    config = json.loads((model / "generation_config.json").read_text())
    del config["forced_eos_token_id"]
    (model / "generation_config.json").write_text(json.dumps(config))
    texts = ["Le chat dort.", "Une autre phrase, un peu plus longue que la première."]
    fast = ct2_engine(model)
    ours = [[fast.tokenizer.vocab[t] for t in tokens] for tokens, _ in fast.generate(texts)]
    assert [len(row) for row in ours] == [5, 5]
    assert ours == _hf_new_tokens(model, texts)


def test_learnt_decoder_start_embedding_is_kept(tmp_path, tiny_model):
    """A <pad> row trained away from zero (as in the copy model) must not be replaced by zeros."""
    import shutil

    import torch
    from transformers import AutoModelForSeq2SeqLM

    model = tmp_path / "model"
    shutil.copytree(tiny_model, model)
    hf = AutoModelForSeq2SeqLM.from_pretrained(model)
    with torch.no_grad():
        start = hf.config.decoder_start_token_id
        hf.get_decoder().embed_tokens.weight[start] = torch.randn(hf.config.d_model)
    hf.save_pretrained(model)
    engine = ct2_engine(model)
    config = json.loads((engine.path / "config.json").read_text())
    assert config["decoder_start_token"] == "<pad>"
    assert engine.options["suppress_sequences"] == [["<pad>"]]
    texts = ["Le chat dort.", "Il fait beau aujourd’hui à Lyon.", "Bonjour"]
    ours = [[engine.tokenizer.vocab[t] for t in tokens] for tokens, _ in engine.generate(texts)]
    theirs = [row[:-1] if row[-1] == 0 else row for row in _hf_new_tokens(model, texts)]
    assert ours == theirs


def test_beams_come_from_the_generation_config(beam3_model):
    engine = ct2_engine(beam3_model)
    assert engine.beams == 3 and engine.options["beam_size"] == 3
    overridden = ct2_engine(beam3_model, beams=2)
    assert overridden.beams == 2 and overridden.options["beam_size"] == 2
    assert len(engine.translate_batch(["Le chat dort.", "Il pleut."])) == 2


def test_pad_token_can_never_be_generated(tiny_model):
    engine = ct2_engine(tiny_model)
    vocabulary = json.loads((engine.path / "shared_vocabulary.json").read_text())
    assert "<pad>" not in vocabulary
    assert json.loads((engine.path / MANIFEST).read_text())["pad_in_vocabulary"] is False
    outputs = engine.generate(SENTENCES[:64])
    assert not any("<pad>" in tokens for tokens, _ in outputs)


TOKENS = {0: "</s>", 1: "<unk>", 7: "▁le", 8: "▁la", 9: "<pad>"}


@pytest.mark.parametrize(
    ("config", "beams", "expected"),
    [
        # opus-mt-fr-en: 4 beams, max_length 512 with forced EOS, pad banned.
        (
            {
                "num_beams": 4,
                "max_length": 512,
                "forced_eos_token_id": 0,
                "eos_token_id": 0,
                "pad_token_id": 9,
                "bad_words_ids": [[9]],
            },
            4,
            {"beam_size": 4, "max_decoding_length": 510, "min_decoding_length": 0},
        ),
        # The benchmark model: exactly 24 new tokens, the last one a forced EOS.
        (
            {
                "max_new_tokens": 24,
                "min_new_tokens": 24,
                "forced_eos_token_id": 0,
                "eos_token_id": 0,
            },
            4,
            {"max_decoding_length": 23, "min_decoding_length": 23},
        ),
        (
            {"max_new_tokens": 5, "min_new_tokens": 5, "eos_token_id": 0},
            1,
            {"max_decoding_length": 5, "min_decoding_length": 5},
        ),
        ({"max_length": 10, "max_new_tokens": 3}, 1, {"max_decoding_length": 3}),
        ({"min_length": 4}, 1, {"min_decoding_length": 3, "max_decoding_length": 19}),
        ({"min_length": 4, "min_new_tokens": 1}, 1, {"min_decoding_length": 1}),
        (
            {"length_penalty": None, "repetition_penalty": 1.3, "no_repeat_ngram_size": 3},
            1,
            {"length_penalty": 1.0, "repetition_penalty": 1.3, "no_repeat_ngram_size": 3},
        ),
        ({"length_penalty": 0.6}, 2, {"length_penalty": 0.6}),
        (
            {"bad_words_ids": [[9], [7], [7, 8], [42]], "pad_token_id": 9},
            1,
            {"suppress_sequences": [["▁le"], ["▁le", "▁la"]]},
        ),
        (
            {"do_sample": True, "top_k": 10, "temperature": 0.7, "num_beams": 4},
            4,
            {"beam_size": 1, "sampling_topk": 10, "sampling_temperature": 0.7},
        ),
    ],
)
def test_generation_config_mapping(config, beams, expected):
    options = ct2_options(Generation.from_dict(config), beams, TOKENS)
    assert {k: options.get(k) for k in expected} == expected
    if "suppress_sequences" not in expected:
        assert "suppress_sequences" not in options


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"tokenizer_config.json": {"model_max_length": 512}, "config.json": {}}, 512),
        (
            {
                "tokenizer_config.json": {"model_max_length": 1000000000000000019884624838656},
                "config.json": {"max_position_embeddings": 256},
            },
            256,
        ),
        ({"tokenizer_config.json": {}, "config.json": {"max_position_embeddings": 32}}, 32),
        ({}, 512),
    ],
)
def test_max_input_tokens_from_the_json_files(tmp_path, files, expected):
    for name, data in files.items():
        (tmp_path / name).write_text(json.dumps(data))
    assert max_input_tokens(tmp_path) == expected


def test_generation_settings_fall_back_on_legacy_config_json(tmp_path):
    config = {"num_beams": 4, "max_length": 512, "bad_words_ids": [[9]], "d_model": 512}
    (tmp_path / "config.json").write_text(json.dumps(config))
    generation = read_generation(tmp_path)
    assert (generation.num_beams, generation.max_new_tokens) == (4, 511)
    assert generation.bad_words_ids == ((9,),)


def test_pad_is_suppressed_when_the_converter_keeps_it():
    options = ct2_options(Generation.from_dict({"pad_token_id": 9}), 1, TOKENS, True)
    assert options["suppress_sequences"] == [["<pad>"]]


# --- Compute type: int8 only where its products are exact --------------------

AVX2_FLAGS = "fpu sse4_1 sse4_2 avx avx2 fma f16c"


@pytest.mark.parametrize(
    ("machine", "cpuinfo", "expected"),
    [
        ("x86_64", f"processor\t: 0\nflags\t\t: {AVX2_FLAGS}\n", False),
        ("x86_64", f"flags\t\t: {AVX2_FLAGS} avx512f avx512bw\n", False),  # Skylake-X
        ("x86_64", f"flags\t\t: {AVX2_FLAGS} avx512f avx512_vnni\n", True),  # Cascade Lake+
        ("x86_64", f"flags\t\t: {AVX2_FLAGS} avx_vnni\n", True),  # Alder Lake
        ("AMD64", f"flags\t\t: {AVX2_FLAGS} amx_int8\n", True),
        ("x86_64", "processor\t: 0\n", None),  # no flags line
        ("x86_64", None, None),  # no /proc/cpuinfo (Windows, macOS)
        ("aarch64", None, True),  # Ruy: s8 x s8 in int32
        ("arm64", None, True),
        ("riscv64", f"flags\t\t: {AVX2_FLAGS}\n", None),
    ],
)
def test_int8_exactness_from_the_cpu_flags(tmp_path, machine, cpuinfo, expected):
    path = tmp_path / "cpuinfo"
    if cpuinfo is not None:
        path.write_text(cpuinfo)
    assert ct2e.cpu_int8_is_exact(path, machine) is expected


@pytest.mark.parametrize(
    ("exact", "expected"), [(True, "int8"), (False, "float32"), (None, "float32")]
)
def test_auto_on_cpu_is_int8_only_where_exact(exact, expected):
    assert ct2e.pick_compute_type("auto", "cpu", int8_exact=exact) == expected


def test_explicit_int8_is_honoured_on_any_cpu(tiny_model):
    assert ct2e.pick_compute_type("int8", "cpu", int8_exact=False) == "int8"
    assert ct2_engine(tiny_model, "int8").compute_type == "int8"


def test_auto_on_this_cpu_follows_its_flags(tiny_model):
    engine = ct2_engine(tiny_model, "auto", device="cpu")
    expected = "int8" if ct2e.cpu_int8_is_exact() else "float32"
    assert engine.compute_type == engine.details["compute_type"] == expected
    assert engine.path.name == expected


def test_compute_types_are_the_vocabulary_list():
    from translate_cli import vocabulary

    assert ct2e.COMPUTE_TYPES is vocabulary.COMPUTE_TYPES
    cpu = ctranslate2.get_supported_compute_types("cpu")
    assert cpu <= set(vocabulary.COMPUTE_TYPES)


# --- CTranslate2's private converter internals --------------------------------


def test_converter_internals_are_those_the_conversion_patches():
    """Fails with the private name and installed version when CTranslate2 changes them."""
    registry, marian, bart = ct2c.converter_internals()
    assert isinstance(registry["MarianConfig"], marian)
    assert issubclass(marian, bart)


def test_changed_converter_internals_are_a_clear_model_error(monkeypatch):
    from ctranslate2.converters import transformers as ct2_transformers

    monkeypatch.delattr(ct2_transformers, "_MODEL_LOADERS")
    with pytest.raises(ModelError) as caught:
        ct2c.converter_internals()
    message = str(caught.value)
    assert ct2c.LOADER_REGISTRY in message
    assert f"ctranslate2 {ctranslate2.__version__}" in message
    assert f"ctranslate2{ct2c.SUPPORTED_CTRANSLATE2}" in message


def test_pyproject_bounds_ctranslate2_below_the_next_minor():
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (spec,) = [d for d in project["dependencies"] if d.startswith("ctranslate2")]
    assert spec == f"ctranslate2{ct2c.SUPPORTED_CTRANSLATE2}"
    upper = re.search(r"<\s*(\d+)\.(\d+)", spec)
    assert upper, f"{spec!r}: the private converter internals need an upper bound"
    installed = tuple(int(x) for x in ctranslate2.__version__.split(".")[:2])
    assert installed < (int(upper[1]), int(upper[2])), (spec, ctranslate2.__version__)


# --- Lean path, devices, registry ---------------------------------------------


def test_lean_path_imports_neither_torch_nor_transformers(tiny_model, ct2_cache):
    ct2_engine(tiny_model, "auto")  # convert first, in this process
    script = textwrap.dedent(
        f"""
        import json, sys
        from translate_cli import Settings, load_engine, translate_text
        settings = Settings(model={str(tiny_model)!r}, engine="ctranslate2")
        engine = load_engine(settings)
        result = translate_text("Bonjour. Il fait beau.\\n\\nAu revoir.", settings, engine)
        heavy = ("torch", "transformers", "sacremoses")  # normalising needs none of them
        print(json.dumps({{
            "engine": engine.name,
            "pairs": len(result.pairs),
            "loaded": sorted(m for m in heavy if m in sys.modules),
        }}))
        """
    )
    env = {**os.environ, CACHE_ENV: str(ct2_cache)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report == {"engine": "ctranslate2", "pairs": 3, "loaded": []}


def test_registry_and_auto_pick_ctranslate2():
    assert "ctranslate2" in ENGINES
    assert pick_engine("auto") == "ctranslate2"


def test_unknown_compute_type_names_the_choices(tiny_model):
    with pytest.raises(UsageError, match=r"unknown compute type 'int3'; expected one of: .*int8"):
        ct2_engine(tiny_model, "int3")


@pytest.mark.skipif(ctranslate2.get_cuda_device_count() > 0, reason="a CUDA GPU is present")
def test_cuda_without_a_gpu_is_a_clear_error(tiny_model):
    with pytest.raises(EngineError, match="no CUDA GPU; use --device cpu"):
        ct2_engine(tiny_model, "auto", device="cuda")


@pytest.mark.skipif(
    ctranslate2.get_cuda_device_count() == 0,
    reason="no CUDA GPU visible to CTranslate2 (ctranslate2.get_cuda_device_count() == 0)",
)
def test_cuda_translates_with_int8_float16(tiny_model):
    engine = ct2_engine(tiny_model, "auto", device="auto")
    assert engine.details["device"] == "cuda"
    assert engine.compute_type in {"int8_float16", "float16", "float32"}
    assert engine.path.name == engine.compute_type
    hyps = engine.translate_batch(["Le chat dort.", "Il pleut sur Lyon."])
    assert len(hyps) == 2 and all(h.score is not None for h in hyps)


def test_cli_end_to_end_with_ctranslate2(tmp_path, monkeypatch, tiny_model):
    from typer.testing import CliRunner

    from translate_cli.cli import app

    monkeypatch.setenv("TRANSLATE_MEMORY", "off")  # leave the user's memory alone
    source = tmp_path / "article.fr.txt"
    source.write_text("Bonjour. Il fait beau.\n\nAu revoir.\n", encoding="utf-8")
    out = tmp_path / "out"
    args = [str(source), "-o", str(out), "--model", str(tiny_model), "--engine", "ctranslate2"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    records = [json.loads(x) for x in next(out.glob("*.jsonl")).read_text().splitlines()]
    meta = records[0]
    assert meta["engine"] == "ctranslate2"
    assert meta["revision"].startswith("local-")
    assert len(records) == 4
