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


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
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
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with pytest.MonkeyPatch.context() as mp:
        # The driver path is given, so Selenium Manager has nothing to fetch;
        # offline mode makes sure it never tries.
        mp.setenv("SE_OFFLINE", "true")
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(browser, tmp_path: Path):
    """The 40-pair page, freshly loaded; returns the Result it shows."""
    result = build_result(40)
    browser.get(write_page(tmp_path / "article.review.html", result))
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
