"""The HTML review page in a real browser: headless Chromium driven by Selenium.

The system's Chromium and its matching chromedriver are used (Debian:
``apt-get install chromium chromium-driver``); nothing is downloaded. The
tests skip when either, or the ``selenium`` package, is missing. Set
``CHROMIUM`` and ``CHROMEDRIVER`` to use binaries that are not on ``PATH``.

Screenshots go to ``artifacts/`` at the repository root (git-ignored).
"""

from __future__ import annotations

import io
import math
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from translate_cli.document import AlignedPair, Document, Result, RunMeta
from translate_cli.writers import get_writer

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install selenium)"
)


def _which(*names: str) -> str | None:
    return next((path for name in names if (path := shutil.which(name))), None)


CHROMIUM = os.environ.get("CHROMIUM") or _which("chromium", "chromium-browser")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER") or _which("chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
META = RunMeta("0.1.0", "Helsinki-NLP/opus-mt-fr-en", "rev-1", "fake", 4, "2026-11-24T20:15:00Z")
FLAGS = ("numbers", "untranslated", "length", "repetition", "split", "low-confidence")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="headless Chromium tests need chromium and chromedriver "
    "(Debian: apt-get install chromium chromium-driver)",
)

VISIBLE_ROWS = """
return [].filter.call(document.querySelectorAll('tr.pair'),
                      function (r) { return r.getClientRects().length > 0; })
         .map(function (r) { return r.id; });
"""


