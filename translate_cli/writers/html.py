"""A self-contained HTML page for reviewing a translation side by side.

The page loads nothing: CSS and JavaScript are inline, fonts are the system's,
and a Content-Security-Policy ``<meta>`` forbids every fetch and every script
but the page's own (pinned by hash), so a sentence that slipped past escaping
still could not run or call out. The file can be mailed, archived and opened
offline years later and look the same.

Rows are written while the documents are read, one at a time; only one
document's pairs (already in memory as a :class:`Result`) are looked at twice,
to count its flags for the summary above its table. Filtering, sorting and
keyboard navigation are class toggles over rows in plain JavaScript, so a
document of thousands of rows stays responsive; without JavaScript the page
is a complete, printable table and the controls stay hidden.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TextIO

from ..document import AlignedPair, Result, RunMeta
from .base import Writer, register, xml_safe

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
    "memory": ("#d3eef5", "#08404f"),
    "reviewed": ("#d5f2dc", "#114425"),
    "low-confidence": ("#fff0a8", "#4d3b00"),
}
OTHER_COLOURS = ("#f4f4f4", "#1f1f1f")

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

_CSS = """
:root{color-scheme:light;--ink:#111;--muted:#4a4a4a;--line:#c8c8c8;--focus:#1846c4;--bar:4.2rem}
*{box-sizing:border-box}
html{font-size:15px}
body{margin:0;font:1rem/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",
sans-serif;color:var(--ink);background:#fff}
.skip{position:absolute;left:-999px}.skip:focus{left:.5rem;top:.5rem;z-index:9;background:#fff;
padding:.3rem .6rem;outline:3px solid var(--focus)}
header.top{padding:1rem 1.25rem .5rem;border-bottom:1px solid var(--line)}
h1{font-size:1.35rem;margin:0 0 .5rem}h2{font-size:1.15rem;margin:1.5rem 0 .3rem}
dl.meta{display:flex;flex-wrap:wrap;gap:.2rem 1.4rem;margin:0;font-size:.9rem}
dl.meta div{display:flex;gap:.35rem}dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;
font-family:ui-monospace,"DejaVu Sans Mono",monospace;overflow-wrap:anywhere}
.toolbar{position:sticky;top:0;z-index:5;display:flex;flex-wrap:wrap;align-items:center;
gap:.4rem .8rem;padding:.5rem 1.25rem;background:#f7f7f7;border-bottom:1px solid var(--line)}
.toolbar[hidden]{display:none}
.toolbar label{display:inline-flex;gap:.35rem;align-items:center;font-weight:600}
.toolbar input{width:1.05rem;height:1.05rem}
.chips{display:inline-flex;flex-wrap:wrap;gap:.3rem}
button{font:inherit;cursor:pointer;border:1px solid #767676;border-radius:4px;background:#fff;
color:var(--ink);padding:.15rem .55rem}
button[aria-pressed=true]{background:#1c1c1c;color:#fff;border-color:#1c1c1c}
button.chip[aria-pressed=true]{outline:2px solid #1c1c1c;outline-offset:1px;font-weight:700}
button.chip[aria-pressed=true]::before{content:"\\2713\\00a0"}
button:focus-visible,input:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
#status{color:var(--muted);font-size:.9rem;margin-left:auto}
details.legend{padding:.4rem 1.25rem;border-bottom:1px solid var(--line);font-size:.9rem}
details.legend summary{cursor:pointer;font-weight:600}
details.legend dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .7rem;
margin:.5rem 0 .2rem}
details.legend dd{margin:0}
main{padding:0 1.25rem 2rem}
p.summary{margin:.2rem 0 .6rem;font-size:.95rem}
.badge{display:inline-block;border:1px solid currentColor;border-radius:3px;padding:0 .35rem;
margin:1px 2px 1px 0;font-size:.78rem;font-weight:600;line-height:1.5;white-space:nowrap}
table.pairs{width:100%;border-collapse:collapse;table-layout:fixed}
col.c-num{width:3.6rem}col.c-flags{width:9.5rem}col.c-score{width:6.2rem}
thead th{text-align:left;font-size:.85rem;color:var(--muted);border-bottom:2px solid #888;
padding:.3rem .5rem}
tr.ph th{text-align:left;font-size:.85rem;background:#eef1f6;color:#1f2d45;padding:.25rem .5rem;
border-top:1px solid var(--line)}
tr.pair td{vertical-align:top;padding:.35rem .5rem;border-top:1px solid #e2e2e2}
tr.pair{scroll-margin-top:var(--bar);scroll-margin-bottom:1rem}
tr.pair:nth-child(odd) td{background:#fcfcfc}
tr.pair.flagged td.num{box-shadow:inset 4px 0 0 #b42318}
td.src,td.tgt{white-space:pre-wrap;overflow-wrap:anywhere}
td.src{color:#2b2b2b}
td.num,td.score{font-variant-numeric:tabular-nums;color:var(--muted);font-size:.88rem}
td.score small{display:block;font-size:.78rem}
.pn{display:none}body.sorted .pn{display:inline}
tr.pair:focus{outline:3px solid var(--focus);outline-offset:-3px}
tr.pair:focus td{background:#fff8db}
.hide,body.sorted tbody.para{display:none}
body:not(.sorted) tbody.by-score{display:none}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
#help{position:fixed;right:1.25rem;top:4.5rem;z-index:8;max-width:24rem;background:#fff;
border:2px solid #1c1c1c;border-radius:6px;padding:.6rem 1rem;box-shadow:0 6px 24px #0004}
#help[hidden]{display:none}
#help h2{margin:.2rem 0 .5rem;font-size:1rem}
#help dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:0 0 .6rem}
#help dd{margin:0}
kbd{border:1px solid #888;border-radius:3px;padding:0 .3rem;font-size:.85rem;background:#f4f4f4}
footer{padding:.8rem 1.25rem;border-top:1px solid var(--line);color:var(--muted);font-size:.85rem}
@media print{
 .toolbar,#help,.skip,details.legend summary{display:none!important}
 html{font-size:9.5pt}
 body{background:#fff!important;color:#000!important}
 *{color:#000!important;background:transparent!important;box-shadow:none!important}
 header.top,details.legend,footer{border-color:#000}
 .badge{border:1px solid #000!important;font-weight:700}
 table.pairs{table-layout:fixed;width:100%}
 thead{display:table-header-group}
 tr.pair,tr.ph{break-inside:avoid;page-break-inside:avoid}
 tr.ph{break-after:avoid;page-break-after:avoid}
 tr.pair td{border-top:1px solid #999}
 tr.pair:focus{outline:none}
 tr.pair.flagged td.num{border-left:3px solid #000}
}
"""

_JS = r"""
(function () {
  "use strict";
  var body = document.body;
  var bar = document.getElementById("toolbar");
  var only = document.getElementById("only-flagged");
  var chipBox = document.getElementById("chips");
  var sortBtn = document.getElementById("sort");
  var helpBtn = document.getElementById("help-button");
  var help = document.getElementById("help");
  var status = document.getElementById("status");
  var tables = [].slice.call(document.querySelectorAll("table.pairs"));
  var rows = [];
  var counts = {};
  var selected = [];
  var visible = [];
  var sorted = false;
  var beforeHelp = null;

  tables.forEach(function (table) {
    table.rowsInOrder = [].slice.call(table.querySelectorAll("tr.pair"));
    table.rowsInOrder.forEach(function (row, i) {
      row.flags = (row.getAttribute("data-flags") || "").split(" ").filter(Boolean);
      var s = row.getAttribute("data-score");
      row.score = s === null || s === "" ? Infinity : parseFloat(s);
      row.order = i;
      row.home = row.parentNode;
      row.flags.forEach(function (f) { counts[f] = (counts[f] || 0) + 1; });
      rows.push(row);
    });
  });

  // One chip per flag present, in the legend's order, then any others.
  var order = [].slice.call(document.querySelectorAll("#legend .badge")).map(function (b) {
    return b.getAttribute("data-flag");
  });
  Object.keys(counts).sort().forEach(function (f) {
    if (order.indexOf(f) < 0) { order.push(f); }
  });
  order.forEach(function (flag) {
    if (!counts[flag]) { return; }
    var badge = document.querySelector('.badge[data-flag="' + CSS.escape(flag) + '"]');
    var chip = document.createElement("button");
    chip.type = "button";
    chip.className = "chip " + (badge ? badge.className : "badge f-other");
    chip.setAttribute("data-flag", flag);
    chip.setAttribute("aria-pressed", "false");
    chip.textContent = (badge ? badge.textContent : flag) + " (" + counts[flag] + ")";
    chip.title = "Show only pairs flagged " + flag;
    chip.addEventListener("click", function () {
      var i = selected.indexOf(flag);
      if (i < 0) { selected.push(flag); } else { selected.splice(i, 1); }
      chip.setAttribute("aria-pressed", String(i < 0));
      apply();
    });
    chipBox.appendChild(chip);
  });

  function shows(row) {
    if (only.checked && !row.flags.length) { return false; }
    if (!selected.length) { return true; }
    for (var i = 0; i < row.flags.length; i++) {
      if (selected.indexOf(row.flags[i]) >= 0) { return true; }
    }
    return false;
  }

  function apply() {
    visible = [];
    tables.forEach(function (table) {
      var inOrder = sorted ? table.rowsSorted : table.rowsInOrder;
      inOrder.forEach(function (row) {
        var show = shows(row);
        row.classList.toggle("hide", !show);
        if (show) { visible.push(row); }
      });
      [].forEach.call(table.querySelectorAll("tbody.para"), function (group) {
        group.classList.toggle("hide", !group.querySelector("tr.pair:not(.hide)"));
      });
    });
    var current = document.querySelector('tr.pair[tabindex="0"]');
    if (!current || current.classList.contains("hide")) { setTabStop(visible[0] || null); }
    status.textContent = "Showing " + visible.length + " of " + rows.length + " pairs" +
      (sorted ? ", lowest confidence first" : "");
  }

  function setTabStop(row) {
    var old = document.querySelector('tr.pair[tabindex="0"]');
    if (old) { old.tabIndex = -1; }
    if (row) { row.tabIndex = 0; }
  }

  function sortByScore(on) {
    sorted = on;
    body.classList.toggle("sorted", on);
    sortBtn.setAttribute("aria-pressed", String(on));
    tables.forEach(function (table) {
      var frag = document.createDocumentFragment();
      if (on) {
        table.rowsSorted = table.rowsInOrder.slice().sort(function (a, b) {
          return a.score === b.score ? a.order - b.order : (a.score < b.score ? -1 : 1);
        });
        table.rowsSorted.forEach(function (row) { frag.appendChild(row); });
        table.querySelector("tbody.by-score").appendChild(frag);
      } else {
        table.rowsInOrder.forEach(function (row) { row.home.appendChild(row); });
      }
    });
    apply();
  }

  // The first visible row whose bottom is below the sticky toolbar: where
  // "next" starts when no row has the focus yet.
  function firstOnScreen() {
    var top = bar.getBoundingClientRect().bottom;
    var lo = 0, hi = visible.length - 1, found = visible.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (visible[mid].getBoundingClientRect().bottom > top) { found = mid; hi = mid - 1; }
      else { lo = mid + 1; }
    }
    return found;
  }

  function move(delta) {
    if (!visible.length) { return; }
    var i = visible.indexOf(document.activeElement);
    var next = i < 0 ? firstOnScreen() : Math.max(0, Math.min(visible.length - 1, i + delta));
    var row = visible[next];
    setTabStop(row);
    row.focus({preventScroll: true});
    row.scrollIntoView({block: "nearest"});
  }

  function toggleHelp(show) {
    if (show === undefined) { show = help.hidden; }
    if (show) { beforeHelp = document.activeElement; }
    help.hidden = !show;
    helpBtn.setAttribute("aria-expanded", String(show));
    if (show) { help.querySelector("button").focus(); }
    else if (beforeHelp && beforeHelp.focus) { beforeHelp.focus({preventScroll: true}); }
  }

  only.addEventListener("change", apply);
  sortBtn.addEventListener("click", function () { sortByScore(!sorted); });
  helpBtn.addEventListener("click", function () { toggleHelp(); });
  help.querySelector("button").addEventListener("click", function () { toggleHelp(false); });
  document.addEventListener("focusin", function (e) {
    if (e.target.classList && e.target.classList.contains("pair")) { setTabStop(e.target); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target;
    if (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) ||
        (t.tagName === "INPUT" && t.type !== "checkbox")) { return; }
    var k = e.key;
    if (k === "Escape" && !help.hidden) { toggleHelp(false); }
    else if (k === "?") { toggleHelp(); }
    else if (!help.hidden) { return; }
    else if (k === "j" || k === "ArrowDown") { move(1); }
    else if (k === "k" || k === "ArrowUp") { move(-1); }
    else if (k === "f") { only.checked = !only.checked; apply(); }
    else { return; }
    e.preventDefault();
  });

  bar.hidden = false;
  apply();
})();
"""


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


def flag_class(flag: str) -> str:
    """The CSS class giving a flag its colours; unknown flags share a neutral one."""
    return f"f-{flag}" if flag in PALETTE else "f-other"


def _flag_css() -> str:
    rules = [f".{flag_class(f)}{{background:{bg};color:{fg}}}" for f, (bg, fg) in PALETTE.items()]
    bg, fg = OTHER_COLOURS
    rules.append(f".f-other{{background:{bg};color:{fg};border-style:dashed}}")
    return "\n".join(rules)


_STYLE = _CSS + _flag_css()
# Nothing may be fetched; only this module's own style and script may apply.
CSP = (
    f"default-src 'none'; style-src {_csp_hash(_STYLE)}; script-src {_csp_hash(_JS)}; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


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


def _head(first: Result, combined: bool, descriptions: Mapping[str, str]) -> str:
    meta = first.meta
    tags = "\n".join(
        f'<meta name="translate-cli:{key.replace("_", "-")}" content="{_text(value)}">'
        for key, _, value in _meta_values(meta)
    )
    name = "several documents" if combined else first.document.name
    legend = "".join(
        f"<dt>{_badge(flag, descriptions)}</dt><dd>{_text(text)}</dd>"
        for flag, text in descriptions.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="translate-cli {_text(meta.tool_version)}">
{tags}
<title>Translation review: {_text(name)}</title>
<link rel="icon" href="data:,">
<style>{_STYLE}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the sentence pairs</a>
<header class="top">
<h1>Translation review: {_text(name)}</h1>
{_meta_list(meta)}
</header>
<div class="toolbar" id="toolbar" role="group" aria-label="Filter and sort the pairs" hidden>
<label><input type="checkbox" id="only-flagged"> Show only flagged pairs</label>
<span class="chips" id="chips" role="group" aria-label="Show only pairs with these flags"></span>
<button type="button" id="sort" aria-pressed="false">Sort by confidence, lowest first</button>
<button type="button" id="help-button" aria-expanded="false" aria-controls="help">Keys (?)</button>
<span id="status" role="status" aria-live="polite"></span>
</div>
<div id="help" role="dialog" aria-labelledby="help-title" hidden>
<h2 id="help-title">Keyboard shortcuts</h2>
<dl>
<dt><kbd>j</kbd> or <kbd>&darr;</kbd></dt><dd>Next visible pair</dd>
<dt><kbd>k</kbd> or <kbd>&uarr;</kbd></dt><dd>Previous visible pair</dd>
<dt><kbd>f</kbd></dt><dd>Show only flagged pairs, or all again</dd>
<dt><kbd>?</kbd></dt><dd>Show or hide this help</dd>
<dt><kbd>Esc</kbd></dt><dd>Close this help</dd>
</dl>
<button type="button">Close</button>
</div>
<details class="legend" id="legend" open>
<summary>What the flags mean</summary>
<dl>{legend}</dl>
</details>
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


def _score_cell(score: float | None) -> str:
    if score is None or math.isnan(score):
        return '<td class="score"><span class="sr-only">no score</span>&mdash;</td>'
    # The score is a mean log-probability per token; exp() of it is the
    # geometric-mean token probability, a figure a reviewer can read.
    percent = round(100 * math.exp(min(score, 0.0)))
    shown = f"{score:.2f}".replace("-", "\u2212")
    return (
        f'<td class="score" title="mean log-probability per token {score:.4f}">'
        f"{percent}%<small>{shown}</small></td>"
    )


def _data_score(score: float | None) -> str:
    """The score as JavaScript's parseFloat reads it; empty when there is none."""
    if score is None or math.isnan(score):
        return ""
    return f"{score:.4f}" if math.isfinite(score) else ("-" if score < 0 else "") + "Infinity"


def _row(
    number: int, pair: AlignedPair, lang: tuple[str, str], descriptions: Mapping[str, str]
) -> str:
    p, s = pair.paragraph + 1, pair.index + 1
    flags = " ".join(_text(_token(f)) for f in pair.flags)
    score = _data_score(pair.score)
    badges = "".join(_badge(f, descriptions) for f in pair.flags)
    return (
        f'<tr class="pair{" flagged" if pair.flags else ""}" id="d{number}-p{p}-s{s}" '
        f'tabindex="-1" data-flags="{flags}" data-score="{score}">'
        f'<td class="num"><span class="pn">&para;{p}&nbsp;</span>{s}</td>'
        f'<td class="src" lang="{_text(lang[0])}">{_text(pair.source)}</td>'
        f'<td class="tgt" lang="{_text(lang[1])}">{_text(pair.target)}</td>'
        f'<td class="flags">{badges}</td>{_score_cell(pair.score)}</tr>\n'
    )


def _document(
    out: TextIO, number: int, result: Result, run: RunMeta, descriptions: Mapping[str, str]
) -> Counter[str]:
    """Write one document's section and return its flag counts."""
    meta, doc = result.meta, result.document
    # Stable sort: sentences keep their order inside each paragraph.
    pairs = sorted(result.pairs, key=lambda pair: pair.paragraph)
    counts = Counter(flag for pair in pairs for flag in pair.flags)
    flagged = sum(1 for pair in pairs if pair.flags)
    paragraphs = len({pair.paragraph for pair in pairs})
    heading = f"d{number}-name"
    out.write(
        f'<section class="doc" id="d{number}" aria-labelledby="{heading}">\n'
        f'<h2 id="{heading}">{_text(doc.name)}</h2>\n'
        f'<p class="summary">{paragraphs} paragraphs · '
        f"{_summary(len(pairs), flagged, counts, descriptions)}</p>\n"
    )
    if meta != run:
        out.write(_meta_list(meta) + "\n")
    if not pairs:
        out.write("<p>This document has no sentences.</p>\n</section>\n")
        return counts
    src, tgt = meta.source_lang, meta.target_lang
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
        '<th scope="col">Flags</th><th scope="col">Confidence</th></tr></thead>\n'
    )
    for paragraph, group in itertools.groupby(pairs, key=lambda pair: pair.paragraph):
        out.write(
            f'<tbody class="para"><tr class="ph"><th colspan="5" scope="rowgroup" '
            f'id="d{number}-p{paragraph + 1}">Paragraph {paragraph + 1}</th></tr>\n'
        )
        for pair in group:
            out.write(_row(number, pair, (src, tgt), descriptions))
        out.write("</tbody>\n")
    out.write('<tbody class="by-score"></tbody>\n</table>\n</section>\n')
    return counts


@register
class HTMLWriter(Writer):
    """A review page: source and translation side by side, flags, filters and keys.

    Args:
        descriptions: One line per flag for the legend and the badges'
            tooltips; by default those of :func:`flag_descriptions`.
    """

    name = "html"
    suffixes = (".review.html",)
    description = "self-contained review page: source and translation side by side, with flags"

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
        ahead = [first] if second is None else [first, second]
        out.write(_head(first, second is not None, descriptions))
        totals: Counter[str] = Counter()
        pairs = flagged = 0
        number = 0
        for number, result in enumerate(itertools.chain(ahead, results), 1):
            totals += _document(out, number, result, first.meta, descriptions)
            pairs += len(result.pairs)
            flagged += sum(1 for pair in result.pairs if pair.flags)
        unknown = sorted(set(totals) - set(descriptions))
        out.write("</main>\n<footer>\n")
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
            "Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>f</kbd> flagged only, "
            "<kbd>?</kbd> help.</p>\n</footer>\n"
            f"<script>{_JS}</script>\n</body>\n</html>\n"
        )
