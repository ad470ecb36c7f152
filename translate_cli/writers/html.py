"""A self-contained HTML page for reviewing a translation side by side.

The page loads nothing: CSS and JavaScript are inline, fonts are the system's,
and a Content-Security-Policy ``<meta>`` forbids every fetch and every script
but the page's own (pinned by hash), so a sentence that slipped past escaping
still could not run or call out. The file can be mailed, archived and opened
offline years later and look the same.

The CSS and JavaScript are kept as package data, ``assets/review.css`` and
``assets/review.js``, so they can be read, linted and diffed as what they are;
:func:`page_assets` reads them once per process and copies them into each page.

Rows are written while the documents are read, one at a time; only one
document's pairs (already in memory as a :class:`Result`) are looked at twice,
to count its flags for the summary above its table. Filtering, sorting and
keyboard navigation are class toggles over rows in plain JavaScript, so a
document of thousands of rows stays responsive; without JavaScript the page
is a complete, printable table and the controls stay hidden.

The page is also an editor. A reviewer edits targets in place and marks rows
reviewed; the browser keeps that work in ``localStorage`` (one entry per
document, keyed by the input's SHA-256, each row's work keyed by its
``check``, see :func:`~translate_cli.writers.base.row_check`, so work never
lands on another sentence or on a new machine translation), and **Export
corrections** downloads ``NAME.corrections.json``, which
``translate --import-reviewed`` reads (:mod:`translate_cli.review`)::

    {"format": "translate-cli review corrections", "version": 1,
     "rows": [{"doc": "article.fr.txt", "paragraph": 1, "sentence": 2,
               "source": "...", "target": "...", "check": "16 hex digits",
               "reviewed": true}, ...]}

Only rows the reviewer edited or marked reviewed are exported; ``reviewed``
is the mark, so a row approved as it stands imports as reviewed, as an XLIFF
``state="reviewed"`` does. The check is the TSV's, so an edited source or a
row moved to another sentence is rejected the same way. JSON rather than the
TSV: the page needs no port of the TSV's spreadsheet escaping, and the mark
has a field of its own.

Each row carries what the export needs: ``data-check``, and the exact source
and target as JSON (``data-src-json``, ``data-tgt-json``) only where HTML
cannot hold the text as it is (a carriage return, a control character), so
the exported source still matches its check. A pair with a word alignment
has its words wrapped in ``<span class="w">`` (words as ``str.split`` counts
them, as the alignment does) and the Pharaoh pairs in ``data-align``;
hovering or focusing a word highlights its aligned words.

A pair whose source holds glossary terms (:attr:`AlignedPair.terms`) lists
them under its source, in a ``<ul class="terms">`` after the words: each
French occurrence, the English the glossary requires, what became of it in
words (``present``, ``restored``, ``missing``; colour is a second cue, never
the only one) and the glossary's note. The script reads a row's source
without that list (see ``source`` in ``review.js``), so exported sources
still match their checks. A pair without terms is written as before.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from typing import NamedTuple, TextIO

from ..document import AlignedPair, Result, RunMeta, TermUse
from ..vocabulary import Flag, TermStatus
from .base import Writer, register, row_check, xml_safe
from .text import pharaoh

# One-line flag descriptions, used only while ``translate_cli.qa`` (which owns
# them) cannot be imported. See :func:`flag_descriptions`.
# Badge colours per flag: (background, text). Hues differ so flags are told
# apart at a glance, the label is always written out (colour is never the only
# cue), and every pair has a contrast ratio of at least 7:1 (WCAG AAA), which
# tests/test_html_xliff.py checks.
PALETTE: dict[str, tuple[str, str]] = {
    "numbers": ("#fde4c8", "#6b2d00"),
    "untranslated": ("#fbd5d5", "#7f1010"),
    "length": ("#dde5ff", "#1c337a"),
    "repetition": ("#f1dcf7", "#5e1870"),
    "empty": ("#ffd9ea", "#7a0a3f"),
    "split": ("#e6e6e6", "#2b2b2b"),
    "reviewed": ("#d5f2dc", "#114425"),
    "low-confidence": ("#fff0a8", "#4d3b00"),
    "truncated": ("#ffd8c4", "#5c1a00"),
    "symbols": ("#d4f1f1", "#0b3f3f"),
    "markup": ("#e8e0ff", "#2e1a66"),
    "term": ("#e3f1c4", "#2c4200"),
}
OTHER_COLOURS = ("#f4f4f4", "#1f1f1f")
# Colours of a glossary term's status label: (background, text), 7:1 or more
# like the badges. A missing term takes the ``term`` flag's colours (the flag
# it causes) and bold type; the label's word says the status in every case.
TERM_STATUS_COLOURS: dict[TermStatus, tuple[str, str]] = {
    TermStatus.PRESENT: ("#f4f4f4", "#1f1f1f"),
    TermStatus.RESTORED: ("#dde5ff", "#1c337a"),
    TermStatus.MISSING: PALETTE["term"],
}
# What each status means, for the label's tooltip and the legend.
TERM_STATUS_HELP: dict[TermStatus, str] = {
    TermStatus.PRESENT: "the translation has the glossary's English",
    TermStatus.RESTORED: "the tool put the glossary's English in place of the model's words",
    TermStatus.MISSING: (
        "the glossary's English is not in the translation, and the pair is flagged term"
    ),
}

# Run metadata shown in the header and as <meta name="translate-cli:...">.
_META_FIELDS = (
    ("model", "Model"),
    ("revision", "Revision"),
    ("engine", "Engine"),
    ("beams", "Beams"),
    ("tool_version", "translate-cli"),
    ("date", "Date"),
    ("source_lang", "Source language"),
    ("target_lang", "Target language"),
)
# C1 controls and DEL are legal in XML but parse errors in HTML text.
_HTML_ILLEGAL = re.compile("[\x7f-\x9f]")

CORRECTIONS_FORMAT = "translate-cli review corrections"
"""The ``format`` of the file the page's **Export corrections** button writes.