def build_result(count: int, name: str = "article.fr.txt") -> Result:
    """``count`` pairs, five sentences a paragraph; every third pair is flagged."""
    pairs = []
    for i in range(count):
        flags = (FLAGS[(i // 3) % len(FLAGS)],) if i % 3 == 1 else ()
        source = f"Phrase numéro {i + 1} du paragraphe, avec « guillemets » et 1er mars."
        if i == 7:
            source = "Texte <script>window.pwned = 1</script> & <b>gras</b>."
        target = f"Sentence number {i + 1} of the paragraph, with quotes and March 1."
        score = None if i == 5 else -((i * 37) % 100) / 40
        pairs.append(AlignedPair(i // 5, i % 5, source, target, flags, score))
    paragraphs = tuple(f"p{i}" for i in range(count // 5 + 1))
    return Result(Document(name, paragraphs, "\n\n"), tuple(pairs), META)


def write_page(path: Path, result: Result) -> str:
    buffer = io.StringIO()
    get_writer("html").write([result], buffer)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path.as_uri()


def start_chromium(profile: Path, downloads: Path | None = None) -> object:
    """Headless Chromium with its own profile; downloads go to ``downloads`` without a prompt."""
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    if downloads is not None:
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(downloads),
                "download.prompt_for_download": False,
                "download.directory_upgrade": True,
            },
        )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with pytest.MonkeyPatch.context() as mp:
        # The driver path is given, so Selenium Manager has nothing to fetch;
        # offline mode makes sure it never tries.
        mp.setenv("SE_OFFLINE", "true")
        return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()


def open_fresh(browser, url: str) -> None:
    """Load a page with no reviewer's work in this browser's storage.

    Pages opened from files share one storage, and a document's work is kept
    under its fingerprint, so an earlier test's edits would show up again.
    """
    browser.get(url)
    browser.execute_script("localStorage.clear();")
    browser.refresh()


@pytest.fixture
def page(browser, tmp_path: Path):
    """The 40-pair page, freshly loaded; returns the Result it shows."""
    result = build_result(40)
    open_fresh(browser, write_page(tmp_path / "article.review.html", result))
    return result


def severe_logs(browser) -> list[dict]:
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def press(browser, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser).send_keys(*keys).perform()


def active_id(browser) -> str:
    return browser.execute_script("return document.activeElement.id;")


def test_page_loads_clean_and_shows_every_pair(browser, page):
    from selenium.webdriver.common.by import By

    assert severe_logs(browser) == []
    assert len(browser.execute_script(VISIBLE_ROWS)) == len(page.pairs) == 40
    assert browser.find_element(By.ID, "toolbar").is_displayed()
    assert browser.find_element(By.ID, "status").text == "Showing 40 of 40 pairs"
    # The escaped markup in a source stayed text.
    assert browser.execute_script("return window.pwned === undefined;")
    cell = browser.find_element(By.CSS_SELECTOR, "#d1-p2-s3 td.src")
    assert cell.text == "Texte <script>window.pwned = 1</script> & <b>gras</b>."

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "html-review.png"
    assert browser.save_screenshot(str(shot))
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        printed = ARTIFACTS / "html-review-print.png"
        assert browser.save_screenshot(str(printed))
        assert not browser.find_element(By.ID, "toolbar").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    print(f"screenshots: {shot} {printed}")


def test_flagged_only_hides_unflagged_rows(browser, page):
    from selenium.webdriver.common.by import By

    flagged = [f"d1-p{p.paragraph + 1}-s{p.index + 1}" for p in page.pairs if p.flags]
    browser.find_element(By.ID, "only-flagged").click()
    assert browser.execute_script(VISIBLE_ROWS) == flagged
    assert browser.find_element(By.ID, "status").text == f"Showing {len(flagged)} of 40 pairs"
    press(browser, "f")
    assert len(browser.execute_script(VISIBLE_ROWS)) == 40
    assert severe_logs(browser) == []


def test_flag_chip_shows_only_that_flag(browser, page):
    from selenium.webdriver.common.by import By

    split = [f"d1-p{p.paragraph + 1}-s{p.index + 1}" for p in page.pairs if "split" in p.flags]
    chip = browser.find_element(By.CSS_SELECTOR, 'button.chip[data-flag="split"]')
    assert chip.text == f"split ({len(split)})"
    chip.click()
    assert chip.get_attribute("aria-pressed") == "true"
    assert browser.execute_script(VISIBLE_ROWS) == split
    chip.click()
    assert len(browser.execute_script(VISIBLE_ROWS)) == 40


def test_keys_move_focus_between_visible_rows(browser, page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    press(browser, "j")
    assert active_id(browser) == "d1-p1-s1"
    press(browser, "j", "j")
    assert active_id(browser) == "d1-p1-s3"
    press(browser, "k")
    assert active_id(browser) == "d1-p1-s2"
    press(browser, Keys.ARROW_DOWN)
    assert active_id(browser) == "d1-p1-s3"
    # With the flagged-only filter, j skips to the next flagged row.
    press(browser, "f")
    visible = browser.execute_script(VISIBLE_ROWS)
    press(browser, "j")
    assert active_id(browser) in visible
    assert browser.find_element(By.ID, active_id(browser)).get_attribute("tabindex") == "0"
    press(browser, "?")
    assert browser.find_element(By.ID, "help").is_displayed()
    press(browser, Keys.ESCAPE)
    assert not browser.find_element(By.ID, "help").is_displayed()
    assert severe_logs(browser) == []


def test_sort_by_confidence_then_back(browser, page):
    from selenium.webdriver.common.by import By

    original = browser.execute_script(VISIBLE_ROWS)
    browser.find_element(By.ID, "sort").click()
    ranked = sorted(
        (p for p in page.pairs), key=lambda p: p.score if p.score is not None else float("inf")
    )
    expected = [f"d1-p{p.paragraph + 1}-s{p.index + 1}" for p in ranked]
    assert browser.execute_script(VISIBLE_ROWS) == expected
    browser.find_element(By.ID, "sort").click()
    assert browser.execute_script(VISIBLE_ROWS) == original


# Wraps the DOM calls whose count grows with the page, so a test can count
# them: queries over the whole document, queries inside one element, class
# toggles, appends and layout reads (each may force the browser to lay out the
# page again). Returns nothing; ``window.domCalls()`` returns and resets the counts.
COUNT_DOM_CALLS = """
var counts = {};
function wrap(owner, name, key) {
  var original = owner[name];
  owner[name] = function () {
    counts[key] = (counts[key] || 0) + 1;
    return original.apply(this, arguments);
  };
}
wrap(Document.prototype, "querySelector", "document queries");
wrap(Document.prototype, "querySelectorAll", "document queries");
wrap(Element.prototype, "querySelector", "element queries");
wrap(Element.prototype, "querySelectorAll", "element queries");
wrap(DOMTokenList.prototype, "toggle", "class toggles");
wrap(Node.prototype, "appendChild", "appends");
wrap(Element.prototype, "getBoundingClientRect", "layout reads");
wrap(Element.prototype, "getClientRects", "layout reads");
wrap(window, "getComputedStyle", "layout reads");
["offsetTop", "offsetLeft", "offsetWidth", "offsetHeight"].forEach(function (name) {
  var getter = Object.getOwnPropertyDescriptor(HTMLElement.prototype, name).get;
  Object.defineProperty(HTMLElement.prototype, name, {configurable: true, get: function () {
    counts["layout reads"] = (counts["layout reads"] || 0) + 1;
    return getter.call(this);
  }});
});
window.domCalls = function () {
  var result = {};
  ["document queries", "element queries", "class toggles", "appends", "layout reads"]
    .forEach(function (key) { result[key] = counts[key] || 0; delete counts[key]; });
  return result;
};
"""


def dom_calls(browser, action: Callable[[], object]) -> dict[str, int]:
    """The DOM calls ``action`` makes the page do (:data:`COUNT_DOM_CALLS` must be loaded).

    Counts are reset first, and read before anything else runs: Selenium's own
    page scripts (reading an element's ``.text``) lay out the page too.
    """
    browser.execute_script("window.domCalls();")
    action()
    return browser.execute_script("return window.domCalls();")


def test_thousands_of_rows_cost_a_bounded_number_of_dom_calls(browser, tmp_path):
    """Filtering and sorting touch each row and paragraph a bounded number of times.

    Counting DOM calls instead of timing them catches the same regressions (a
    query over the whole page per row, a layout read per row, a re-sort per
    row) on any machine, however slow or busy.
    """
    from selenium.webdriver.common.by import By

    rows, per_paragraph = 5000, 5
    paragraphs = rows // per_paragraph
    result = build_result(rows)
    browser.get(write_page(tmp_path / "long.review.html", result))
    browser.execute_script(COUNT_DOM_CALLS)
    bounded = {
        "document queries": 5,
        "element queries": paragraphs + 5,
        "class toggles": rows + paragraphs + 5,
        "appends": rows + 5,
        "layout reads": 0,
    }

    def click(element_id: str) -> Callable[[], object]:
        return lambda: browser.execute_script(f"document.getElementById('{element_id}').click();")

    filtered = dom_calls(browser, click("only-flagged"))
    flagged = sum(1 for p in result.pairs if p.flags)
    assert browser.find_element(By.ID, "status").text.startswith(f"Showing {flagged} of {rows}")
    assert filtered["class toggles"] >= rows, "the filter visits every row"
    assert all(filtered[key] <= most for key, most in bounded.items()), str(filtered)

    by_score = dom_calls(browser, click("sort"))
    assert by_score["appends"] >= rows, "the sort moves every row"
    assert all(by_score[key] <= most for key, most in bounded.items()), str(by_score)

    moved = dom_calls(browser, lambda: press(browser, "j"))
    assert active_id(browser).startswith("d1-")
    # The first row on screen is found by bisection over the visible rows.
    assert moved["layout reads"] <= 2 * math.ceil(math.log2(flagged)) + 4, str(moved)
    assert severe_logs(browser) == []


# --- Word alignment, the combined page, narrow screens ------------------------

LONG_NAME = "un-nom-de-document-vraiment-tres-long-sans-aucune-espace-ni-coupure.fr.md"


def aligned_result() -> Result:
    """Pairs with and without word alignments; one long word; a long document name."""
    pairs = (
        # "noir" (1) and "chat" (2) swap places in English.
        AlignedPair(
            0, 0, "Le chat noir dort.", "The black cat sleeps.", (), -0.3, ((0, 0), (1, 2), (2, 1))
        ),
        AlignedPair(0, 1, "Sans alignement ici.", "No alignment here.", (), -0.2, None),
        AlignedPair(1, 0, "Anticonstitutionnellement.", "Anticonstitutionally.", (), -1.4, ()),
        AlignedPair(1, 1, "Oui.", "Yes.", ("length",), -0.1, ((0, 0),)),
    )
    return Result(Document(LONG_NAME, ("a", "b"), "\n\n", "utf-8", "e" * 64), pairs, META)


def classes(browser, selector: str) -> list[str]:
    return browser.execute_script(
        "return [].map.call(document.querySelectorAll(arguments[0]),"
        " function (e) { return e.className; });",
        selector,
    )


def test_hovering_or_focusing_a_word_highlights_its_aligned_words(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_fresh(browser, write_page(tmp_path / "aligned.review.html", aligned_result()))
    row = browser.find_element(By.ID, "d1-p1-s1")
    assert row.get_attribute("data-align") == "0-0 1-2 2-1"
    chat = row.find_elements(By.CSS_SELECTOR, "td.src span.w")[1]
    assert chat.text == "chat"
    ActionChains(browser).move_to_element(chat).perform()
    assert classes(browser, "#d1-p1-s1 td.tgt span.w") == ["w", "w", "w al", "w"]
    assert classes(browser, "#d1-p1-s1 td.src span.w") == ["w", "w hl", "w", "w"]
    # From the English side: "black" is "noir".
    black = row.find_elements(By.CSS_SELECTOR, "td.tgt span.w")[1]
    ActionChains(browser).move_to_element(black).perform()
    assert classes(browser, "#d1-p1-s1 td.src span.w") == ["w", "w", "w al", "w"]

    # By keyboard: the arrows move word by word and the aligned words light up,
    # and a screen reader hears them.
    row.click()
    press(browser, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert browser.execute_script("return document.activeElement.textContent;") == "chat"
    assert classes(browser, "#d1-p1-s1 td.tgt span.w.al") == ["w al"]
    assert browser.find_element(By.ID, "align-status").get_attribute("textContent") == (
        "chat: aligned with cat"
    )
    press(browser, "j")  # j still moves to the next row from a word
    assert active_id(browser) == "d1-p1-s2"
    assert classes(browser, ".hl, .al") == []

    # A pair without an alignment has no word spans and no data-align: hovering
    # and the arrows do nothing, without error.
    plain = browser.find_element(By.ID, "d1-p1-s2")
    assert plain.get_attribute("data-align") is None
    assert plain.find_elements(By.CSS_SELECTOR, "span.w") == []
    ActionChains(browser).move_to_element(plain.find_element(By.CSS_SELECTOR, "td.src")).perform()
    press(browser, Keys.ARROW_RIGHT)
    assert active_id(browser) == "d1-p1-s2"
    # An empty alignment ("") is treated the same way.
    assert browser.find_element(By.ID, "d1-p2-s1").get_attribute("data-align") is None
    assert classes(browser, ".hl, .al") == []
    assert severe_logs(browser) == []


def test_narrow_screen_puts_source_above_target_without_breaking_words(browser, tmp_path):
    from selenium.webdriver.common.by import By

    open_fresh(browser, write_page(tmp_path / "narrow.review.html", aligned_result()))
    browser.set_window_size(600, 1000)
    try:
        width = browser.execute_script("return window.innerWidth;")
        assert width <= 600
        # Nothing sticks out: no horizontal scrolling, every cell inside the viewport.
        assert browser.execute_script("return document.documentElement.scrollWidth;") <= width
        boxes = browser.execute_script(
            "return [].map.call(document.querySelectorAll('tr.pair'), function (r) {"
            " var s = r.cells[1].getBoundingClientRect(), t = r.cells[2].getBoundingClientRect();"
            " return {id: r.id, srcBottom: s.bottom, tgtTop: t.top, left: t.left,"
            " right: t.right, height: t.height}; });"
        )
        for box in boxes:
            assert box["left"] >= 0 and box["right"] <= width, box
            assert box["srcBottom"] <= box["tgtTop"] + 0.5, box  # source above target
        heights = {box["id"]: box["height"] for box in boxes}
        # "Anticonstitutionally." fits one line: as tall as "Yes.", not cut into letters.
        assert abs(heights["d1-p2-s1"] - heights["d1-p2-s2"]) < 1, heights
        # A long document name wraps inside the page.
        heading = browser.find_element(By.CSS_SELECTOR, "#d1 h2")
        assert heading.text == LONG_NAME
        assert browser.execute_script(
            "var h = arguments[0]; return h.scrollWidth <= h.clientWidth"
            " && h.getBoundingClientRect().right <= innerWidth;",
            heading,
        )
        ARTIFACTS.mkdir(exist_ok=True)
        assert browser.save_screenshot(str(ARTIFACTS / "html-review-narrow.png"))
    finally:
        browser.set_window_size(1280, 1000)
    # Wide again: the table's columns, source beside target.
    row = browser.find_element(By.ID, "d1-p1-s1")
    src, tgt = (row.find_element(By.CSS_SELECTOR, c).rect for c in ("td.src", "td.tgt"))
    assert src["y"] == tgt["y"] and src["x"] < tgt["x"]


def combined_results() -> list[Result]:
    first = build_result(10, "premier.fr.txt")
    second = aligned_result()
    empty = Result(Document("vide.fr.txt", (), "\n\n"), (), META)
    return [first, second, empty]


def test_combined_page_contents_filter_and_sort_across_the_run(browser, tmp_path):
    from selenium.webdriver.common.by import By

    results = combined_results()
    buffer = io.StringIO()
    get_writer("html").write(results, buffer)
    (tmp_path / "run.review.html").write_text(buffer.getvalue(), encoding="utf-8")
    open_fresh(browser, (tmp_path / "run.review.html").as_uri())

    # The contents come first in the page, with each document's counts.
    assert browser.execute_script(
        "return document.getElementById('main').firstElementChild.id;"
    ) == ("toc")
    entries = browser.find_elements(By.CSS_SELECTOR, "#toc li")
    assert [e.find_element(By.TAG_NAME, "a").text for e in entries] == [
        "premier.fr.txt",
        LONG_NAME,
        "vide.fr.txt",
    ]
    flagged = sum(1 for p in results[0].pairs if p.flags)
    assert f"10 pairs · {flagged} flagged" in entries[0].text
    assert "4 pairs · 1 flagged · length 1" in entries[1].text
    assert "0 pairs · 0 flagged" in entries[2].text

    # Only "length" rows: the documents without one disappear, with their entries.
    browser.find_element(By.CSS_SELECTOR, 'button.chip[data-flag="length"]').click()
    length_rows = [
        f"d{n}-p{p.paragraph + 1}-s{p.index + 1}"
        for n, r in enumerate(results, 1)
        for p in r.pairs
        if "length" in p.flags
    ]
    assert browser.execute_script(VISIBLE_ROWS) == length_rows
    shown = [
        s.get_attribute("id")
        for s in browser.find_elements(By.CSS_SELECTOR, "section.doc")
        if s.is_displayed()
    ]
    assert shown == sorted({row.split("-")[0] for row in length_rows})
    assert [e.is_displayed() for e in entries] == [f"d{i}" in shown for i in range(1, 4)]
    assert f"in {len(shown)} of 3 documents" in browser.find_element(By.ID, "status").text
    browser.find_element(By.CSS_SELECTOR, 'button.chip[data-flag="length"]').click()
    assert all(e.is_displayed() for e in entries)

    # Sorting across the run interleaves the documents by score.
    browser.find_element(By.ID, "sort-run").click()
    browser.find_element(By.ID, "sort").click()
    ranked = sorted(
        (
            (
                p.score if p.score is not None else math.inf,
                n,
                i,
                f"d{n}-p{p.paragraph + 1}-s{p.index + 1}",
            )
            for n, r in enumerate(results, 1)
            for i, p in enumerate(sorted(r.pairs, key=lambda p: p.paragraph))
        )
    )
    assert browser.execute_script(VISIBLE_ROWS) == [row for *_, row in ranked]
    assert browser.find_element(By.ID, "status").text.endswith(
        "lowest score first across all documents"
    )
    # Each row names its document there.
    name = browser.find_element(By.CSS_SELECTOR, "#d2-p2-s1 .dn")
    assert name.is_displayed() and name.text == LONG_NAME
    # Per document again, then in page order.
    browser.find_element(By.ID, "sort-run").click()
    per_document = browser.execute_script(VISIBLE_ROWS)
    assert per_document[:10] == [
        f"d1-p{p.paragraph + 1}-s{p.index + 1}"
        for p in sorted(
            results[0].pairs, key=lambda p: p.score if p.score is not None else math.inf
        )
    ]
    assert not name.is_displayed()
    browser.find_element(By.ID, "sort").click()
    assert browser.execute_script(VISIBLE_ROWS) == [
        f"d{n}-p{p.paragraph + 1}-s{p.index + 1}"
        for n, r in enumerate(results, 1)
        for p in sorted(r.pairs, key=lambda p: p.paragraph)
    ]
    assert severe_logs(browser) == []
