"""Bad input that must never hang, exhaust memory, garble text or lose a file.

Damaged UTF-8 is repaired and reported, non-regular files are refused before
they are opened, oversized files are refused, and file names that are not
UTF-8 are translated under a safe name. Every case goes through the real CLI
with real FIFOs, sockets, devices and byte names.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from translate_cli import document as document_module
from translate_cli.cli import app
from translate_cli.document import decode_bytes, read_document, safe_name
from translate_cli.errors import InputError

from .conftest import COPY_MODEL

runner = CliRunner()
FRENCH = "Le Québec a voté. L’été fut déjà chaud à Montréal.\nDeuxième paragraphe, très court."
MODEL_ARGS = ["--model", str(COPY_MODEL), "--engine", "transformers", "--no-tm"]


@pytest.fixture(autouse=True)
def _no_hang() -> Iterator[None]:
    """Fail, rather than block the suite, if anything opens a FIFO for reading."""

    def hung(*_: object) -> None:
        raise AssertionError("the run blocked (a FIFO or device was opened)")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def cli(*args: str):
    result = runner.invoke(app, [*args, *MODEL_ARGS, "-q"])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("translate: error")]


# -- 11. Damaged UTF-8 -------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text", "warnings"),
    [
        # One stray cp1252 byte in a UTF-8 file.
        (
            FRENCH.encode().replace(b"Deuxi\xc3\xa8me", b"Deuxi\xe8me"),
            FRENCH.replace("Deuxième", "Deuxi\ufffdme"),
            ("line 2: invalid UTF-8 byte 0xE8 replaced with U+FFFD",),
        ),
        # A multi-byte sequence cut short (one replacement for the cut sequence).
        (
            FRENCH.encode() + b"\r\nFin \xe2\x80",
            FRENCH + "\r\nFin \ufffd",
            ("line 3: invalid UTF-8 bytes 0xE2 0x80 replaced with U+FFFD",),
        ),
        # Line counting with CR-only line ends, and a BOM.
        (
            b"\xef\xbb\xbfd\xc3\xa9j\xc3\xa0\rl\xc3\xa0\r\xff \xc3\xa9t\xc3\xa9",
            "déjà\rlà\r\ufffd été",
            ("line 3: invalid UTF-8 byte 0xFF replaced with U+FFFD",),
        ),
    ],
)
def test_damaged_utf8_is_repaired_and_reported(data, text, warnings):
    decoded = decode_bytes(data, "x.txt")
    assert decoded.encoding in ("utf-8", "utf-8-sig")
    assert decoded.text == text
    assert decoded.warnings == warnings


def test_many_damaged_spans_are_counted_not_listed():
    data = ("é" * 50 + "\n").encode() + b"x\xff y\n" * 9
    decoded = decode_bytes(data, "x.txt")
    assert decoded.encoding == "utf-8"
    assert decoded.text.count("\ufffd") == 9
    assert [w.split(":")[0] for w in decoded.warnings[:5]] == [f"line {n}" for n in range(2, 7)]
    assert decoded.warnings[5:] == ("4 more invalid UTF-8 bytes replaced with U+FFFD in 4 places",)


@pytest.mark.parametrize(
    "data",
    [
        FRENCH.encode("cp1252"),
        "Déjà l'été à Noël.".encode("latin-1"),
        # cp1252 whose "É" + no-break space happens to form one valid UTF-8 pair.
        "« L'ÉTÉ\xa0» : déjà là, très chaud, à Noël.".encode("cp1252"),
    ],
)
def test_single_byte_text_is_still_detected(data):
    decoded = decode_bytes(data, "x.txt")
    assert decoded.encoding == "cp1252"
    assert decoded.text == data.decode("cp1252")
    assert decoded.warnings == ()


def test_clean_utf8_has_no_warnings(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(FRENCH)
    assert read_document(path).warnings == ()


def test_cli_damaged_utf8_is_translated_with_warnings_in_the_metadata(tmp_path):
    path = tmp_path / "quebec.txt"
    path.write_bytes(FRENCH.encode().replace(b"Deuxi\xc3\xa8me", b"Deuxi\xe8me"))
    out = tmp_path / "out"
    result = cli(str(path), "-o", str(out), "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(x) for x in (out / "quebec.fr-en.jsonl").read_text().splitlines()]
    assert records[0]["encoding"] == "utf-8"
    assert records[0]["warnings"] == ["line 2: invalid UTF-8 byte 0xE8 replaced with U+FFFD"]
    meta = json.loads((out / "quebec.meta.json").read_text())
    assert meta["warnings"] == records[0]["warnings"]
    sources = " ".join(r["source"] for r in records[1:])
    assert "Québec" in sources and "Montréal" in sources and "Deuxi\ufffdme" in sources
    assert "Ã" not in sources
    assert result.stderr == ""  # --quiet: warnings stay in the metadata
    loud = runner.invoke(app, [str(path), "-o", str(out), "-f", "jsonl", "--force", *MODEL_ARGS])
    warning = f"translate: warning: {path}: line 2: invalid UTF-8 byte 0xE8 replaced with U+FFFD"
    assert warning in loud.stderr.splitlines()


def test_clean_input_metadata_has_no_warnings_key(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(FRENCH)
    result = cli(str(path), "-o", str(tmp_path / "out"), "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert "warnings" not in json.loads((tmp_path / "out" / "a.meta.json").read_text())


# -- 12. Non-regular and oversized files -------------------------------------


@contextlib.contextmanager
def unix_socket(path: Path) -> Iterator[None]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        yield
    finally:
        sock.close()


def test_walk_reports_fifo_and_socket_and_translates_the_rest(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "a.txt").write_text(FRENCH)
    (corpus / "sub" / "b.txt").write_text(FRENCH)
    os.mkfifo(corpus / "pipe.txt")
    os.mkfifo(corpus / "sub" / "other-pipe")  # not matching the glob: not reported
    out = tmp_path / "out"
    with unix_socket(corpus / "sub" / "sock.txt"):
        result = cli(str(corpus), "-o", str(out), "-f", "txt")
    assert result.exit_code == 1
    assert errors(result) == [
        f"translate: error: {corpus / 'pipe.txt'}: not a regular file (FIFO)",
        f"translate: error: {corpus / 'sub' / 'sock.txt'}: not a regular file (socket)",
    ]
    assert (out / "a.en.txt").read_text().startswith("Le Québec")
    assert (out / "sub" / "b.en.txt").is_file()
    assert not (out / "pipe.en.txt").exists()


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda p: os.mkfifo(p) or p, "FIFO"),
        (lambda p: Path("/dev/zero"), "character device"),
        (lambda p: Path("/dev/null"), "character device"),
    ],
)
def test_special_file_given_by_name_is_refused_in_one_line(tmp_path, make, kind):
    special = make(tmp_path / "pipe.txt")
    good = tmp_path / "good.txt"
    good.write_text(FRENCH)
    out = tmp_path / "out"
    result = cli(str(special), str(good), "-o", str(out), "-f", "txt")
    assert result.exit_code == 1
    assert errors(result) == [f"translate: error: {special}: not a regular file ({kind})"]
    assert (out / "good.en.txt").is_file()


def test_socket_given_by_name_is_refused_in_one_line(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(FRENCH)
    sock = tmp_path / "s.txt"
    with unix_socket(sock):
        result = cli(str(sock), str(good), "-o", str(tmp_path / "out"), "-f", "txt")
    assert result.exit_code == 1
    assert errors(result) == [f"translate: error: {sock}: not a regular file (socket)"]
    assert (tmp_path / "out" / "good.en.txt").is_file()


def test_oversized_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    monkeypatch.setattr(document_module, "MAX_INPUT_BYTES", 100)
    big, small = tmp_path / "big.txt", tmp_path / "small.txt"
    big.write_text("a" * 101)
    small.write_text("a" * 100)
    with pytest.raises(InputError, match=r"big\.txt: file too large \(over 100 bytes"):
        read_document(big)
    assert read_document(small).paragraphs == ("a" * 100,)


def test_reads_are_capped_when_the_size_is_not_known(tmp_path, monkeypatch):
    # /proc files report size 0 but have content: the read itself is bounded.
    monkeypatch.setattr(document_module, "MAX_INPUT_BYTES", 10)
    with pytest.raises(InputError, match="file too large"):
        read_document(Path("/proc/self/status"))


# -- 13. File names that are not UTF-8 ---------------------------------------


def _byte_named(folder: Path, name: bytes, data: bytes) -> Path:
    raw = os.path.join(os.fsencode(folder), name)
    try:
        with open(raw, "wb") as fh:
            fh.write(data)
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    return Path(os.fsdecode(raw))


def test_safe_name():
    assert safe_name("article.txt") == "article.txt"
    assert safe_name("été/ça.txt") == "été/ça.txt"
    assert safe_name(os.fsdecode(b"caf\xe9.txt")) == "caf%E9.txt"
    assert safe_name(os.fsdecode(b"\xff\xfe/x.txt")) == "%FF%FE/x.txt"
    assert safe_name("a\ud800b") == "a\ufffdb"


def _check_outputs(out: Path, stem: str, doc: str) -> None:
    """Every output exists under the safe name and is valid UTF-8 of its kind."""
    meta = json.loads((out / f"{stem}.meta.json").read_bytes().decode("utf-8"))
    assert meta["document"] == doc
    assert len(meta["outputs"]) == 8
    for name in meta["outputs"]:
        data = (out / name).read_bytes()
        text = data.decode("utf-8")
        if name.endswith((".tmx", ".xlf")):
            etree.fromstring(data)
        if name.endswith(".jsonl"):
            assert json.loads(text.splitlines()[0])["document"] == doc
        if name.endswith((".tsv", ".html", ".tmx", ".xlf")):
            assert doc in text, name
    assert not any("\udce9" in name for name in os.listdir(out))


ALL_FORMATS = "txt,tsv,jsonl,moses,tmx,xliff,html"


def test_non_utf8_name_in_a_walk_is_translated_under_a_safe_name(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _byte_named(corpus, b"caf\xe9.txt", FRENCH.encode())
    (corpus / "café.txt").write_text(FRENCH)  # the UTF-8 name must not collide
    out = tmp_path / "out"
    result = cli(str(corpus), "-o", str(out), "-f", ALL_FORMATS, "--combined", "all")
    assert result.exit_code == 0, result.stderr
    _check_outputs(out, "caf%E9", f"{corpus}/caf%E9.txt")
    assert (out / "café.en.txt").read_text() == (out / "caf%E9.en.txt").read_text()
    for name in ("all.fr-en.tsv", "all.review.html"):
        assert f"{corpus}/caf%E9.txt" in (out / name).read_bytes().decode("utf-8")
    etree.fromstring((out / "all.fr-en.tmx").read_bytes())
    rerun = cli(str(corpus), "-o", str(out), "-f", ALL_FORMATS)
    assert rerun.exit_code == 0 and "caf" not in rerun.stderr  # resumed: up to date


def test_non_utf8_name_given_directly_is_translated(tmp_path):
    path = _byte_named(tmp_path, b"\xe9t\xe9.txt", FRENCH.encode())
    out = tmp_path / "out"
    result = cli(str(path), "-o", str(out), "-f", ALL_FORMATS)
    assert result.exit_code == 0, result.stderr
    _check_outputs(out, "%E9t%E9", f"{tmp_path}/%E9t%E9.txt")


def test_non_utf8_name_failing_is_reported_in_one_safe_line(tmp_path):
    path = _byte_named(tmp_path, b"caf\xe9.txt", b"\x00binary")
    result = cli(str(path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert errors(result) == [
        f"translate: error: {tmp_path}/caf%E9.txt: not a text file (binary content)"
    ]
