"""How to make a translation use a glossary's English: three mechanisms, measured.

Groundwork for issue 16 (terminology), point 4. Over the sentences of
``../shared/data/articles`` (French news, cut by
:func:`translate_cli.segment.split_sentences`) and the glossary
``benchmarks/data/terminology-glossary.tsv`` (60 terms found there), it
compares, on each engine:

    none         the sentence as it is (no glossary: the baseline)
    pre          each term replaced by its English in the model's input
    placeholder  each term replaced by a placeholder (``XT1X``...), the
                 placeholders in the output replaced by the English
    both         ``pre``, then, for a term whose English did not come back
                 (``Glossary.missing``), the output words aligned
                 (``Engine.align_batch`` of model input and output) with the
                 English words of the input replaced by the English

Engines: the committed copy model (``tests/fixtures/copy-marian``, output =
input within its vocabulary) on transformers and on CTranslate2, and the two
fakes (``tests/fakes.py``: uppercase, and an identity subclass of it).
The real opus-mt-fr-en is not on this machine; the copy model copies
anything, so the English of ``pre`` comes back whenever the model can write
it, and what discriminates the mechanisms here is what survives tokenisation
and decoding and what the word alignment (inline markup) makes of it.

Four tables, in markdown:

1. Placeholder forms: for each form, each placeholder occurrence in the
   output exactly once / lost / more than once (sentences with terms,
   batches of 16). The form the main table uses is the best of these on the
   copy model (ties: list order).
2. Mechanisms: share of term occurrences whose required English is in the
   final target (``Glossary.missing``), share of placeholders lost or
   duplicated, sentences copied exactly, and cost per sentence (median ms,
   one sentence per call, mechanisms interleaved sentence by sentence so
   that machine noise falls on all of them), with its difference from
   ``none`` on the same sentences.
3. Inline markup: a span over each term and one over the word after it are
   projected onto the final target with :func:`translate_cli.project.project`,
   the function structured documents use, from two alignments: ``direct``,
   ``align_batch(French sentence, final target)`` (what
   :mod:`translate_cli.align` does today: it aligns the sentence key with the
   hypothesis), and ``mapped``, ``align_batch(model input, model output)``
   with both sides' word indices mapped back through the substitutions.
   A span is right when it lands on exactly the English of the term (for
   ``none``: the French, which the copy model copies) or on the same word.
   Only sentences every mechanism copied exactly count, so that the right
   answer is known.
4. A few aligned word pairs for pre-replaced sentences, to read.

Usage::

    python benchmarks/terminology_mechanisms.py [--sentences 0] [--threads 1]
        [--engines transformers,ctranslate2,fake-identity,fake-upper]

All 500 sentences take about 12 minutes on 2 cores, nearly all of it
transformers translating one sentence per call; ``--engines
ctranslate2,fake-identity,fake-upper`` about 1.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from _terminology import (
    ARTICLES,
    ENGINES,
    GLOSSARY,
    articles_missing,
    load_engines,
    pct,
    private_cache,
)

from translate_cli.glossary import Glossary, TermMatch
from translate_cli.markup import Span
from translate_cli.project import project, strip_protected
from translate_cli.segment import split_sentences

MECHANISMS = ("none", "pre", "placeholder", "both")

# Placeholder forms, k = 1, 2... within a sentence. Each is one whitespace word.
FORMS: dict[str, Callable[[int], str]] = {
    "⟦k⟧": lambda k: f"⟦{k}⟧",
    "<Tk>": lambda k: f"<T{k}>",
    "[[Tk]]": lambda k: f"[[T{k}]]",
    "__Tk__": lambda k: f"__T{k}__",
    "XTkX": lambda k: f"XT{k}X",
    "90kk (digits)": lambda k: f"90{k:02d}",
}

Alignment = tuple[tuple[int, int], ...]


# --- substitution and restoration ---------------------------------------------


@dataclass
class Edit:
    """One replaced range: ``old[a:b]`` became ``new[c:d]``."""

    a: int
    b: int
    c: int
    d: int


@dataclass
class Rewritten:
    """A text after replacements, with what maps it back to the original."""

    old: str
    new: str
    edits: list[Edit] = field(default_factory=list)


def rewrite(text: str, ranges: Sequence[tuple[int, int, str]]) -> Rewritten:
    """``text`` with each ``(start, end, replacement)`` applied (ranges sorted, disjoint)."""
    out: list[str] = []
    edits: list[Edit] = []
    position = length = 0
    for start, end, replacement in ranges:
        out.append(text[position:start])
        length += start - position
        edits.append(Edit(start, end, length, length + len(replacement)))
        out.append(replacement)
        length += len(replacement)
        position = end
    out.append(text[position:])
    return Rewritten(text, "".join(out), edits)


def _word_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\S+", text)]


def word_map(rewritten: Rewritten) -> list[set[int]]:
    """For each word (``str.split``) of the new text, the words of the old text it stands for.

    Characters outside the edits map one to one; a character inside an edit
    stands for the whole replaced range.
    """
    old_words = _word_spans(rewritten.old)

    def old_range(c: int) -> tuple[int, int]:
        shift = 0
        for edit in rewritten.edits:
            if c < edit.c:
                break
            if c < edit.d:
                return edit.a, max(edit.b, edit.a + 1)
            shift = edit.b - edit.d
        return c + shift, c + shift + 1

    result: list[set[int]] = []
    for start, end in _word_spans(rewritten.new):
        words: set[int] = set()
        for c in range(start, end):
            a, b = old_range(c)
            words |= {i for i, (s, e) in enumerate(old_words) if s < b and a < e}
        result.append(words)
    return result


def inverse(mapping: list[set[int]], size: int) -> list[set[int]]:
    """:func:`word_map` read the other way: for each of ``size`` old words, its new words."""
    out: list[set[int]] = [set() for _ in range(size)]
    for new, olds in enumerate(mapping):
        for old in olds:
            out[old].add(new)
    return out


def remap(
    alignment: Alignment, source_map: list[set[int]], target_map: list[set[int]]
) -> Alignment:
    """Pairs between two texts carried to two others, each word through its map.

    Args:
        alignment: Pairs between the model's input and its output.
        source_map: For each input word, the French words it stands for.
        target_map: For each output word, the final target's words it became.
    """
    pairs = {
        (i, j)
        for a, b in alignment
        if a < len(source_map) and b < len(target_map)
        for i in source_map[a]
        for j in target_map[b]
    }
    return tuple(sorted(pairs))


def identity_map(text: str) -> list[set[int]]:
    return [{i} for i in range(len(text.split()))]


def _core(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


@dataclass
class Result:
    """One sentence through one mechanism."""

    source: str
    matches: list[TermMatch]
    model_input: Rewritten
    raw: str
    final: Rewritten  # raw -> final target
    seconds: float
    placeholders: int = 0
    lost: int = 0
    duplicated: int = 0
    restored: int = 0  # ``both``: terms put back from the alignment


def run_one(
    engine: Any, glossary: Glossary, sentence: str, mechanism: str, form: Callable[[int], str]
) -> Result:
    """Translate ``sentence`` with ``mechanism``, timing everything the mechanism adds."""
    started = time.perf_counter()
    matches = [] if mechanism == "none" else glossary.find(sentence)
    if mechanism in ("pre", "both"):
        marks = [m.english for m in matches]
    elif mechanism == "placeholder":
        marks = [form(k) for k in range(1, len(matches) + 1)]
    else:
        marks = []
    model_input = rewrite(
        sentence, [(m.start, m.end, x) for m, x in zip(matches, marks, strict=True)]
    )
    raw = engine.translate_batch([model_input.new])[0].text
    result = Result(sentence, matches, model_input, raw, rewrite(raw, []), 0.0)
    if mechanism == "placeholder":
        result.final = restore_placeholders(raw, matches, marks, result)
    elif mechanism == "both":
        result.final = restore_aligned(engine, glossary, model_input, raw, matches, result)
    result.seconds = time.perf_counter() - started
    return result


def restore_placeholders(
    raw: str, matches: Sequence[TermMatch], marks: Sequence[str], result: Result
) -> Rewritten:
    """Each placeholder found in ``raw`` (exactly, every occurrence) replaced by its English."""
    ranges: list[tuple[int, int, str]] = []
    for match, mark in zip(matches, marks, strict=True):
        found = [m.span() for m in re.finditer(re.escape(mark), raw)]
        result.placeholders += 1
        result.lost += not found
        result.duplicated += len(found) > 1
        ranges += [(a, b, match.english) for a, b in found]
    return rewrite(raw, sorted(ranges))


def restore_aligned(
    engine: Any,
    glossary: Glossary,
    model_input: Rewritten,
    raw: str,
    matches: Sequence[TermMatch],
    result: Result,
) -> Rewritten:
    """``both``: English that did not come back replaced where the alignment puts it.

    An English counts as back as :meth:`Glossary.missing` reads it (whole
    words, case ignored, singular or plural). The output words aligned with
    the input words of a missing English are replaced, from the first to the
    last, by that English (edge punctuation kept); nothing is done when none
    is aligned, or when the engine cannot align (the fakes).
    """
    gone = {(m.start, m.end) for m in glossary.missing(model_input.old, raw)}
    absent = [
        (m, e) for m, e in zip(matches, model_input.edits, strict=True) if (m.start, m.end) in gone
    ]
    aligner = getattr(engine, "align_batch", None)
    if not absent or aligner is None:
        return rewrite(raw, [])
    pairs = aligner([model_input.new], [raw])[0]
    input_words = _word_spans(model_input.new)
    output_words = _word_spans(raw)
    ranges: list[tuple[int, int, str]] = []
    for match, edit in absent:
        mine = {i for i, (s, e) in enumerate(input_words) if s < edit.d and edit.c < e}
        linked = sorted({j for i, j in pairs if i in mine})
        if not linked:
            continue
        start, end = _core(raw, output_words[linked[0]][0], output_words[linked[-1]][1])
        if ranges and start < ranges[-1][1]:
            continue
        ranges.append((start, end, match.english))
        result.restored += 1
    return rewrite(raw, sorted(ranges))


# --- data ---------------------------------------------------------------------


def article_sentences(limit: int) -> list[str]:
    sentences: list[str] = []
    for path in sorted(ARTICLES.glob("*.fr.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                sentences += split_sentences(line)
    return sentences[:limit] if limit else sentences


# --- 1. placeholder forms -----------------------------------------------------


def survey_forms(
    engines: dict[str, Any], glossary: Glossary, sentences: Sequence[str]
) -> dict[str, dict[str, tuple[int, int, int, int]]]:
    """Per form and engine: (placeholders, exactly once, lost, more than once).

    A placeholder string the source already holds (``9001`` in a sentence
    with that number) is counted beyond those occurrences; :func:`collisions`
    says how often that happens.
    """
    found = {s: glossary.find(s) for s in sentences}
    with_terms = [s for s in sentences if found[s]]
    table: dict[str, dict[str, tuple[int, int, int, int]]] = {}
    for label, form in FORMS.items():
        table[label] = {}
        inputs = [
            rewrite(s, [(m.start, m.end, form(k)) for k, m in enumerate(found[s], 1)]).new
            for s in with_terms
        ]
        for name, engine in engines.items():
            outputs: list[str] = []
            for i in range(0, len(inputs), 16):
                outputs += [h.text for h in engine.translate_batch(inputs[i : i + 16])]
            counts = Counter[str]()
            for s, out in zip(with_terms, outputs, strict=True):
                for k in range(1, len(found[s]) + 1):
                    n = out.count(form(k)) - s.count(form(k))
                    counts["total"] += 1
                    counts["once"] += n == 1
                    counts["lost"] += n == 0
                    counts["more"] += n > 1
            table[label][name] = (counts["total"], counts["once"], counts["lost"], counts["more"])
    return table


def collisions(glossary: Glossary, sentences: Sequence[str]) -> dict[str, int]:
    """Per form, the sentences whose text already holds one of their placeholders."""
    found = {s: len(glossary.find(s)) for s in sentences}
    return {
        label: sum(any(form(k) in s for k in range(1, found[s] + 1)) for s in sentences)
        for label, form in FORMS.items()
    }


def best_form(table: dict[str, dict[str, tuple[int, int, int, int]]]) -> str:
    """The form the copy model keeps best (exactly once), else the fakes; ties: list order."""

    def kept(label: str) -> float:
        cells = table[label]
        copy = [c for n, c in cells.items() if not n.startswith("fake")] or list(cells.values())
        return sum(once for _, once, _, _ in copy) / max(sum(t for t, _, _, _ in copy), 1)

    return max(FORMS, key=lambda label: (kept(label), -list(FORMS).index(label)))


# --- 2. mechanisms ------------------------------------------------------------


def run_mechanisms(
    engine: Any, glossary: Glossary, sentences: Sequence[str], form: Callable[[int], str]
) -> dict[str, list[Result]]:
    """Every sentence through every mechanism, interleaved; one warm-up call first."""
    engine.translate_batch(sentences[:2])
    results: dict[str, list[Result]] = {m: [] for m in MECHANISMS}
    for n, sentence in enumerate(sentences):
        order = MECHANISMS[n % 4 :] + MECHANISMS[: n % 4]
        for mechanism in order:
            results[mechanism].append(run_one(engine, glossary, sentence, mechanism, form))
    return results


def mechanism_rows(name: str, glossary: Glossary, results: dict[str, list[Result]]) -> list[str]:
    rows: list[str] = []
    none = results["none"]
    has_terms = [bool(glossary.find(r.source)) for r in none]
    base_terms = (
        statistics.median(r.seconds for r, t in zip(none, has_terms, strict=True) if t) * 1000
    )
    for mechanism in MECHANISMS:
        rs = results[mechanism]
        occurrences = missing = 0
        for r in rs:
            found = glossary.find(r.source)
            occurrences += len(found)
            missing += len(glossary.missing(r.source, r.final.new))
        placeholders = sum(r.placeholders for r in rs)
        lost = sum(r.lost for r in rs)
        dup = sum(r.duplicated for r in rs)
        exact = sum(r.raw == r.model_input.new for r, t in zip(rs, has_terms, strict=True) if t)
        terms_ms = [r.seconds * 1000 for r, t in zip(rs, has_terms, strict=True) if t]
        all_ms = statistics.median(r.seconds for r in rs) * 1000
        med = statistics.median(terms_ms)
        restored = sum(r.restored for r in rs)
        rows.append(
            f"| {name} | {mechanism} | {occurrences} | {pct(occurrences - missing, occurrences)} "
            f"| {pct(lost, placeholders) if placeholders else '–'} "
            f"| {pct(dup, placeholders) if placeholders else '–'} "
            f"| {restored if mechanism == 'both' else '–'} "
            f"| {pct(exact, sum(has_terms))} "
            f"| {all_ms:.2f} | {med:.2f} | {med - base_terms:+.2f} |"
        )
    return rows


# --- 3. inline markup ---------------------------------------------------------


def markup_scores(engine: Any, glossary: Glossary, results: dict[str, list[Result]]) -> list[str]:
    """Projection of a span over each term and one over its next word, per alignment."""
    n = len(results["none"])
    usable = [
        i
        for i in range(n)
        if results["none"][i].matches == []
        and glossary.find(results["none"][i].source)
        and all(results[m][i].raw == results[m][i].model_input.new for m in MECHANISMS)
    ]
    rows: list[str] = []
    for mechanism in MECHANISMS:
        for strategy in ("direct", "mapped"):
            if mechanism == "none" and strategy == "mapped":
                continue
            term_ok = term_total = next_ok = next_total = 0
            chunk = [results[mechanism][i] for i in usable]
            if strategy == "direct":
                aligned = engine.align_batch(
                    [r.source for r in chunk], [r.final.new for r in chunk]
                )
            else:
                raw_pairs = engine.align_batch(
                    [r.model_input.new for r in chunk], [r.raw for r in chunk]
                )
                aligned = [
                    remap(p, word_map(r.model_input), final_map(r))
                    for p, r in zip(raw_pairs, chunk, strict=True)
                ]
            for r, pairs in zip(chunk, aligned, strict=True):
                for k, m in enumerate(glossary.find(r.source)):
                    spans = [Span(m.start, m.end, 2 * k)]
                    neighbour = _next_word(r.source, m.end, glossary)
                    if neighbour is not None:
                        spans.append(Span(neighbour[0], neighbour[1], 2 * k + 1))
                    spans.sort(key=lambda s: (s.start, -s.end))
                    stripped = strip_protected(r.source, spans)
                    projection = project(r.source, spans, stripped, r.final.new, pairs)
                    placed = {s.tag: projection.target[s.start : s.end] for s in projection.spans}
                    want_term = r.source[m.start : m.end] if mechanism == "none" else m.english
                    term_total += 1
                    term_ok += _same(placed.get(2 * k, ""), want_term)
                    if neighbour is not None:
                        next_total += 1
                        next_ok += _same(
                            placed.get(2 * k + 1, ""), r.source[neighbour[0] : neighbour[1]]
                        )
            rows.append(
                f"| {engine.name} | {mechanism} | {strategy} | {len(usable)} "
                f"| {pct(term_ok, term_total)} ({term_total}) "
                f"| {pct(next_ok, next_total)} ({next_total}) |"
            )
    return rows


def final_map(r: Result) -> list[set[int]]:
    """For each word of the model's output, the words of the final target it became."""
    return inverse(word_map(r.final), len(r.raw.split()))


