"""The review page as an editor, in headless Chromium: edit, reload, export, import, rerun.

The loop is the reviewer's: a real run writes the page (the committed copy
model, CTranslate2), the browser edits two targets and marks a third
reviewed, reloads (the work is kept in localStorage), exports the corrections
(a real download, to a folder set in Chromium's preferences), ``translate
--import-reviewed`` reads the file into a real SQLite memory, and a rerun
gives the reviewer's targets, flagged ``reviewed``.

Skips like tests/test_html_browser.py when Chromium, chromedriver or
selenium is missing.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_html_browser import (
    META,
    open_fresh,
    press,
    severe_logs,
    start_chromium,
)
from tests.test_html_browser import pytestmark as browser_needed
from translate_cli.cli import app
from translate_cli.document import AlignedPair, Document, Result
from translate_cli.memory import TranslationMemory
from translate_cli.review import import_reviewed
from translate_cli.writers import get_writer
from translate_cli.writers.html import CORRECTIONS_FORMAT

pytestmark = browser_needed
runner = CliRunner()

GUIDE = (
    "# Le marché\n\n"
    "Le marché couvert rouvre ses portes. Les habitants sont contents.\n\n"
    "Le maire a coupé le ruban hier matin.\n"
)


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


def target_text(browser, row_id: str) -> str:
    return browser.execute_script(
        "return document.getElementById(arguments[0]).cells[2].textContent;", row_id
    )


def progress(browser) -> str:
    return browser.execute_script("return document.getElementById('progress').textContent;")


def edit(browser, text: str) -> None:
    """Replace the text of the open editor and keep it (Enter)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    assert browser.execute_script("return document.activeElement.tagName;") == "TEXTAREA"
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).perform()
    press(browser, text, Keys.ENTER)


def export(browser, downloads: Path, name: str) -> dict:
    """Click Export corrections and read the downloaded file."""
    from selenium.webdriver.common.by import By

    for old in downloads.iterdir():
        old.unlink()
    browser.find_element(By.ID, "export").click()
    path = downloads / name
    deadline = time.monotonic() + 20
    while not path.is_file() or any(p.suffix == ".crdownload" for p in downloads.iterdir()):
        assert time.monotonic() < deadline, f"no download: {list(downloads.iterdir())}"
        time.sleep(0.1)
    return json.loads(path.read_text(encoding="utf-8"))


