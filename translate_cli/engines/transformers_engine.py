"""MarianMT through transformers and torch: the reference engine.

Generation settings come from the model's ``generation_config.json`` (beams,
max/min length, bad words, length penalty); only an explicit ``--beams``
overrides the beam count.

The model always runs in float32, whatever its weight file holds:
opus-mt-tc-big-fr-en ships float16 weights (``pytorch_model.bin`` of
``HalfStorage``, ``"torch_dtype": "float16"`` in its config.json), and
transformers 5 loads a model in the dtype its files give, so without the cast
that model would compute in float16 on the CPU while opus-mt-fr-en, and
CTranslate2's float32 conversion of either, compute in float32.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
from transformers.utils import logging as hf_logging

from ..config import Settings
from ..document import Hypothesis
from ..errors import EngineError, TranslateError
from ..models import ModelSource, load_error
from .alignment import Alignment, alignable, attention_pairs, piece_words
from .base import pieces_writable
from .marian_files import HF_DEFAULT_MAX_LENGTH, max_input_tokens, read_languages
from .normalize import normalization_label, source_preparer


@contextmanager
def _quiet() -> Iterator[None]:
    """Keep transformers' Python warnings (defaults used, deprecations) off stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def pick_device(requested: str) -> str:
    """Resolve ``auto`` and check that CUDA is there when asked for."""
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise EngineError("device 'cuda' requested but torch sees no CUDA GPU; use --device cpu")
    return requested


