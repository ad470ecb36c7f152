"""Glossary terms through the library's own path: how many come out as required, at what cost.

Issue 16 (terminology), point 7. Each article of ``../shared/data/articles``
(French news, ``*.fr.txt``) is read as a document (:func:`translate_cli.readers.read_input`,
as the runner reads a text file), split (:func:`translate_cli.align.sentences_of`)
and translated and aligned by :func:`translate_cli.align.align` with a fresh
``Translator(engine, batch_tokens, glossary=...)`` (no translation memory), the
way the CLI does it, once with the glossary (default
``benchmarks/data/terminology-glossary.tsv``, 60 terms found in the articles)
and once without. Engines: the copy model on transformers and on CTranslate2,
and the two fakes (see ``benchmarks/_terminology.py``).

It prints, in markdown:

1. Terms, per engine: sentences, sentences with terms, term occurrences, the
   share rendered as required without the glossary (the English already in
   the target by chance or by copy: :func:`translate_cli.glossary.absent` on
   the targets of the run without it), and with it: the share rendered as
   required (``TermUse`` status ``present`` or ``restored``), the occurrences
   restored (put back by alignment), missing, and the pairs flagged ``term``.
2. Cost, per engine: milliseconds per sentence of ``align()`` (translation,
   term handling, checks), median over documents and repeats and in total,
   with and without the glossary. The two runs of a document follow each
   other, in alternating order (``--repeats`` times), so machine noise falls
   on both; the difference is also taken pair by pair. Sentence splitting is
   done once beforehand, as the runner does at read time. The last column
   says how much longer the model's input is with the terms' English in (the
   engine's token count): the model's own share of the difference.
3. The glossary's own work, timed alone on the documents' sentences: finding
   the terms with an empty lemma cache and with a warm one, writing their
   English into the model's input, and checking a target that has them. On the
   fakes, the with/without difference of table 2 is this work plus the
   bookkeeping around it.
4. Misses per term: the terms an engine left missing, how often on each
   engine, and why the first miss happened as far as the copy model tells:
   a character of the English the engine cannot write (it comes out as
   something else, so neither the model nor the put-back can write the
   term), or where the copy of the model's input broke down (the copy model
   drifts on long inputs), before the term or after it.

Usage::

    python benchmarks/terminology.py [--glossary PATH] [--repeats 3] [--threads 0]
        [--engines transformers,ctranslate2,fake-identity,fake-upper]
        [--batch-tokens 1024]

Without ``../shared/data/articles`` it says so and exits 0. All four engines
with 3 repeats take about 12 minutes on a 2-core EPYC, nearly all of it
transformers; the fakes alone a few seconds. The first repeat meets each word
form for the first time (lemmas are cached per process, as in a run), later
ones do not; table 3 gives both costs. CTranslate2 and torch use every core by
default, so another busy process on the machine slows them by far more than
its share: read the paired difference, and rerun on an idle machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _terminology import (
    ARTICLES,
    ENGINES,
    GLOSSARY,
    articles_missing,
    load_engines,
    machine_lines,
    pct,
    private_cache,
)

from translate_cli.align import align, sentences_of, translation_key
from translate_cli.config import Settings
from translate_cli.document import Document, Result, Sentence
from translate_cli.glossary import Glossary, TermMatch, _lemma, absent
from translate_cli.provenance import engine_meta
from translate_cli.readers import read_input
from translate_cli.terms import substitute
from translate_cli.translator import Translator
from translate_cli.vocabulary import Flag, TermStatus

WITH, WITHOUT = True, False


@dataclass(frozen=True)
class Article:
    """One article as the runner holds it: the document, its sentences and their keys."""

    name: str
    document: Document
    sentences: tuple[Sentence, ...]
    keys: tuple[str, ...]


@dataclass
class Timing:
    """One document through ``align()``: seconds and sentences."""

    article: int
    repeat: int
    seconds: float
    sentences: int

    @property
    def ms_per_sentence(self) -> float:
        return 1000 * self.seconds / self.sentences


@dataclass
class Measured:
    """One engine's runs: the results of the first repeat and every timing, by mode."""

    results: dict[bool, list[Result]] = field(default_factory=lambda: {WITH: [], WITHOUT: []})
    timings: dict[bool, list[Timing]] = field(default_factory=lambda: {WITH: [], WITHOUT: []})


