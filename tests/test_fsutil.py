from __future__ import annotations

import os

import pytest

from translate_cli.fsutil import atomic_writer, remove_stale_parts


def test_atomic_writer_replaces_only_on_success(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_writer(target) as fh:
        fh.write("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old\n"
    assert list(tmp_path.iterdir()) == [target]
    with atomic_writer(target) as fh:
        fh.write("new\n")
    assert target.read_text() == "new\n"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_stale_parts_of_dead_processes_are_removed(tmp_path):
    target = tmp_path / "a.tsv"
    dead = tmp_path / ".a.tsv.999999999.x1.part"
    live = tmp_path / f".a.tsv.{os.getpid()}.x2.part"
    other = tmp_path / ".b.tsv.999999999.x3.part"
    for p in (dead, live, other):
        p.write_text("partial")
    remove_stale_parts(target)
    assert not dead.exists()
    assert live.exists() and other.exists()
