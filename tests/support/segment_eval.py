"""Boundary-level scoring for sentence splitters.

The metric lives here, in one place, so that the accuracy test
(``tests/test_segmentation_data.py``) and the benchmark script
(``benchmarks/segmentation.py``) cannot drift apart.

A sentence boundary is identified by the number of non-whitespace characters
that precede it in its paragraph. Counting only visible characters makes the
score independent of how a splitter strips or normalises the spaces between
sentences (some peers collapse or drop them), while still pinning every
boundary to one exact place in the text.

*Paragraph-level boundaries.* The newstest2014 records (``type: none``) are
whole articles flattened into one line: the headline, sub-headings and list
items were glued to the next sentence with a space, so nothing in the text
marks where they end ("... au-dessus de Bogota Le sportif ..."). In the
project those lines are separated by :mod:`translate_cli.document` before
any sentence splitting. :func:`paragraph_units` restores that stage: it cuts a
record at the gold boundaries that follow a sentence without final
punctuation, and :func:`score_splitter` runs the splitter on each unit. Every
splitter gets the same units, so the comparison stays fair, and a boundary
after ``.``, ``!``, ``?``, ``…`` (with closing quotes) is still the splitter's
own work.

*Final-punctuation boundaries.* A gold boundary after a heading or a list
item cut at ``;`` is invisible to a splitter that reads punctuation. The
punctuated protocol (``score_splitter(..., punctuated=True)``) keeps, in the
gold and in the prediction alike, only the boundaries that follow final
punctuation in the paragraph text: boundary ``b`` (a count of non-whitespace
characters, see :func:`boundary_offsets`) is mapped to the offset ``i`` of
the ``b``-th non-whitespace character of ``text``, and it is kept when
``text[:i]`` ends with ``.``, ``!``, ``?`` or ``…`` followed only by
whitespace and closing quotes or brackets (``" ' » ” ’ ) ]``). The same
test decides both sides, from the text, never from how a sentence list was
stripped; a predicted boundary between ``.`` and a closing ``»`` is kept too
(and counts as a false positive if the gold puts it after the ``»``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BoundaryScore",
    "Record",
    "boundary_offsets",
    "boundary_prf",
    "final_punctuation_boundaries",
    "load_records",
    "paragraph_units",
    "score_splitter",
]

# A gold sentence that ends like this closes with punctuation a splitter can
# see; any other gold boundary is a paragraph-level one.
_FINAL_PUNCTUATION = re.compile(r"[.!?…][\s\"'»”’)\]]*\Z")


@dataclass(frozen=True)
class Record:
    """One paragraph of a segmentation set.

    Attributes:
        text: The paragraph as it stands in the source.
        sentences: Its gold sentences, in order, each a substring of ``text``.
        source: The file it came from (its stem), to report sets apart.
        genre: The record's ``genre`` field where the file has one (the
            ud-train sets), else ``""``.
    """

    text: str
    sentences: tuple[str, ...]
    source: str
    genre: str = ""


def load_records(directory: Path, pattern: str = "*.paragraphs.jsonl") -> list[Record]:
    """Read every JSON-lines file of a directory that matches ``pattern``, in name order.

    Args:
        directory: Holds JSON-lines files with ``text`` and ``sentences``
            (and optionally ``genre``).
        pattern: Glob of the files to read: the WMT sets by default,
            ``"*.train.jsonl"`` for the ``ud-train`` folder.

    Returns:
        The records of all files, file after file.
    """
    records = []
    for path in sorted(directory.glob(pattern)):
        stem = path.name.split(".")[0]
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    item = json.loads(line)
                    records.append(
                        Record(
                            item["text"],
                            tuple(item["sentences"]),
                            stem,
                            item.get("genre") or "",
                        )
                    )
    return records


@dataclass(frozen=True)
class BoundaryScore:
    """Micro-averaged boundary precision, recall and F1 over a corpus.

    Attributes:
        true_positives: Predicted boundaries that are also gold boundaries.
        false_positives: Predicted boundaries absent from the gold (over-splits).
        false_negatives: Gold boundaries the prediction missed (under-splits).
    """

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        """Share of predicted boundaries that are right; 1.0 when none are predicted."""
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of gold boundaries found; 1.0 when the gold has none."""
        gold = self.true_positives + self.false_negatives
        return self.true_positives / gold if gold else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def boundary_offsets(sentences: Sequence[str]) -> set[int]:
    """Return the inner boundaries of one paragraph's segmentation.

    Each boundary is the count of non-whitespace characters before the start of
    sentence ``k`` (for ``k >= 1``). Empty or whitespace-only "sentences" add no
    boundary, because they carry no text a reader could see as a sentence.

    Args:
        sentences: The sentences of one paragraph, in order.

    Returns:
        The set of boundary positions.
    """
    boundaries: set[int] = set()
    seen = 0
    for index, sentence in enumerate(sentences):
        visible = sum(1 for char in sentence if not char.isspace())
        if visible == 0:
            continue
        if index and seen:
            boundaries.add(seen)
        seen += visible
    return boundaries