def read_articles() -> list[Article]:
    """The French articles, in name order, read and split as the runner does."""
    articles = []
    for path in sorted(ARTICLES.glob("*.fr.txt")):
        document = read_input(path, path.name)
        sentences = tuple(sentences_of(document))
        keys = tuple(translation_key(s) for s in sentences)
        articles.append(Article(path.name, document, sentences, keys))
    return articles


def measure(
    engine: Any,
    glossary: Glossary,
    articles: Sequence[Article],
    repeats: int,
    batch_tokens: int,
) -> Measured:
    """Every article through ``align()`` with and without the glossary, interleaved.

    A warm-up pass of the first article in both modes comes first (first-call
    allocations, lazy imports). Each run has a fresh :class:`Translator`, so
    nothing is remembered from one run to the next.
    """
    meta = engine_meta(engine)

    def run(article: Article, mode: bool) -> tuple[float, Result]:
        translator = Translator(engine, batch_tokens, glossary=glossary if mode else None)
        started = time.perf_counter()
        result = align(article.document, translator, meta, article.sentences)
        return time.perf_counter() - started, result

    for mode in (WITH, WITHOUT):
        run(articles[0], mode)
    measured = Measured()
    for repeat in range(repeats):
        for n, article in enumerate(articles):
            order = (WITH, WITHOUT) if (repeat + n) % 2 == 0 else (WITHOUT, WITH)
            for mode in order:
                seconds, result = run(article, mode)
                measured.timings[mode].append(Timing(n, repeat, seconds, len(article.sentences)))
                if repeat == 0:
                    measured.results[mode].append(result)
    return measured


# --- 1. terms -----------------------------------------------------------------


def term_row(name: str, glossary: Glossary, articles: Sequence[Article], measured: Measured) -> str:
    sentences = with_terms = occurrences = baseline = 0
    statuses = Counter[str]()
    flagged = 0
    for article, plain, held in zip(
        articles, measured.results[WITHOUT], measured.results[WITH], strict=True
    ):
        for key, bare, pair in zip(article.keys, plain.pairs, held.pairs, strict=True):
            matches = glossary.find(key)
            sentences += 1
            with_terms += bool(matches)
            occurrences += len(matches)
            baseline += len(matches) - len(absent(matches, bare.target))
            statuses.update(use.status for use in pair.terms)
            flagged += Flag.TERM in pair.flags
    required = statuses[TermStatus.PRESENT] + statuses[TermStatus.RESTORED]
    return (
        f"| {name} | {sentences} | {with_terms} | {occurrences} | {pct(baseline, occurrences)} "
        f"| {pct(required, occurrences)} | {statuses[TermStatus.RESTORED]} "
        f"| {statuses[TermStatus.MISSING]} | {flagged} |"
    )


# --- 2. cost ------------------------------------------------------------------


def token_change(engine: Any, glossary: Glossary, articles: Sequence[Article]) -> str:
    """How many more model-input tokens the glossary's English makes, in percent.

    The model's work follows its input length; the engine's own count
    (``Engine.count_tokens``) of every sentence key and of the same with its
    terms' English written in (:func:`~translate_cli.terms.substitute`).
    """
    keys = [k for a in articles for k in a.keys]
    inputs = [substitute(k, m).text if (m := glossary.find(k)) else k for k in keys]
    plain, held = sum(engine.count_tokens(keys)), sum(engine.count_tokens(inputs))
    return f"{100 * (held / plain - 1):+.1f} %"


def cost_row(name: str, measured: Measured, tokens: str) -> str:
    plain, held = measured.timings[WITHOUT], measured.timings[WITH]
    by_run = {(t.article, t.repeat): t for t in plain}
    paired = [t.ms_per_sentence - by_run[t.article, t.repeat].ms_per_sentence for t in held]

    def median(ts: list[Timing]) -> float:
        return statistics.median(t.ms_per_sentence for t in ts)

    def total(ts: list[Timing]) -> float:
        return 1000 * sum(t.seconds for t in ts) / sum(t.sentences for t in ts)

    change = total(held) / total(plain) - 1
    return (
        f"| {name} | {len(held)} | {median(plain):.3f} | {median(held):.3f} "
        f"| {statistics.median(paired):+.3f} | {total(plain):.3f} | {total(held):.3f} "
        f"| {100 * change:+.1f} % | {tokens} |"
    )