class TransformersEngine:
    """Translate with ``AutoModelForSeq2SeqLM.generate``.

    Args:
        source: Where the model files are.
        settings: Run settings (device, beams, threads).
    """

    name = "transformers"

    def __init__(self, source: ModelSource, settings: Settings) -> None:
        # Long inputs are cut by the pipeline and load progress is ours to show:
        # transformers' own warnings and bars would only clutter stderr.
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        if settings.threads:
            torch.set_num_threads(settings.threads)
        self.device = pick_device(settings.device)
        try:
            with _quiet():
                self.tokenizer = AutoTokenizer.from_pretrained(source.path)
                self._model = AutoModelForSeq2SeqLM.from_pretrained(source.path)
        except TranslateError:
            raise
        except Exception as exc:  # a broken file fails in many ways; one line names it
            raise load_error(source.name, exc) from None
        if self._model.dtype != torch.float32:
            self._model = self._model.float()
        self._model.eval().to(self.device)
        self.model = source.name
        self.revision = source.revision
        self.beams = settings.beams or self._model.generation_config.num_beams or 1
        self.max_input_tokens = max_input_tokens(source.path)
        # (source, target) BCP 47 tags, from the model's tokenizer config.
        self.languages = read_languages(source.path)
        # What the model reads: OPUS-MT's preprocessing, or the text as is.
        self._prepare = source_preparer(settings.normalize)
        self.details = {
            "device": self.device,
            "torch": torch.__version__,
            "normalize": normalization_label(settings.normalize),
        }

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Token counts including the end-of-sentence token."""
        return [len(ids) for ids in self.tokenizer(self._prepare(texts)).input_ids]

    @torch.inference_mode()
    def translate_batch(self, texts: Sequence[str]) -> list[Hypothesis]:
        """Generate translations and their length-normalised log-probabilities."""
        if not texts:
            return []
        batch = self.tokenizer(self._prepare(texts), return_tensors="pt", padding=True)
        batch = batch.to(self.device)
        with _quiet():
            out = self._model.generate(
                **batch,
                num_beams=self.beams,
                output_scores=True,
                return_dict_in_generate=True,
            )
        decoded = self.tokenizer.batch_decode(out.sequences, skip_special_tokens=True)
        return [
            Hypothesis(t.strip(), s, truncated=cut)
            for t, s, cut in zip(
                decoded, self._scores(out), self._truncated(out.sequences), strict=True
            )
        ]

    def _truncated(self, sequences: torch.Tensor) -> list[bool]:
        """Which sequences stopped at the length cap rather than by ending.

        ``generate`` stops a sequence at its first end-of-sentence token or
        when it reaches ``max_length`` (``max_new_tokens`` plus the decoder
        start token, when that is set). A sequence with no end token hit the
        cap. With ``forced_eos_token_id`` (opus-mt sets it), the last step of
        a capped sequence *is* the end token, forced; a model that chose to
        end at exactly that step cannot be told from it, so an end token in
        the last allowed position counts as truncated too (a rare false
        alarm, and the retry in pieces then gives a complete translation).
        A fixed-length configuration (``min_new_tokens`` at the cap, as in
        benchmark models) reaches the cap by design: nothing is flagged.
        """
        config = self._model.generation_config
        new = config.max_new_tokens
        # Without generation_config.json (or a max_length in config.json),
        # generate() falls back on its default of 20, as read_generation does.
        cap = new + 1 if new is not None else (config.max_length or HF_DEFAULT_MAX_LENGTH)
        floor = config.min_new_tokens
        floor = floor + 1 if floor is not None else (config.min_length or 0)
        if floor >= cap:
            return [False] * len(sequences)
        eos = config.eos_token_id
        ends = set(eos if isinstance(eos, list) else [eos])
        forced = config.forced_eos_token_id is not None
        flags = []
        for row in sequences.tolist():
            first = next((i for i, t in enumerate(row[1:], 1) if t in ends), None)
            flags.append(first is None or (forced and first + 1 >= cap))
        return flags

    @torch.inference_mode()
    def align_batch(self, sources: Sequence[str], targets: Sequence[str]) -> list[Alignment]:
        """Word alignment by forced decoding of the targets (see ``Engine.align_batch``).

        One forward pass over the batch: the encoder reads the prepared
        sources, the decoder reads each tokenized target shifted right (the
        decoder start token first; ``tokenizer(text_target=...)`` encodes
        with ``target.spm``, as in training), so row ``k`` of the attention
        is the step that writes target piece ``k``. The head read is
        ``cross_attentions[-1][:, 0]``, the last decoder layer's first head:
        Marian's guided alignment trains that one towards word alignments
        (``--transformer-guided-alignment-layer last``, first head; see
        :mod:`translate_cli.engines.alignment`), and it is the head
        CTranslate2's converter exposes, so both engines read the same
        weights. The vocabulary projection is skipped (the base model
        is called, not the language-model head): only attention is needed.

        Attention weights exist only in the eager implementation (SDPA
        does not return them), so it is switched on for the call and back
        afterwards. Sources and targets are cut at :attr:`max_input_tokens`
        pieces (``</s>`` included); target words past the cut get no link.
        """
        todo = alignable(sources, targets)
        results: list[Alignment] = [()] * len(sources)
        if not todo:
            return results
        tok = self.tokenizer
        limit = self.max_input_tokens
        with _quiet():
            encoded = tok(
                self._prepare([sources[i] for i in todo]),
                text_target=self._prepare([targets[i] for i in todo]),
                truncation=True,
                max_length=limit,
            )
        source_ids: list[list[int]] = encoded["input_ids"]
        target_ids: list[list[int]] = encoded["labels"]
        pad = int(tok.pad_token_id)
        config = self._model.config
        start = config.decoder_start_token_id
        start = pad if start is None else int(start)

        def padded(rows: list[list[int]], value: int) -> torch.Tensor:
            width = max(map(len, rows))
            return torch.tensor([r + [value] * (width - len(r)) for r in rows], device=self.device)

        input_ids = padded(source_ids, pad)
        attention_mask = padded([[1] * len(r) for r in source_ids], 0)
        # Teacher forcing: the decoder reads <start> t1 ... t(n-1) and writes t1 ... tn.
        decoder_input_ids = padded([[start, *r[:-1]] for r in target_ids], pad)
        previous = config._attn_implementation
        self._model.set_attn_implementation("eager")
        try:
            out = self._model.base_model(
                input_ids=input_ids,
                attention_mask=attention_mask,
                decoder_input_ids=decoder_input_ids,
                output_attentions=True,
                use_cache=False,
            )
        finally:
            self._model.set_attn_implementation(previous)
        if not out.cross_attentions:
            raise EngineError(f"{self.model}: the model returns no cross-attention weights")
        head = out.cross_attentions[-1][:, 0].float().cpu()
        for row, i, src, tgt in zip(head, todo, source_ids, target_ids, strict=True):
            # Pieces as the model saw them, </s> left out (<unk> is placed by its neighbours).
            source_words = piece_words(sources[i], tok.convert_ids_to_tokens(src[:-1]))
            target_words = piece_words(targets[i], tok.convert_ids_to_tokens(tgt[:-1]))
            matrix = row[: len(target_words), : len(source_words)].tolist()
            results[i] = attention_pairs(matrix, source_words, target_words)
        return results

    def can_write(self, char: str) -> bool:
        """Whether ``char``'s pieces are known to both vocabularies (see ``Engine``)."""
        tok = self.tokenizer
        target = tok.target_encoder if getattr(tok, "separate_vocabs", False) else tok.encoder
        return pieces_writable(tok.tokenize(char), tok.encoder, target, str(tok.unk_token))

    def _scores(self, out: object) -> list[float | None]:
        """Per-sequence mean token log-probability (beam search gives it directly)."""
        seq_scores = getattr(out, "sequences_scores", None)
        if seq_scores is not None:
            return [float(s) for s in seq_scores]
        steps = getattr(out, "scores", None)
        if not steps:
            return [None] * len(out.sequences)  # type: ignore[attr-defined]
        trans = self._model.compute_transition_scores(
            out.sequences,  # type: ignore[attr-defined]
            steps,
            normalize_logits=True,
        )
        generated = out.sequences[:, -trans.shape[1] :]  # type: ignore[attr-defined]
        mask = generated != self._model.generation_config.pad_token_id
        sums = (trans.masked_fill(~mask, 0.0)).sum(dim=1)
        counts = mask.sum(dim=1).clamp(min=1)
        return [float(v) for v in sums / counts]
