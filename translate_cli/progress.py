"""Progress reporting for runs: a rich bar on a terminal, log lines otherwise.

The library reports through the small :class:`Progress` protocol and never
prints; the CLI picks one of the implementations below. On a terminal a rich
display shows the phase (loading the model, converting it for CTranslate2 on
first use, translating), sentences done/total with the rate and one ETA, and
files done/total with the file being read. When stderr is not a terminal (a
log file, CI), control codes would be noise, so plain lines are printed
instead: one when a slow phase (loading, converting) is over, and one every
few seconds while translating.
"""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO

# The phases of a run, as displayed. The model is loaded only when something
# is left to translate; CTranslate2 converts it once, on first use.
LOADING = "loading the model"
CONVERTING = "converting the model for CTranslate2 (first use only)"
TRANSLATING = "translating"


class Progress(Protocol):
    """What a run tells its observer."""

    def start(self, files: int, total_bytes: int) -> None:
        """The run begins with ``files`` inputs holding ``total_bytes``."""

    def phase(self, name: str) -> None:
        """The run enters a phase: :data:`LOADING`, :data:`CONVERTING`, :data:`TRANSLATING`."""

    def current(self, name: str) -> None:
        """The input named ``name`` is being read (and then translated)."""

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

    def phase(self, name: str) -> None:
        pass

    def current(self, name: str) -> None:
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
        self.sentences_done_at_start = 0.0
        self.phase_name = TRANSLATING
        self.file = ""

    def start(self, files: int, total_bytes: int) -> None:
        self.files_total, self.bytes_total = files, total_bytes
        self.started = time.monotonic()

    def phase(self, name: str) -> None:
        if name == TRANSLATING and self.phase_name != TRANSLATING:
            # The rate counts translating time only, not the model's loading.
            self.started = time.monotonic()
            self.sentences_done_at_start = self.sentences_done
        self.phase_name = name

    def current(self, name: str) -> None:
        self.file = name

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
        """Sentences per second since translating began."""
        elapsed = time.monotonic() - self.started
        done = self.sentences_done - self.sentences_done_at_start
        return done / elapsed if elapsed > 0 else 0.0

    def eta(self) -> float | None:
        """Seconds left at the current rate, or None before there is a rate."""
        rate = self.rate()
        left = self.sentences_total - self.sentences_done
        return left / rate if rate > 0 and left > 0 else None


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
        self._phase_started = self._last

    def _maybe_log(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        self._last = now
        eta = self.eta()
        left = f", ETA {eta:.0f} s" if eta is not None else ""
        file = f", file {self.file}" if self.file and self.files_done < self.files_total else ""
        self._write(
            f"files {self.files_done}/{self.files_total}, "
            f"sentences {self.sentences_done:.0f}/{self.sentences_total}, "
            f"{self.rate():.1f} sentences/s{left}{file}"
        )

    def _write(self, text: str) -> None:
        self.stream.write(f"progress: {text}\n")
        self.stream.flush()

    def phase(self, name: str) -> None:
        """Log a slow phase once it is over (``loading the model: done in 7 s``).

        Only phases that lasted ``every`` seconds or more are logged, so a run
        that fails while loading still says one line: its error.
        """
        now = time.monotonic()
        if name != self.phase_name:
            took = now - self._phase_started
            if self.phase_name != TRANSLATING and took >= self.every:
                self._write(f"{self.phase_name}: done in {took:.0f} s")
            self._phase_started = now
        super().phase(name)

    def advance(self, sentences: float) -> None:
        self.sentences_done += sentences
        self._maybe_log()

    def file_done(self) -> None:
        self.files_done += 1
        self._maybe_log()

    def close(self) -> None:
        if self.sentences_known or self.sentences_done:  # else nothing was translated
            self._maybe_log(force=True)


class RichProgress(_Counts):
    """A live rich display on stderr, two rows and one ETA.

    The first row is the phase, the sentence bar, the rate and the time
    left; the second the file bar and the file being read.
    """

    def __init__(self) -> None:
        super().__init__()
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TaskProgressColumn, TextColumn
        from rich.progress import Progress as RichBar

        self._bar = RichBar(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[info]}"),
            console=Console(stderr=True),
            transient=False,
        )
        self._sentences = self._bar.add_task("sentences", total=None, info="")
        self._files = self._bar.add_task("files", total=None, info="")

    def start(self, files: int, total_bytes: int) -> None:
        super().start(files, total_bytes)
        self._bar.start()
        self._bar.update(self._files, total=files)

    def phase(self, name: str) -> None:
        super().phase(name)
        self._bar.update(self._sentences, description=name)

    def current(self, name: str) -> None:
        super().current(name)
        self._bar.update(self._files, info=name)

    def add_sentences(self, count: int, nbytes: int) -> None:
        super().add_sentences(count, nbytes)
        self._bar.update(self._sentences, total=max(self.sentences_total, 1))

    def leave_out(self, nbytes: int) -> None:
        super().leave_out(nbytes)
        self._bar.update(self._sentences, total=max(self.sentences_total, 1))

    def advance(self, sentences: float) -> None:
        self.sentences_done += sentences
        eta = self.eta()
        left = f", ETA {_clock(eta)}" if eta is not None else ""
        self._bar.update(
            self._sentences,
            completed=int(self.sentences_done),
            info=f"{self.rate():.1f} sentences/s{left}",
        )

    def file_done(self) -> None:
        self.files_done += 1
        self._bar.advance(self._files)
        if self.files_done >= self.files_total:
            self._bar.update(self._files, info="")

    def close(self) -> None:
        self._bar.stop()


def _clock(seconds: float) -> str:
    """``1:02:03`` or ``2:03``, as rich shows times."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def make_progress(quiet: bool, stream: TextIO | None = None) -> Progress:
    """The right reporter for the situation: none, a rich bar, or log lines."""
    stream = stream or sys.stderr
    if quiet:
        return NoProgress()
    if stream.isatty():
        return RichProgress()
    return LogProgress(stream)