def _same(placed: str, wanted: str) -> bool:
    """Whether a projected span's text is the wanted text, edge punctuation and case aside."""
    a, b = _core(placed, 0, len(placed)), _core(wanted, 0, len(wanted))
    return placed[a[0] : a[1]].casefold() == wanted[b[0] : b[1]].casefold()


def _next_word(text: str, after: int, glossary: Glossary) -> tuple[int, int] | None:
    """The next whitespace word after ``after`` with a letter and no term in it, its core."""
    terms = glossary.find(text)
    for start, end in _word_spans(text):
        if start < after:
            continue
        start, end = _core(text, start, end)
        if not any(c.isalpha() for c in text[start:end]):
            continue
        if any(t.start < end and start < t.end for t in terms):
            return None
        return start, end
    return None


def examples(engine: Any, results: dict[str, list[Result]], count: int) -> list[str]:
    """Aligned word pairs of the term words for a few pre-replaced sentences."""
    lines: list[str] = []
    chosen = [r for r in results["pre"] if r.matches and r.raw == r.model_input.new][:count]
    for r in chosen:
        direct = engine.align_batch([r.source], [r.final.new])[0]
        mapped = remap(
            engine.align_batch([r.model_input.new], [r.raw])[0],
            word_map(r.model_input),
            final_map(r),
        )
        src, tgt = r.source.split(), r.final.new.split()
        lines.append(f"- FR: {r.source}")
        lines.append(f"  EN (pre, copied): {r.final.new}")
        for m in r.matches:
            edit = next(e for e in r.model_input.edits if e.a == m.start)
            mine = [
                j for j, (s, e) in enumerate(_word_spans(r.final.new)) if s < edit.d and edit.c < e
            ]
            for label, pairs in (("direct", direct), ("mapped", mapped)):
                links = [f"{tgt[j]}←{src[i]}" for i, j in pairs if j in mine]
                lines.append(f"  {m.english!r} {label}: {', '.join(links) or '(none)'}")
    return lines


