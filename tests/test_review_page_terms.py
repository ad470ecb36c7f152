"""A pair's glossary terms on the review page, in headless Chromium.

The terms are listed under the source with their status in words; the page
still edits, filters, follows the word alignment and exports corrections
whose sources match their checks (the list is not part of the source).
Skips like tests/test_html_browser.py when Chromium, chromedriver or
selenium is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_html_browser import (
    META,
    VISIBLE_ROWS,
    open_fresh,
    press,
    severe_logs,
    start_chromium,
    write_page,
)
from tests.test_html_browser import pytestmark as browser_needed
from tests.test_review_page import edit, export, target_text
from translate_cli.document import AlignedPair, Document, Result, TermUse
from translate_cli.memory import TranslationMemory
from translate_cli.review import import_reviewed
from translate_cli.vocabulary import TermStatus

pytestmark = browser_needed

SOURCE = "La centrale nucléaire <d'EDF> ferme."


def result() -> Result:
    terms = (
        TermUse("centrale nucléaire", "nuclear power plant", TermStatus.MISSING, "EDF usage"),
        TermUse("<d'EDF>", '"EDF" & co', TermStatus.PRESENT),
    )
    pairs = (
        AlignedPair(
            0,
            0,
            SOURCE,
            "The EDF nuclear plant closes.",
            ("term",),
            -0.4,
            ((0, 0), (1, 3), (2, 3), (3, 1), (4, 4)),
            terms,
        ),
        AlignedPair(
            0,
            1,
            "Le réacteur est froid.",
            "The reactor is cold.",
            (),
            -0.2,
            None,
            (TermUse("réacteur", "reactor", TermStatus.RESTORED),),
        ),
        AlignedPair(1, 0, "Rien à signaler.", "Nothing to report.", (), -0.1),
    )
    return Result(Document("terms.fr.txt", ("p1", "p2"), "\n\n", "utf-8", "c" * 64), pairs, META)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, downloads: Path) -> Iterator[object]:
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"), downloads)
    try:
        yield driver
    finally:
        driver.quit()


def terms_shown(browser, row_id: str) -> list[str]:
    from selenium.webdriver.common.by import By

    row = browser.find_element(By.ID, row_id)
    return [li.text for li in row.find_elements(By.CSS_SELECTOR, "td.src ul.terms li")]


def test_terms_are_visible_under_the_source_with_their_status(browser, tmp_path):
    from selenium.webdriver.common.by import By

    open_fresh(browser, write_page(tmp_path / "terms.review.html", result()))
    assert severe_logs(browser) == []
    # The text as a reader sees it (WebDriver's text is only what is displayed).
    assert terms_shown(browser, "d1-p1-s1") == [
        "missing centrale nucléaire → nuclear power plant EDF usage",
        'present <d\'EDF> → "EDF" & co',
    ]
    assert terms_shown(browser, "d1-p1-s2") == ["restored réacteur → reactor"]
    assert terms_shown(browser, "d1-p2-s1") == []
    # The list sits under the source's text, inside its cell.
    row = browser.find_element(By.ID, "d1-p1-s1")
    cell = row.find_element(By.CSS_SELECTOR, "td.src")
    listing = cell.find_element(By.CSS_SELECTOR, "ul.terms")
    first_word = cell.find_elements(By.CSS_SELECTOR, "span.w")[0]
    assert listing.rect["y"] > first_word.rect["y"]
    assert listing.rect["x"] >= cell.rect["x"]
    assert listing.rect["x"] + listing.rect["width"] <= cell.rect["x"] + cell.rect["width"] + 1
    # A missing term stands out: bold, a label in the term flag's colours.
    missing, present = listing.find_elements(By.CSS_SELECTOR, "li")
    assert int(missing.value_of_css_property("font-weight")) >= 700
    assert int(present.value_of_css_property("font-weight")) < 700
    label = missing.find_element(By.CSS_SELECTOR, ".ts")
    badge = row.find_element(By.CSS_SELECTOR, "td.flags .badge")
    assert badge.text == "term"
    assert label.value_of_css_property("background-color") == badge.value_of_css_property(
        "background-color"
    )
    assert "not in the translation" in label.get_attribute("title")
    assert missing.find_element(By.CSS_SELECTOR, "small.tn").is_displayed()
    # The script's <script> in a term stayed text; the policy let nothing else run.
    assert browser.execute_script("return document.scripts.length;") == 1
    # The legend says what the list is.
    assert "Glossary terms" in browser.find_element(By.ID, "terms-help").text


def test_the_term_chip_filters_and_words_still_align(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_fresh(browser, write_page(tmp_path / "terms.review.html", result()))
    chip = browser.find_element(By.CSS_SELECTOR, '#chips .chip[data-flag="term"]')
    assert chip.text == "term (1)"
    chip.click()
    assert browser.execute_script(VISIBLE_ROWS) == ["d1-p1-s1"]
    chip.click()
    assert len(browser.execute_script(VISIBLE_ROWS)) == 3
    # Word by word through the source and then the target: the list's words
    # are not words of the sentence.
    browser.find_element(By.ID, "d1-p1-s1").click()
    seen = []
    for _ in range(11):
        press(browser, Keys.ARROW_RIGHT)
        seen.append(browser.execute_script("return document.activeElement.textContent;"))
    assert seen[:5] == ["La", "centrale", "nucléaire", "<d'EDF>", "ferme."]
    assert seen[5:10] == ["The", "EDF", "nuclear", "plant", "closes."]
    assert browser.execute_script("return document.activeElement.id;") == "d1-p1-s1"
    # "nucléaire" is aligned with "plant".
    press(browser, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert browser.find_element(By.ID, "align-status").get_attribute("textContent") == (
        "nucléaire: aligned with plant"
    )
    assert severe_logs(browser) == []


def test_a_pair_with_terms_edits_and_exports_its_exact_source(browser, downloads, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_fresh(browser, write_page(tmp_path / "terms.review.html", result()))
    browser.find_element(By.ID, "d1-p1-s1").click()
    press(browser, Keys.ENTER)
    edit(browser, "The EDF nuclear power plant closes.")
    assert target_text(browser, "d1-p1-s1") == "The EDF nuclear power plant closes."
    # Editing the target leaves the terms list in place.
    assert terms_shown(browser, "d1-p1-s1")[0].startswith("missing centrale nucléaire")
    press(browser, "j", "r")  # the restored pair approved as it stands

    data = export(browser, downloads, "terms.corrections.json")
    assert [(r["source"], r["target"], r["reviewed"]) for r in data["rows"]] == [
        (SOURCE, "The EDF nuclear power plant closes.", False),
        ("Le réacteur est froid.", "The reactor is cold.", True),
    ]
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(downloads / "terms.corrections.json", memory)
    assert (report.imported, report.unchanged, report.rejected) == (2, 0, [])
    assert severe_logs(browser) == []