The page's script reads it from the button's ``data-format``, so it is written
once, here; :mod:`translate_cli.review` checks it.
"""
CORRECTIONS_VERSION = 1
"""The ``version`` of that file; the script writes it from ``data-version``."""


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def flag_descriptions() -> dict[str, str]:
    """One-line description of each review flag, from :mod:`translate_cli.qa`."""
    from ..qa import DESCRIPTIONS

    return dict(DESCRIPTIONS)


def _text(text: object) -> str:
    """Escape for HTML text and attribute values; illegal characters become U+FFFD."""
    return html.escape(_HTML_ILLEGAL.sub("\ufffd", xml_safe(str(text))), quote=True)


def _shown(text: str) -> str:
    """What a browser reads back from ``_text(text)``: carriage returns become line feeds."""
    shown = _HTML_ILLEGAL.sub("\ufffd", xml_safe(text))
    return shown.replace("\r\n", "\n").replace("\r", "\n")


def _exact(name: str, text: str) -> str:
    """`` data-NAME-json="..."`` holding ``text`` exactly, or "" when HTML text holds it as is.

    JSON with ASCII escapes keeps what HTML cannot (a NUL, a lone surrogate,
    a carriage return), so the page can export the very source its check was
    made from.
    """
    if _shown(text) == text:
        return ""
    return f' data-{name}-json="{html.escape(json.dumps(text), quote=True)}"'


def _words(text: str, wrap: bool) -> str:
    """The escaped text; with ``wrap``, each word in ``<span class="w">``.

    Words are runs of non-space characters, as ``str.split`` (which word
    alignments count by) finds them; spaces stay as they were between spans.
    """
    if not wrap:
        return _text(text)
    return "".join(
        _text(run) if space else f'<span class="w">{_text(run)}</span>'
        for space, chars in itertools.groupby(text, str.isspace)
        for run in ["".join(chars)]
    )


def flag_class(flag: str) -> str:
    """The CSS class giving a flag its colours; unknown flags share a neutral one."""
    return f"f-{flag}" if flag in PALETTE else "f-other"


def _flag_css() -> str:
    rules = [f".{flag_class(f)}{{background:{bg};color:{fg}}}" for f, (bg, fg) in PALETTE.items()]
    bg, fg = OTHER_COLOURS
    rules.append(f".f-other{{background:{bg};color:{fg};border-style:dashed}}")
    rules += [
        f".ts-{status}{{background:{bg};color:{fg}}}"
        for status, (bg, fg) in TERM_STATUS_COLOURS.items()
    ]
    return "\n".join(rules)


class PageAssets(NamedTuple):
    """What every review page embeds: its style, its script and the policy pinning both."""

    style: str
    """The ``<style>`` element's content: ``review.css`` and the flag colours."""
    script: str
    """The ``<script>`` element's content: ``review.js``."""
    csp: str
    """The Content-Security-Policy, with the SHA-256 of ``style`` and ``script``."""


