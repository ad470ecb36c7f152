"""Progress reporting for runs: a rich bar on a terminal, log lines otherwise.

The library reports through the small :class:`Progress` protocol and never
prints; the CLI picks one of the implementations below. On a terminal a rich
display shows files done/total, sentences done/total, sentences/s and the ETA.
When stderr is not a terminal (a log file, CI), control codes would be noise,
so plain lines are printed every few seconds instead.
"""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO


class Progress(Protocol):
    """What a run tells its observer."""

    def start(self, files: int, total_bytes: int) -> None:
        """The run begins with ``files`` inputs holding ``total_bytes``."""

    def add_sentences(self, count: int, nbytes: int) -> None:
        """An input of ``nbytes`` was read and holds ``count`` sentences."""

    def advance(self, sentences: float) -> None:
        """``sentences`` more are translated."""

    def leave_out(self, nbytes: int) -> None:
        """An input of ``nbytes`` will not be translated (up to date, or unreadable)."""

    def file_done(self) -> None:
        """One more input is finished (translated, skipped or failed)."""

    def close(self) -> None:
        """The run is over; restore the terminal."""


class NoProgress:
    """Reports nothing (``--quiet``, the Python API)."""

    def start(self, files: int, total_bytes: int) -> None:
        pass

    def add_sentences(self, count: int, nbytes: int) -> None:
        pass

    def advance(self, sentences: float) -> None:
        pass

    def leave_out(self, nbytes: int) -> None:
        pass

    def file_done(self) -> None:
        pass

    def close(self) -> None:
        pass


class _Counts:
    """Shared bookkeeping. The sentence total is known only for inputs read so
    far, so it is extrapolated from the bytes not yet read: the bar and ETA
    then mean something from the first file on, and become exact at the end."""

    def __init__(self) -> None:
        self.files_total = self.files_done = 0
        self.bytes_total = self.bytes_read = 0
        self.sentences_known = 0
        self.sentences_done = 0.0
        self.started = time.monotonic()

    def start(self, files: int, total_bytes: int) -> None:
        self.files_total, self.bytes_total = files, total_bytes
        self.started = time.monotonic()

    def add_sentences(self, count: int, nbytes: int) -> None:
        self.sentences_known += count
        self.bytes_read += nbytes

    def leave_out(self, nbytes: int) -> None:
        # Its bytes hold no sentence of this run: the estimate must not wait for them.
        self.bytes_total = max(self.bytes_total - nbytes, self.bytes_read)

    @property
    def sentences_total(self) -> int:
        unread = max(self.bytes_total - self.bytes_read, 0)
        per_byte = self.sentences_known / self.bytes_read if self.bytes_read else 0.0
        return self.sentences_known + round(unread * per_byte)

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.sentences_done / elapsed if elapsed > 0 else 0.0


class LogProgress(_Counts):
    """Plain periodic lines, for logs and pipes.

    Args:
        stream: Where to write (stderr).
        every: Seconds between lines.
    """

    def __init__(self, stream: TextIO | None = None, every: float = 5.0) -> None:
        super().__init__()
        self.stream = stream or sys.stderr
        self.every = every
        self._last = time.monotonic()

    def _maybe_log(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        self._last = now
        rate = self.rate()
        left = self.sentences_total - self.sentences_done
        eta = f", ETA {left / rate:.0f} s" if rate > 0 and left > 0 else ""
        self.stream.write(
            f"progress: files {self.files_done}/{self.files_total}, "
            f"sentences {self.sentences_done:.0f}/{self.sentences_total}, "
            f"{rate:.1f} sentences/s{eta}\n"
        )
        self.stream.flush()

    def advance(self, sentences: float) -> None:
        self.sentences_done += sentences
        self._maybe_log()

    def file_done(self) -> None:
        self.files_done += 1
        self._maybe_log()

    def close(self) -> None:
        self._maybe_log(force=True)


class RichProgress(_Counts):
    """A live rich display on stderr: two bars (files, sentences), rate and ETA."""

    def __init__(self) -> None:
        super().__init__()
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichBar

        self._bar = RichBar(
            TextColumn("{task.description:<9}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._files = self._bar.add_task("files", total=None, rate="")
        self._sentences = self._bar.add_task("sentences", total=None, rate="")

    def start(self, files: int, total_bytes: int) -> None:
        super().start(files, total_bytes)
        self._bar.start()
        self._bar.update(self._files, total=files)

    def add_sentences(self, count: int, nbytes: int) -> None:
        super().add_sentences(count, nbytes)
        self._bar.update(self._sentences, total=max(self.sentences_total, 1))

    def leave_out(self, nbytes: int) -> None:
        super().leave_out(nbytes)
        self._bar.update(self._sentences, total=max(self.sentences_total, 1))

    def advance(self, sentences: float) -> None:
        self.sentences_done += sentences
        self._bar.update(
            self._sentences,
            completed=int(self.sentences_done),
            rate=f"{self.rate():.1f} sent/s",
        )

    def file_done(self) -> None:
        self.files_done += 1
        self._bar.advance(self._files)

    def close(self) -> None:
        self._bar.stop()


def make_progress(quiet: bool, stream: TextIO | None = None) -> Progress:
    """The right reporter for the situation: none, a rich bar, or log lines."""
    stream = stream or sys.stderr
    if quiet:
        return NoProgress()
    if stream.isatty():
        return RichProgress()
    return LogProgress(stream)
