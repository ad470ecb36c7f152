"""Other fr→en Marian models: opus-mt-tc-big-fr-en's shape, pytorch_model.bin folders,
and language codes read from the model.

The tc-big model is built offline with the real model's architecture and
configuration (:func:`tests.support.offline_models.build_tc_big_shaped`: d_model
1024, 6 + 6 layers, 16 heads, FFN 4096, ReLU, ``</s>`` not at id 0, two
SentencePiece models under one vocabulary, float16 ``pytorch_model.bin``) and a
small vocabulary; about 15 s to build and 350 MB, once for this module.
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from translate_cli.cli import app
from translate_cli.config import Settings
from translate_cli.engines import load_engine
from translate_cli.engines.marian_files import MULTIPLE, language_tag, read_languages
from translate_cli.errors import LanguageWarning
from translate_cli.models import resolve_model
from translate_cli.provenance import plan_run

from .conftest import COPY_MODEL, ROOT, _vocab_texts

ENGINES = ["transformers", "ctranslate2"]
TEXT = (
    "Le maire de Lyon a présenté son plan. Il pleut depuis trois jours.\n\nLa séance est levée.\n"
)


@pytest.fixture(scope="module")
def tc_big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.support.offline_models import build_tc_big_shaped

    english = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    out = tmp_path_factory.mktemp("tc-big") / "opus-mt-tc-big-fr-en"
    return build_tc_big_shaped(out, french=_vocab_texts(), english=english, new_tokens=6)


def _run(tmp_path: Path, model: Path, engine: str, *extra: str):
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "article.fr.txt"
    source.write_text(TEXT, encoding="utf-8")
    out = tmp_path / f"out-{engine}"
    args = [str(source), "-o", str(out), "--model", str(model), "--engine", engine, "--no-tm"]
    result = CliRunner().invoke(app, [*args, "--compute-type", "float32", *extra])
    return result, out


def _jsonl(out: Path) -> list[dict]:
    return [json.loads(line) for line in next(out.glob("*.jsonl")).read_text().splitlines()]


# --- opus-mt-tc-big-fr-en's shape ------------------------------------------


def test_the_tc_big_model_has_the_real_configuration(tc_big):
    config = json.loads((tc_big / "config.json").read_text())
    vocab = json.loads((tc_big / "vocab.json").read_text())
    assert (config["d_model"], config["encoder_layers"], config["decoder_layers"]) == (1024, 6, 6)
    assert (config["encoder_attention_heads"], config["encoder_ffn_dim"]) == (16, 4096)
    assert config["activation_function"] == "relu"
    assert config["max_position_embeddings"] == 1024
    assert config["normalize_embedding"] is False
    assert config["share_encoder_decoder_embeddings"] is True
    assert config["eos_token_id"] == vocab["</s>"] != 0
    assert config["pad_token_id"] == len(vocab) - 1
    assert config["torch_dtype"] == "float16"
    assert not (tc_big / "model.safetensors").exists()
    assert (tc_big / "source.spm").read_bytes() != (tc_big / "target.spm").read_bytes()


def test_tc_big_translates_on_both_engines_alike(tmp_path, tc_big):
    targets = {}
    for engine in ENGINES:
        result, out = _run(tmp_path, tc_big, engine)
        assert result.exit_code == 0, result.output
        assert "warning" not in result.stderr, result.stderr
        records = _jsonl(out)
        meta, pairs = records[0], records[1:]
        assert meta["engine"] == engine
        assert (meta["source_lang"], meta["target_lang"]) == ("fr", "en")
        assert len(pairs) == 3
        # 6 new tokens, the last a forced </s>: 5 pieces of English each, none cut short.
        assert all(p["target"] and "truncated" not in p["flags"] for p in pairs)
        targets[engine] = [p["target"] for p in pairs]
        english = next(out.glob("*.en.txt")).read_text(encoding="utf-8")
        assert len(english.strip().split("\n\n")) == 2
    # float16 weights computed in float32 by both: the same translations.
    assert targets["transformers"] == targets["ctranslate2"]


def test_float16_weights_run_in_float32_on_transformers(tc_big):
    import torch

    engine = load_engine(Settings(model=str(tc_big), engine="transformers", device="cpu"))
    assert engine._model.dtype == torch.float32
    assert engine.max_input_tokens == 512  # the tokenizer's 512, not the 1024 positions
    assert engine.beams == 4


# --- Folders with pytorch_model.bin -------------------------------------------


@pytest.fixture(scope="module")
def copy_model_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.support.offline_models import save_pytorch_bin

    folder = tmp_path_factory.mktemp("bin") / "copy-marian-bin"
    shutil.copytree(COPY_MODEL, folder)
    return save_pytorch_bin(folder)


@pytest.mark.parametrize("engine", ENGINES)
def test_pytorch_model_bin_folder_translates_as_safetensors(tmp_path, copy_model_bin, engine):
    assert sorted(p.name for p in copy_model_bin.glob("*.bin")) == ["pytorch_model.bin"]
    assert not list(copy_model_bin.glob("*.safetensors"))
    outputs = {}
    for name, model in (("bin", copy_model_bin), ("safetensors", COPY_MODEL)):
        result, out = _run(tmp_path / name, model, engine)
        assert result.exit_code == 0, result.output
        outputs[name] = [p["target"] for p in _jsonl(out)[1:]]
    assert outputs["bin"] == outputs["safetensors"]
    # The copy model copies: the weights really were read from the .bin.
    assert outputs["bin"][0].startswith("Le maire de Lyon")


# --- Language codes from the model --------------------------------------------


@pytest.mark.parametrize(
    ("label", "default", "expected"),
    [
        ("fr", "fr", "fr"),
        ("en", "en", "en"),
        ("fra", "fr", "fr"),
        ("eng", "en", "en"),
        ("fr_BE", "fr", "fr-BE"),
        ("pt-br", "en", "pt-BR"),
        ("de", "fr", "de"),
        # opus-mt-ROMANCE-en's source: French is among them.
        ("fr+fr_BE+fr_CA+wa+oc+ca+es+it+la", "fr", "fr"),
        ("de+nl+fy", "fr", MULTIPLE),
        # Seen in the wild: a model name where a code should be.
        ("opus-mt-tc-base-en", "fr", "fr"),
        ("", "fr", "fr"),
        (None, "en", "en"),
        (3, "en", "en"),
    ],
)
def test_language_tag(label, default, expected):
    assert language_tag(label, default) == expected


def _relabel(tmp_path: Path, source: str | None, target: str | None) -> Path:
    model = Path(shutil.copytree(COPY_MODEL, tmp_path / "model"))
    path = model / "tokenizer_config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config.update(source_lang=source, target_lang=target)
    path.write_text(json.dumps(config), encoding="utf-8")
    return model


def test_languages_come_from_the_tokenizer_config(tmp_path):
    assert read_languages(COPY_MODEL) == ("fr", "en")  # it says null: the default pair
    assert read_languages(_relabel(tmp_path, "fr_CA", "en_GB")) == ("fr-CA", "en-GB")


@pytest.mark.parametrize("engine", ENGINES)
def test_outputs_carry_the_models_languages(tmp_path, engine):
    model = _relabel(tmp_path, "fr_CA", "en_GB")
    result, out = _run(tmp_path, model, engine)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    tmx = etree.parse(str(next(out.glob("*.tmx"))))
    assert tmx.find("header").get("srclang") == "fr-CA"
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert {tuv.get(xml_lang) for tuv in tmx.iter("tuv")} == {"fr-CA", "en-GB"}
    xliff = etree.parse(str(next(out.glob("*.xlf")))).getroot()
    assert (xliff.get("srcLang"), xliff.get("trgLang")) == ("fr-CA", "en-GB")
    page = next(out.glob("*.review.html")).read_text(encoding="utf-8")
    assert 'class="src" lang="fr-CA"' in page and 'class="tgt" lang="en-GB"' in page


def test_library_results_carry_the_engines_languages(tmp_path):
    from translate_cli import translate_text

    model = _relabel(tmp_path, "fr_BE", None)
    settings = Settings(model=str(model), engine="ctranslate2", compute_type="float32")
    result = translate_text("Il pleut.", settings, load_engine(settings))
    assert (result.meta.source_lang, result.meta.target_lang) == ("fr-BE", "en")


def test_a_non_french_source_is_one_warning_line_and_is_labelled(tmp_path):
    model = _relabel(tmp_path, "de", "en")
    result, out = _run(tmp_path, model, "ctranslate2")
    assert result.exit_code == 0, result.output
    warnings_shown = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings_shown == [
        f"translate: warning: model {model} reads 'de', but the sentence splitter and input "
        "normalisation are tuned for French (languages from its tokenizer_config.json); "
        "outputs are labelled de→en"
    ]
    assert _jsonl(out)[0]["source_lang"] == "de"
    quiet, _ = _run(tmp_path / "quiet", model, "ctranslate2", "--quiet", "--force")
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_plan_warns_for_a_non_english_target(tmp_path):
    model = _relabel(tmp_path, "fr", "de")
    with pytest.warns(LanguageWarning, match=r"writes 'de', but the review checks expect English"):
        plan = plan_run(Settings(model=str(model)), resolve_model(str(model)))
    assert (plan.source_lang, plan.target_lang) == ("fr", "de")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plan_run(Settings(model=str(COPY_MODEL)), resolve_model(str(COPY_MODEL)))