def final_punctuation_boundaries(text: str, boundaries: Iterable[int]) -> set[int]:
    """Keep the boundaries that follow final punctuation in ``text``.

    Args:
        text: The paragraph.
        boundaries: Boundaries of it, as counts of non-whitespace characters.

    Returns:
        Those whose place in ``text`` (the offset of the next non-whitespace
        character) is preceded by ``. ! ? …``, then only whitespace and
        closing quotes or brackets (see the module docstring).
    """
    visible = [index for index, char in enumerate(text) if not char.isspace()]
    return {
        b
        for b in boundaries
        if 0 < b < len(visible) and _FINAL_PUNCTUATION.search(text, 0, visible[b])
    }


def boundary_prf(
    gold: Iterable[Sequence[str]],
    predicted: Iterable[Sequence[str]],
    texts: Iterable[str] | None = None,
) -> BoundaryScore:
    """Score predicted sentence boundaries against gold ones, paragraph by paragraph.

    Args:
        gold: For each paragraph, its gold sentences.
        predicted: For each paragraph, in the same order, the predicted sentences.
        texts: For each paragraph, its text; when given, only the boundaries
            that follow final punctuation are scored, on both sides
            (:func:`final_punctuation_boundaries`).

    Returns:
        Micro-averaged counts over all paragraphs; read ``.precision``,
        ``.recall`` and ``.f1`` from it.

    Raises:
        ValueError: If the two inputs hold different numbers of paragraphs, or a
            paragraph's prediction does not have the same visible characters as
            its gold (the splitter lost or invented text, so offsets would lie).
    """
    tp = fp = fn = 0
    gold_list = list(gold)
    predicted_list = list(predicted)
    text_list = list(texts) if texts is not None else None
    if len(gold_list) != len(predicted_list):
        raise ValueError(
            f"gold has {len(gold_list)} paragraphs but prediction has {len(predicted_list)}"
        )
    for index, (gold_sents, pred_sents) in enumerate(zip(gold_list, predicted_list, strict=True)):
        gold_visible = "".join("".join(s.split()) for s in gold_sents)
        pred_visible = "".join("".join(s.split()) for s in pred_sents)
        if gold_visible != pred_visible:
            raise ValueError(f"paragraph {index}: predicted sentences do not match the gold text")
        gold_b = boundary_offsets(gold_sents)
        pred_b = boundary_offsets(pred_sents)
        if text_list is not None:
            gold_b = final_punctuation_boundaries(text_list[index], gold_b)
            pred_b = final_punctuation_boundaries(text_list[index], pred_b)
        tp += len(gold_b & pred_b)
        fp += len(pred_b - gold_b)
        fn += len(gold_b - pred_b)
    return BoundaryScore(tp, fp, fn)


def paragraph_units(text: str, sentences: Sequence[str]) -> list[str]:
    """Cut a paragraph where its gold has a paragraph-level boundary.

    A gold sentence that does not end with ``.``, ``!``, ``?`` or ``…``
    (possibly followed by closing quotes or brackets) is a headline, a
    sub-heading or a list item that lost its line break; the text is cut
    after it. The units tile ``text``: whitespace goes to the earlier unit.

    Args:
        text: The paragraph.
        sentences: Its gold sentences, each found in ``text`` in order.

    Returns:
        The units, whose concatenation is ``text``.

    Raises:
        ValueError: If a gold sentence is not found in order in ``text``.
    """
    units = []
    unit_start = 0
    position = 0
    for index, sentence in enumerate(sentences):
        found = text.find(sentence, position)
        if found < 0:
            raise ValueError(f"gold sentence not found in its paragraph: {sentence[:60]!r}")
        if index and not _FINAL_PUNCTUATION.search(sentences[index - 1]):
            units.append(text[unit_start:found])
            unit_start = found
        position = found + len(sentence)
    units.append(text[unit_start:])
    return units


def _predict(
    split: Callable[[str], Sequence[str]], records: Iterable[Record], units: bool
) -> Iterator[list[str]]:
    for record in records:
        if units:
            pieces = paragraph_units(record.text, record.sentences)
            yield [s for piece in pieces for s in split(piece)]
        else:
            yield list(split(record.text))


def score_splitter(
    split: Callable[[str], Sequence[str]],
    records: Sequence[Record],
    *,
    paragraph_level: bool = True,
    punctuated: bool = False,
) -> BoundaryScore:
    """Score a splitter on a segmentation set.

    Args:
        split: Text to sentences (the texts may be stripped or not).
        records: The gold paragraphs.
        paragraph_level: Give every splitter the paragraph-level boundaries
            (see the module docstring), as the pipeline's document stage
            does. ``False`` scores the raw records.
        punctuated: Score only the boundaries that follow final punctuation,
            in the gold and the prediction alike (see the module docstring).

    Returns:
        The micro-averaged boundary score.
    """
    predicted = _predict(split, records, paragraph_level)
    texts = [r.text for r in records] if punctuated else None
    return boundary_prf((r.sentences for r in records), predicted, texts)