def jsonl_pairs(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [r for r in map(json.loads, lines) if r["type"] == "pair"]


def test_review_loop_through_the_page(browser, downloads, tmp_path, copy_model):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    source = tmp_path / "guide.md"
    source.write_text(GUIDE, encoding="utf-8")
    out, tm = tmp_path / "out", tmp_path / "tm.sqlite"
    base = [str(source), "-o", str(out), "--model", str(copy_model), "--tm", str(tm)]
    base += ["--engine", "ctranslate2", "-f", "html,jsonl"]
    first = runner.invoke(app, base)
    assert first.exit_code == 0, first.stderr
    machine = [p["target"] for p in jsonl_pairs(out / "guide.fr-en.jsonl")]
    assert len(machine) == 4
    page = (out / "guide.review.html").as_uri()
    open_fresh(browser, page)
    assert progress(browser) == "0 edited, 0 marked reviewed"

    # Double-click edits; Enter keeps.
    cell = browser.find_element(By.CSS_SELECTOR, "#d1-p2-s1 td.tgt")
    ActionChains(browser).double_click(cell).perform()
    edit(browser, "The covered market reopens.")
    assert browser.execute_script("return document.activeElement.id;") == "d1-p2-s1"
    # The keyboard: j to the next row, Enter edits.
    press(browser, "j", Keys.ENTER)
    edit(browser, "The residents are pleased.")
    # Esc cancels an edit.
    press(browser, "j", Keys.ENTER)
    press(browser, "Not kept.", Keys.ESCAPE)
    assert target_text(browser, "d1-p3-s1") == machine[3]
    # r marks the row reviewed as it stands.
    press(browser, "r")
    assert progress(browser) == "2 edited, 1 marked reviewed"
    assert "marked reviewed" in browser.find_element(By.CSS_SELECTOR, "#d1-p3-s1 .mark").text

    # The work survives a reload.
    browser.refresh()
    assert target_text(browser, "d1-p2-s1") == "The covered market reopens."
    assert target_text(browser, "d1-p2-s2") == "The residents are pleased."
    assert target_text(browser, "d1-p3-s1") == machine[3]
    assert target_text(browser, "d1-p1-s1") == machine[0]
    assert progress(browser) == "2 edited, 1 marked reviewed"
    assert "edited" in browser.find_element(By.ID, "d1-p2-s1").get_attribute("class")

    data = export(browser, downloads, "guide.corrections.json")
    assert data["format"] == CORRECTIONS_FORMAT and data["version"] == 1
    assert [(r["paragraph"], r["sentence"], r["target"], r["reviewed"]) for r in data["rows"]] == [
        (2, 1, "The covered market reopens.", False),
        (2, 2, "The residents are pleased.", False),
        (3, 1, machine[3], True),
    ]
    assert "exported 3 rows to guide.corrections.json" in progress(browser)
    assert severe_logs(browser) == []

    exported = downloads / "guide.corrections.json"
    imported = runner.invoke(app, ["--import-reviewed", str(exported), "--tm", str(tm)])
    assert imported.exit_code == 0, imported.stderr
    assert "3 reviewed, 0 unchanged, 0 rejected" in imported.stderr

    rerun = runner.invoke(app, base)
    assert rerun.exit_code == 0, rerun.stderr
    after = jsonl_pairs(out / "guide.fr-en.jsonl")
    assert [p["target"] for p in after] == [
        machine[0],
        "The covered market reopens.",
        "The residents are pleased.",
        machine[3],
    ]
    assert ["reviewed" in p["flags"] for p in after] == [False, True, True, True]

    # The new page shows the reviewer's targets as its own: the stored edits were
    # made for other machine targets (their checks differ) and are not applied
    # again; the mark on the unchanged row still matches its check.
    browser.get(page)
    assert target_text(browser, "d1-p2-s1") == "The covered market reopens."
    assert progress(browser) == "0 edited, 1 marked reviewed"
    assert severe_logs(browser) == []


def exact_result() -> Result:
    """Texts HTML cannot hold as they are: a CR LF, a bell, a C1 control."""
    pairs = (
        AlignedPair(0, 0, "Ligne un\r\nligne deux.", "Line one\r\nline two.", (), -0.2),
        AlignedPair(0, 1, "Cloche\x07 et NEL\x85.", "Bell\x07 and NEL\x85.", (), -0.4),
        AlignedPair(0, 2, "Simple.", "Plain.", (), -0.3),
    )
    return Result(Document("exact.fr.txt", ("p",), "\n\n", "utf-8", "a" * 64), pairs, META)


def test_exported_sources_are_exact_so_their_checks_match(browser, downloads, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    buffer = io.StringIO()
    get_writer("html").write([exact_result()], buffer)
    page = tmp_path / "exact.review.html"
    page.write_text(buffer.getvalue(), encoding="utf-8")
    open_fresh(browser, page.as_uri())
    browser.find_element(By.ID, "d1-p1-s1").click()
    press(browser, Keys.ENTER)
    edit(browser, "Line one, line two.")
    press(browser, "j", "r")  # the bell row approved as it stands
    # The storage is keyed by the document's SHA-256.
    keys = browser.execute_script("return Object.keys(localStorage);")
    assert keys == ["translate-cli/review/sha256:" + "a" * 64]

    data = export(browser, downloads, "exact.corrections.json")
    assert [r["source"] for r in data["rows"]] == [p.source for p in exact_result().pairs[:2]]
    # The machine target exactly, not as the page shows it.
    assert data["rows"][1]["target"] == "Bell\x07 and NEL\x85."
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(downloads / "exact.corrections.json", memory)
    assert (report.imported, report.unchanged, report.rejected) == (2, 0, [])
    assert severe_logs(browser) == []


def test_a_second_page_of_the_same_document_shows_the_same_work(browser, tmp_path):
    """The per-input page and the combined page share the work on a document."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    result = exact_result()
    other = Result(Document("autre.fr.txt", ("p",), "\n\n"), (AlignedPair(0, 0, "A.", "A."),), META)
    for name, results in (("exact.review.html", [result]), ("run.review.html", [other, result])):
        buffer = io.StringIO()
        get_writer("html").write(results, buffer)
        (tmp_path / name).write_text(buffer.getvalue(), encoding="utf-8")
    open_fresh(browser, (tmp_path / "exact.review.html").as_uri())
    browser.find_element(By.ID, "d1-p1-s3").click()
    press(browser, Keys.ENTER)
    edit(browser, "Simple, edited.")
    browser.get((tmp_path / "run.review.html").as_uri())
    # In the combined page the document is the second.
    assert target_text(browser, "d2-p1-s3") == "Simple, edited."
    assert target_text(browser, "d1-p1-s1") == "A."
    assert progress(browser) == "1 edited, 0 marked reviewed"
    # Editing back to the machine text is no edit at all.
    browser.find_element(By.ID, "d2-p1-s3").click()
    press(browser, Keys.ENTER)
    edit(browser, "Plain.")
    assert progress(browser) == "0 edited, 0 marked reviewed"
    assert browser.execute_script("return localStorage.length;") == 0


def test_an_edit_is_one_line_and_shift_enter_keeps_it(browser, tmp_path):
    """A sentence is one line: a line break pasted into the editor becomes a space."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    buffer = io.StringIO()
    get_writer("html").write([exact_result()], buffer)
    (tmp_path / "exact.review.html").write_text(buffer.getvalue(), encoding="utf-8")
    open_fresh(browser, (tmp_path / "exact.review.html").as_uri())
    browser.find_element(By.ID, "d1-p1-s3").click()
    press(browser, Keys.ENTER)
    browser.execute_script("document.activeElement.value = 'First line.\\n\\nSecond line.';")
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    assert browser.execute_script("return document.activeElement.tagName;") != "TEXTAREA"
    assert target_text(browser, "d1-p1-s3") == "First line. Second line."