def _asset(name: str) -> str:
    """The text of ``assets/NAME``; a checkout with CRLF line ends still reads LF."""
    return (files(__package__) / "assets" / name).read_text(encoding="utf-8")


@cache
def page_assets() -> PageAssets:
    """The style, script and CSP of the review page, read from the package once per process."""
    # Each starts on the line after its opening tag, as the page has always had them.
    style = "\n" + _asset("review.css") + _flag_css()
    script = "\n" + _asset("review.js")
    # Nothing may be fetched; only this module's own style and script may apply.
    csp = (
        f"default-src 'none'; style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    return PageAssets(style, script, csp)


def _token(flag: str) -> str:
    """A flag as one word of the space-separated ``data-flags`` list."""
    return "_".join(flag.split())


def _badge(flag: str, descriptions: Mapping[str, str]) -> str:
    title = descriptions.get(flag, "No description for this flag.")
    return (
        f'<span class="badge {flag_class(flag)}" data-flag="{_text(_token(flag))}" '
        f'title="{_text(title)}">{_text(flag)}</span>'
    )


def _meta_values(meta: RunMeta) -> list[tuple[str, str, str]]:
    """(key, label, value) for the header, extras last."""
    values = [(key, label, str(getattr(meta, key))) for key, label in _META_FIELDS]
    values += [(f"extra-{k}", k, str(v)) for k, v in sorted(meta.extra.items())]
    return values


def _meta_list(meta: RunMeta) -> str:
    items = "".join(
        f"<div><dt>{_text(label)}</dt><dd>{_text(value)}</dd></div>"
        for _, label, value in _meta_values(meta)
    )
    return f'<dl class="meta">{items}</dl>'


_SCORE_HELP = (
    "The model's score for its translation: the mean log-probability per token "
    "(0 at best; nearer 0 is surer). It is not the chance that the translation is "
    "right, and it is not calibrated. The rank is the pair's place among the "
    "document's scored pairs, 1 being the lowest score."
)

_TERMS_HELP = (
    "with a glossary, the terms found in a source are listed under it (French \u2192 the "
    "English the glossary requires, then the glossary's note, if any, in small type), each "
    "after a label saying what became of it. "
    + " ".join(f"{status.capitalize()}: {text}." for status, text in TERM_STATUS_HELP.items())
)


def _head(first: Result, combined: bool, descriptions: Mapping[str, str]) -> str:
    meta = first.meta
    assets = page_assets()
    tags = "\n".join(
        f'<meta name="translate-cli:{key.replace("_", "-")}" content="{_text(value)}">'
        for key, _, value in _meta_values(meta)
    )
    name = "several documents" if combined else first.document.name
    legend = "".join(
        f"<dt>{_badge(flag, descriptions)}</dt><dd>{_text(text)}</dd>"
        for flag, text in descriptions.items()
    )
    across = "" if combined else " hidden"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{assets.csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="translate-cli {_text(meta.tool_version)}">
{tags}
<title>Translation review: {_text(name)}</title>
<link rel="icon" href="data:,">
<style>{assets.style}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the sentence pairs</a>
<header class="top">
<h1>Translation review: {_text(name)}</h1>
{_meta_list(meta)}
</header>
<div class="toolbar" id="toolbar" role="group" aria-label="Filter, sort and export" hidden>
<label><input type="checkbox" id="only-flagged"> Show only flagged pairs</label>
<span class="chips" id="chips" role="group" aria-label="Show only pairs with these flags"></span>
<button type="button" id="sort" aria-pressed="false">Sort by model score, lowest first</button>
<label{across}><input type="checkbox" id="sort-run"> across all documents</label>
<button type="button" id="help-button" aria-expanded="false" aria-controls="help">Keys (?)</button>
<span id="status" role="status" aria-live="polite"></span>
<span class="work"><span id="progress" role="status" aria-live="polite"></span>
<button type="button" id="export" data-format="{CORRECTIONS_FORMAT}"
 data-version="{CORRECTIONS_VERSION}">Export corrections</button></span>
</div>
<div id="help" role="dialog" aria-labelledby="help-title" hidden>
<h2 id="help-title">Keyboard shortcuts</h2>
<dl>
<dt><kbd>j</kbd> or <kbd>&darr;</kbd></dt><dd>Next visible pair</dd>
<dt><kbd>k</kbd> or <kbd>&uarr;</kbd></dt><dd>Previous visible pair</dd>
<dt><kbd>Enter</kbd> or double-click</dt><dd>Edit the translation; <kbd>Enter</kbd> keeps it,
<kbd>Esc</kbd> cancels (a sentence stays on one line)</dd>
<dt><kbd>r</kbd></dt><dd>Mark the pair reviewed, or not</dd>
<dt><kbd>&larr;</kbd> <kbd>&rarr;</kbd></dt><dd>Move word by word; the aligned words
on the other side are highlighted</dd>
<dt><kbd>f</kbd></dt><dd>Show only flagged pairs, or all again</dd>
<dt><kbd>?</kbd></dt><dd>Show or hide this help</dd>
<dt><kbd>Esc</kbd></dt><dd>Close this help</dd>
</dl>
<p>Your edits stay in this browser; <strong>Export corrections</strong> saves them to a
file for <code>translate --import-reviewed</code>.</p>
<button type="button">Close</button>
</div>
<details class="legend" id="legend" open>
<summary>What the flags and scores mean</summary>
<dl>{legend}</dl>
<p id="score-help"><strong>Model score</strong>: {_text(_SCORE_HELP)}</p>
<p id="terms-help"><strong>Glossary terms</strong>: {_text(_TERMS_HELP)}</p>
</details>
<p class="sr-only" id="align-status" role="status" aria-live="polite"></p>
<main id="main">
"""


def _summary(
    pairs: int, flagged: int, counts: Counter[str], descriptions: Mapping[str, str]
) -> str:
    """``40 pairs · 13 flagged · [numbers] 5 · ...``, flags in the legend's order."""
    order = {flag: i for i, flag in enumerate(descriptions)}
    ranked = sorted(counts.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    parts = [f"{pairs} pairs", f"{flagged} flagged"]
    parts += [f"{_badge(flag, descriptions)}&nbsp;{n}" for flag, n in ranked]
    return " · ".join(parts)


def _ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``21st``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _score_cell(score: float | None, rank: int, scored: int) -> str:
    """The score as the model gave it, and its rank among the document's ``scored`` pairs.

    No percentage: ``exp(score)`` looks like a probability of being right
    ("87 %") and sat oddly beside a ``low-confidence`` badge; it is only the
    geometric mean of the token probabilities.
    """
    if score is None or math.isnan(score):
        return '<td class="score"><span class="sr-only">no score</span>&mdash;</td>'
    shown = f"{score:.2f}".replace("-", "\u2212")
    title = (
        f"model score {score:.4f} (mean log-probability per token); "
        f"{'the' if rank == 1 else _ordinal(rank)} lowest of the {scored} scored pairs "
        "of this document"
    )
    return (
        f'<td class="score" title="{_text(title)}">{shown}<small>rank {rank}/{scored}</small></td>'
    )


def _data_score(score: float | None) -> str:
    """The score as JavaScript's parseFloat reads it; empty when there is none."""
    if score is None or math.isnan(score):
        return ""
    return f"{score:.4f}" if math.isfinite(score) else ("-" if score < 0 else "") + "Infinity"


class _Place(NamedTuple):
    """What a row needs to know of its document."""

    number: int
    """The document's number on the page, from 1."""
    name: str
    """The document's name, as in the checks."""
    lang: tuple[str, str]
    """Source and target language codes."""
    scored: list[float]
    """The document's scores, sorted, for ranks."""
    combined: bool
    """Whether the page holds several documents (rows then name theirs)."""


def _row(place: _Place, pair: AlignedPair, descriptions: Mapping[str, str]) -> str:
    p, s = pair.paragraph_number, pair.sentence_number
    flags = " ".join(_text(_token(f)) for f in pair.flags)
    score = _data_score(pair.score)
    badges = "".join(_badge(f, descriptions) for f in pair.flags)
    check = row_check(place.name, p, s, pair.source, pair.target)
    aligned = bool(pair.alignment)
    align = f' data-align="{pharaoh(pair.alignment or ())}"' if aligned else ""
    exact = _exact("src", pair.source) + _exact("tgt", pair.target)
    scored = pair.score is not None and not math.isnan(pair.score)
    rank = bisect_left(place.scored, pair.score) + 1 if pair.score is not None and scored else 0
    doc = f'<span class="dn">{_text(place.name)}</span>' if place.combined else ""
    src, tgt = place.lang
    return (
        f'<tr class="pair{" flagged" if _is_flagged(pair) else ""}" id="d{place.number}-p{p}-s{s}" '
        f'tabindex="-1" data-flags="{flags}" data-score="{score}" data-check="{check}"'
        f"{align}{exact}>"
        f'<td class="num">{doc}<span class="pn">&para;{p}&nbsp;</span>{s}</td>'
        f'<td class="src" lang="{_text(src)}">{_words(pair.source, aligned)}'
        f"{_terms(pair, place.lang)}</td>"
        f'<td class="tgt" lang="{_text(tgt)}">{_words(pair.target, aligned)}</td>'
        f'<td class="flags">{badges}</td>'
        f"{_score_cell(pair.score, rank, len(place.scored))}</tr>\n"
    )


def _term(term: TermUse, lang: tuple[str, str]) -> str:
    """One glossary term of a pair: ``[missing] centrale nucléaire → nuclear power plant``.

    The status is a word on a coloured label (its tooltip says what it
    means); the note, when there is one, follows in small type. Everything
    from the glossary or the text is escaped.
    """
    status = TermStatus(term.status)
    src, tgt = (_text(code) for code in lang)
    note = f' <small class="tn">{_text(term.note)}</small>' if term.note else ""
    return (
        f'<li class="term t-{status}"><span class="ts ts-{status}" '
        f'title="{_text(TERM_STATUS_HELP[status])}">{status}</span> '
        f'<span lang="{src}">{_text(term.source)}</span> &rarr; '
        f'<span lang="{tgt}">{_text(term.target)}</span>{note}</li>'
    )


def _terms(pair: AlignedPair, lang: tuple[str, str]) -> str:
    """The list of the pair's glossary terms, put under its source; "" when it has none."""
    if not pair.terms:
        return ""
    items = "".join(_term(term, lang) for term in pair.terms)
    return f'<ul class="terms" aria-label="Glossary terms">{items}</ul>'


def _is_flagged(pair: AlignedPair) -> bool:
    """Whether a pair needs a look: any flag but ``reviewed``, which is good news."""
    return any(flag != Flag.REVIEWED for flag in pair.flags)


def _document(
    out: TextIO,
    number: int,
    result: Result,
    run: RunMeta,
    descriptions: Mapping[str, str],
    combined: bool,
) -> tuple[Counter[str], str]:
    """Write one document's section; return its flag counts and its table-of-contents entry."""
    meta, doc = result.meta, result.document
    # Stable sort: sentences keep their order inside each paragraph.
    pairs = sorted(result.pairs, key=lambda pair: pair.paragraph)
    counts = Counter(flag for pair in pairs for flag in pair.flags)
    flagged = sum(1 for pair in pairs if _is_flagged(pair))
    paragraphs = len({pair.paragraph for pair in pairs})
    heading = f"d{number}-name"
    summary = _summary(len(pairs), flagged, counts, descriptions)
    toc = (
        f'<li id="toc-d{number}"><a href="#d{number}">{_text(doc.name)}</a> '
        f'<span class="summary">{summary}</span></li>\n'
    )
    out.write(
        f'<section class="doc" id="d{number}" aria-labelledby="{heading}" '
        f'data-doc="{_text(doc.name)}"{_exact("doc", doc.name)} '
        f'data-sha256="{_text(doc.sha256)}">\n'
        f'<h2 id="{heading}">{_text(doc.name)}</h2>\n'
        f'<p class="summary">{paragraphs} paragraphs · {summary}</p>\n'
    )
    if meta != run:
        out.write(_meta_list(meta) + "\n")
    if not pairs:
        out.write("<p>This document has no sentences.</p>\n</section>\n")
        return counts, toc
    src, tgt = meta.source_lang, meta.target_lang
    scored = sorted(p.score for p in pairs if p.score is not None and not math.isnan(p.score))
    place = _Place(number, doc.name, (src, tgt), scored, combined)
    out.write(
        '<table class="pairs">\n'
        f'<caption class="sr-only">Sentences of {_text(doc.name)} with their translations, '
        "by paragraph</caption>\n"
        '<colgroup><col class="c-num"><col class="c-src"><col class="c-tgt">'
        '<col class="c-flags"><col class="c-score"></colgroup>\n'
        '<thead><tr><th scope="col" title="Sentence number in its paragraph">'
        '<span aria-hidden="true">#</span><span class="sr-only">Sentence</span></th>'
        f'<th scope="col">Source ({_text(src)})</th>'
        f'<th scope="col">Translation ({_text(tgt)})</th>'
        '<th scope="col">Flags</th>'
        f'<th scope="col" title="{_text(_SCORE_HELP)}">'
        '<a href="#score-help">Model score</a></th></tr></thead>\n'
    )
    for paragraph, group in itertools.groupby(pairs, key=lambda pair: pair.paragraph_number):
        out.write(
            f'<tbody class="para"><tr class="ph"><th colspan="5" scope="rowgroup" '
            f'id="d{number}-p{paragraph}">Paragraph {paragraph}</th></tr>\n'
        )
        for pair in group:
            out.write(_row(place, pair, descriptions))
        out.write("</tbody>\n")
    out.write('<tbody class="by-score"></tbody>\n</table>\n</section>\n')
    return counts, toc


@register
class HTMLWriter(Writer):
    """A review page and editor: source and translation side by side, flags, filters and keys.

    Args:
        descriptions: One line per flag for the legend and the badges'
            tooltips; by default those of :func:`flag_descriptions`.
    """

    name = "html"
    suffixes = (".review.html",)
    description = (
        "self-contained review page: source and translation side by side, with flags; "
        "edit in place and export corrections"
    )

    def __init__(self, descriptions: Mapping[str, str] | None = None) -> None:
        self.descriptions = None if descriptions is None else dict(descriptions)

    def write(self, results: Iterable[Result], *streams: TextIO) -> None:
        out = streams[0]
        descriptions = self.descriptions if self.descriptions is not None else flag_descriptions()
        results = iter(results)
        first = next(results, None)
        if first is None:
            raise ValueError("an HTML review page needs at least one document")
        # One document of look-ahead tells a single page from a combined one.
        second = next(results, None)
        combined = second is not None
        ahead = [first] if second is None else [first, second]
        out.write(_head(first, combined, descriptions))
        totals: Counter[str] = Counter()
        pairs = flagged = 0
        number = 0
        # The contents are known only once every document is written: they go
        # after the documents, and the page's script moves them to the top.
        toc: list[str] = []
        for number, result in enumerate(itertools.chain(ahead, results), 1):
            counts, entry = _document(out, number, result, first.meta, descriptions, combined)
            totals += counts
            toc.append(entry)
            pairs += len(result.pairs)
            flagged += sum(1 for pair in result.pairs if _is_flagged(pair))
        unknown = sorted(set(totals) - set(descriptions))
        out.write("</main>\n")
        if combined:
            out.write(
                '<nav class="toc" id="toc" aria-labelledby="toc-title">\n'
                f'<h2 id="toc-title">Documents ({number})</h2>\n<ol>\n'
                + "".join(toc)
                + "</ol>\n</nav>\n"
            )
        out.write("<footer>\n")
        if number > 1:
            out.write(
                f'<p class="summary">All {number} documents: '
                f"{_summary(pairs, flagged, totals, descriptions)}</p>\n"
            )
        if unknown:
            badges = " ".join(_badge(flag, descriptions) for flag in unknown)
            out.write(f"<p>Flags without a description: {badges}</p>\n")
        out.write(
            f"<p>Written by translate-cli {_text(first.meta.tool_version)}. "
            "Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> edit, "
            "<kbd>r</kbd> reviewed, <kbd>f</kbd> flagged only, <kbd>?</kbd> help.</p>\n"
            "</footer>\n"
            f"<script>{page_assets().script}</script>\n</body>\n</html>\n"
        )