# --- 3. the glossary's own work -------------------------------------------------


def glossary_work(glossary: Glossary, articles: Sequence[Article], repeats: int) -> list[str]:
    """Microseconds per sentence of each step of the glossary's work, timed alone."""
    keys = [k for a in articles for k in a.keys]
    found = {k: glossary.find(k) for k in keys}
    held = [k for k in keys if found[k]]
    subs = {k: substitute(k, found[k]) for k in held}

    def find_cold() -> None:
        _lemma.cache_clear()
        for key in keys:
            glossary.find(key)

    def find_warm() -> None:
        for key in keys:
            glossary.find(key)

    def write_in() -> None:
        for key in held:
            substitute(key, found[key])

    def check() -> None:
        for key in held:
            absent(found[key], subs[key].text)

    steps = (
        ("find terms, empty lemma cache (first sight of each word form)", find_cold),
        ("find terms, warm lemma cache", find_warm),
        ("write their English into the model input (`terms.substitute`)", write_in),
        ("check a target that has them (`glossary.absent`)", check),
    )
    rows = []
    for label, step in steps:
        times = []
        for _ in range(max(repeats, 3)):
            started = time.perf_counter()
            step()
            times.append(time.perf_counter() - started)
        seconds = statistics.median(times)
        rows.append(
            f"| {label} | {1e6 * seconds / len(keys):.1f} | {1e6 * seconds / len(held):.1f} |"
        )
    find_warm()  # leave the cache warm, as a run's steady state has it
    return rows


# --- 4. misses per term -----------------------------------------------------------


@dataclass
class Miss:
    """A missing occurrence: the model's input, the final target and where the term stood."""

    model_input: str
    target: str
    word: int  # the index of the English's first word in the model input (str.split)


def term_tallies(
    glossary: Glossary, articles: Sequence[Article], results: Sequence[Result]
) -> tuple[Counter[str], Counter[str], dict[str, TermMatch], dict[str, Miss]]:
    """Per glossary French term, with the glossary: occurrences, missing ones, a match, a miss."""
    seen, missing = Counter[str](), Counter[str]()
    example: dict[str, TermMatch] = {}
    first: dict[str, Miss] = {}
    for article, result in zip(articles, results, strict=True):
        for key, pair in zip(article.keys, result.pairs, strict=True):
            matches = glossary.find(key)
            for n, (match, use) in enumerate(zip(matches, pair.terms, strict=True)):
                french = match.term.french
                seen[french] += 1
                example.setdefault(french, match)
                if use.status == TermStatus.MISSING:
                    missing[french] += 1
                    if french not in first:
                        sub = substitute(key, matches)
                        word = len(sub.text[: sub.places[n][0]].split())
                        first[french] = Miss(sub.text, pair.target, word)
    return seen, missing, example, first


def why(engine: Any, english: str, miss: Miss) -> str:
    """Why the first missing occurrence is missing, as far as the copy model tells.

    A character of the English the engine says it cannot write comes out as
    something else; otherwise, the copy model should have copied its input,
    so the first word where the target leaves the input says where the copy
    broke down, before the term or not.
    """
    chars = sorted({c for c in english if not c.isspace() and not engine.can_write(c)})
    if chars:
        return "cannot write " + " ".join(f"`{c}`" for c in chars)
    given, got = miss.model_input.split(), miss.target.split()
    diverge = next(
        (i for i, (a, b) in enumerate(zip(given, got, strict=False)) if a != b),
        min(len(given), len(got)),
    )
    where = "before" if diverge < miss.word else "at" if diverge == miss.word else "after"
    return (
        f"copy broke down at word {diverge + 1} of {len(given)}, {where} the term "
        f"(word {miss.word + 1}); output {len(got)} words"
    )


