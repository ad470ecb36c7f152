"""The project's exceptions.

The library raises these and never exits or prints; ``cli.py`` turns them into
one-line messages and exit codes. Every message names the bad value and, where
there is a closed set, the valid choices.
"""

from __future__ import annotations

from pathlib import Path


class TranslateError(Exception):
    """Base class for every error the library raises on purpose."""


class UsageError(TranslateError):
    """A setting or option has a value the tool cannot use (exit code 2)."""


class ConfigError(UsageError):
    """A configuration file is missing, unreadable or holds an unknown key."""


class InputError(TranslateError):
    """One input file cannot be read as French text.

    Attributes:
        path: The file at fault, so a batch run can report it and go on.
        reason: What is wrong with it, in a few words.
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class OutputError(InputError):
    """An output cannot be read back or written (exit code 1): ``path: reason``.

    A damaged per-input JSONL is an input of the ``--combined`` files, hence
    an :class:`InputError`.
    """


class OutputDirError(UsageError):
    """The output folder cannot hold outputs (exit code 2, found before any work)."""


class ModelError(TranslateError):
    """The model cannot be found, downloaded or loaded."""


class EngineError(TranslateError):
    """The translation engine failed or was asked for something it cannot do."""


class LanguageWarning(UserWarning):
    """A model whose languages are not the pair translate-cli is tuned for (French → English).

    Issued with :func:`warnings.warn`; the CLI shows it as one ``translate:
    warning:`` line.
    """


def read_error(path: Path | str, exc: OSError) -> InputError:
    """The one-line error for a file that cannot be opened or read."""
    if isinstance(exc, IsADirectoryError):
        reason = "is a directory"
    elif isinstance(exc, FileNotFoundError):
        reason = "no such file"
    elif isinstance(exc, PermissionError):
        reason = "permission denied"
    else:
        reason = f"cannot read: {exc.strerror or exc}"
    return InputError(path, reason)


def unknown_choice(kind: str, value: str, choices: object) -> UsageError:
    """Build the standard "unknown X" error, listing the valid choices."""
    valid = ", ".join(sorted(str(c) for c in choices))  # type: ignore[attr-defined]
    return UsageError(f"unknown {kind} {value!r}; expected one of: {valid}")