# --- main ---------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=0, help="first N sentences, 0 = all")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for the engines")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated")
    parser.add_argument("--examples", type=int, default=3, help="alignment examples to print")
    args = parser.parse_args(argv)
    if (why := articles_missing()) is not None:
        print(why)
        return 0
    private_cache()
    glossary = Glossary.load([GLOSSARY])
    sentences = article_sentences(args.sentences)
    with_terms = [s for s in sentences if glossary.find(s)]
    occurrences = sum(len(glossary.find(s)) for s in sentences)
    engines = load_engines([e for e in args.engines.split(",") if e], args.threads)
    print(
        f"{len(sentences)} sentences, {len(with_terms)} with terms, {occurrences} term "
        f"occurrences, {len(glossary.terms)} glossary terms; threads {args.threads}"
    )

    print("\n## Placeholder forms (sentences with terms, batches of 16)\n")
    forms = survey_forms(engines, glossary, sentences)
    print("| form | engine | placeholders | exactly once | lost | more than once |")
    print("|---|---|---:|---:|---:|---:|")
    for label, cells in forms.items():
        for name, (total, once, lost, more) in cells.items():
            print(
                f"| `{label}` | {name} | {total} | {pct(once, total)} | {pct(lost, total)} "
                f"| {pct(more, total)} |"
            )
    clashes = collisions(glossary, sentences)
    print(
        "\nSentences already holding one of their placeholders: "
        + ", ".join(f"`{label}` {n}" for label, n in clashes.items())
    )
    chosen = best_form(forms)
    print(f"\nPlaceholder used below: `{chosen}` (kept best by the copy model).")

    print("\n## Mechanisms (one sentence per call)\n")
    print(
        "| engine | mechanism | term occurrences | English in target | placeholders lost "
        "| placeholders duplicated | restored by alignment | copied exactly (sent. with terms) "
        "| median ms/sent. (all) | median ms/sent. (with terms) | vs none (with terms) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    all_results: dict[str, dict[str, list[Result]]] = {}
    for name, engine in engines.items():
        results = run_mechanisms(engine, glossary, sentences, FORMS[chosen])
        all_results[name] = results
        for row in mechanism_rows(name, glossary, results):
            print(row, flush=True)
    finals = {
        m: [tuple(r.final.new for r in all_results[n][m]) for n in ("transformers", "ctranslate2")]
        for m in MECHANISMS
        if "transformers" in all_results and "ctranslate2" in all_results
    }
    if finals:
        print()
    for mechanism, (a, b) in finals.items():
        same = sum(x == y for x, y in zip(a, b, strict=True))
        print(f"{mechanism}: transformers and ctranslate2 final targets identical {same}/{len(a)}")

    aligners = {n: e for n, e in engines.items() if hasattr(e, "align_batch")}
    if aligners:
        print("\n## Inline markup: spans projected with project.project\n")
        print(
            "| engine | mechanism | alignment | sentences | term span exact "
            "| next-word span exact |"
        )
        print("|---|---|---|---:|---:|---:|")
        for name, engine in aligners.items():
            for row in markup_scores(engine, glossary, all_results[name]):
                print(row, flush=True)
        name, engine = next(iter(aligners.items()))
        print(f"\n## Aligned pairs of the English term words ({name}, pre)\n")
        print("\n".join(examples(engine, all_results[name], args.examples)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