def miss_rows(
    glossary: Glossary,
    articles: Sequence[Article],
    engines: dict[str, Any],
    measured: dict[str, Measured],
) -> list[str]:
    tallies = {
        name: term_tallies(glossary, articles, m.results[WITH]) for name, m in measured.items()
    }
    seen, _, example, _ = next(iter(tallies.values()))
    rows = []
    for french in sorted(seen, key=lambda f: (-max(t[1][f] for t in tallies.values()), f)):
        if not any(t[1][french] for t in tallies.values()):
            continue
        english = example[french].english
        cells = " | ".join(str(t[1][french]) for t in tallies.values())
        name = next(n for n, t in tallies.items() if t[1][french])
        reason = why(engines[name], english, tallies[name][3][french])
        rows.append(f"| {french} | {english} | {seen[french]} | {cells} | {name}: {reason} |")
    return rows


# --- main -------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--glossary", type=Path, default=GLOSSARY, help="TSV, CSV or TBX")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated")
    parser.add_argument(
        "--model",
        default="",
        help="Marian model for the transformers and ctranslate2 rows (hub id or folder, e.g. "
        "Helsinki-NLP/opus-mt-fr-en where it can be downloaded); default: the copy model",
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per document and mode")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads, 0 = engine default")
    parser.add_argument(
        "--batch-tokens", type=int, default=Settings().batch_tokens, help="as --batch-tokens"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if (why := articles_missing()) is not None:
        print(why)
        return 0
    private_cache()
    started = time.perf_counter()
    loading = time.perf_counter()
    glossary = Glossary.load([args.glossary])
    load_ms = 1000 * (time.perf_counter() - loading)
    articles = read_articles()
    engines = load_engines([e for e in args.engines.split(",") if e], args.threads, args.model)

    print("\n".join(machine_lines(args.threads)))
    keys = [k for a in articles for k in a.keys]
    print(
        f"Data: {len(articles)} articles of {ARTICLES.name}/, {len(keys)} sentences; "
        f"glossary {args.glossary.name}: {len(glossary.terms)} terms, loaded in "
        f"{load_ms:.0f} ms (simplemma's French dictionary included); "
        f"batch tokens {args.batch_tokens}; {args.repeats} timed runs per document and mode."
    )

    measured: dict[str, Measured] = {}
    for name, engine in engines.items():
        print(f"measuring {name}...", file=sys.stderr, flush=True)
        measured[name] = measure(engine, glossary, articles, args.repeats, args.batch_tokens)

    print("\n## Terms rendered as required\n")
    print(
        "| engine | sentences | with terms | term occurrences | as required, no glossary "
        "| as required, glossary | restored | missing | pairs flagged `term` |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, m in measured.items():
        print(term_row(name, glossary, articles, m))
    if "transformers" in measured and "ctranslate2" in measured:
        for mode, label in ((WITHOUT, "no glossary"), (WITH, "glossary")):
            a, b = (
                [p.target for r in measured[n].results[mode] for p in r.pairs]
                for n in ("transformers", "ctranslate2")
            )
            same = sum(x == y for x, y in zip(a, b, strict=True))
            print(
                f"\nCopy model, {label}: transformers and ctranslate2 targets identical "
                f"{same}/{len(a)}.",
                end="",
            )
        print()

    print(f"\n## Cost of `align()`, ms per sentence ({args.repeats} runs per document and mode)\n")
    print(
        "| engine | runs per mode | median, no glossary | median, glossary | median paired Δ "
        "| total, no glossary | total, glossary | Δ total | model input tokens Δ |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, m in measured.items():
        print(cost_row(name, m, token_change(engines[name], glossary, articles)))

    held = sum(bool(glossary.find(k)) for k in keys)
    print(
        f"\n## The glossary's own work, timed alone (µs per sentence; {len(keys)} sentences, "
        f"{held} with terms)\n"
    )
    print("| step | per sentence | per sentence with terms |")
    print("|---|---:|---:|")
    print("\n".join(glossary_work(glossary, articles, args.repeats)))

    rows = miss_rows(glossary, articles, engines, measured)
    print("\n## Missing terms, per term (runs with the glossary)\n")
    if rows:
        print(
            "| term | English | occurrences | "
            + " | ".join(f"missing, {n}" for n in measured)
            + " | why (first miss) |"
        )
        print("|---|---|---:|" + "---:|" * len(measured) + "---|")
        print("\n".join(rows))
    else:
        print("No term missing on any engine.")
    print(f"\nRuntime: {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
