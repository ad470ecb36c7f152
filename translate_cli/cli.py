"""The ``translate`` command: options → settings → library call → exit code.

Only this module prints or exits. Library errors become one-line messages on
stderr and exit codes here: 0 when every input was translated or already up
to date, 1 when any input or the model failed, 2 for usage errors (bad option
value, missing path, bad config file or environment variable). Heavy modules
are imported inside the command so ``--help`` stays fast.

``--help`` groups the options in panels, drawn by rich (typer's
``rich_help_panel``); the app keeps ``rich_markup_mode=None`` so that click's
own usage errors stay plain lines, and only :class:`_HelpCommand` draws the
help with rich, with every text escaped so that ``[default: ...]`` is not
read as markup. rich writes no control sequence when stdout is not a
terminal. Each setting's environment variable is shown from
:data:`translate_cli.config.OPTIONS` and read by
:func:`translate_cli.config.load_settings`, not by click: one reader, whose
errors name the variable and the key, and whose precedence is the library's.
"""

from __future__ import annotations

import functools
import os
import sys
import time
import warnings
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand

from ._version import __version__
from .config import (
    ALL_FORMATS,
    CONFIG_ENV,
    DEFAULT_MODEL,
    FORMAT_ALIASES,
    OPTIONS,
    Settings,
    env_var,
    load_settings,
    unknown_env_vars,
)
from .errors import LanguageWarning
from .vocabulary import DEVICES, ENGINES, FORMATS, INPUT_FORMATS, RUNNERS, Status, TermStatus

if TYPE_CHECKING:
    from .glossary import Glossary
    from .runner import DryRunReport, Outcome, RunReport

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
_DEFAULTS = Settings()
# ``-o -`` and the path ``-``: standard output and standard input.
STDIO = "-"

PANEL_IO = "Input and output"
PANEL_MODEL = "Model and engine"
PANEL_REVIEW = "Memory and review"
PANEL_RAY = "Corpus runs on Ray"
PANEL_OTHER = "Other"

EPILOG = f"""Examples:
  translate article.fr.txt -o out/                 # every output format
  translate corpus/ -f tsv,xlf --combined review   # a folder, one review set
  cat article.txt | translate - > article.en.txt   # the English text only

Settings come from, highest first: the command line, the environment (each
option's variable is shown: {env_var("--batch-tokens")} for --batch-tokens), the
--config file, the defaults.

Exit codes: 0 every input translated or up to date; 1 an input or the model
failed; 2 usage error (bad option, path, config file or environment variable);
130 interrupted."""


class _HelpCommand(TyperCommand):
    """The command, with its help drawn in rich panels (see the module docstring).

    Texts are escaped for rich markup; flags show no type, the paths
    argument shows its metavar alone, and ``-h`` sits in the last panel.
    """

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from rich.markup import escape
        from typer import rich_utils

        help_option = self.get_help_option(ctx)
        for param in [*self.params, help_option]:
            if param is None:
                continue
            help_text = getattr(param, "help", None)
            if help_text:
                param.help = escape(help_text)  # type: ignore[attr-defined]
            if getattr(param, "is_flag", False) or param.param_type_name == "argument":
                setattr(param, "display_type_rich", lambda ctx: None)  # noqa: B010
        if help_option is not None:
            setattr(help_option, "rich_help_panel", PANEL_OTHER)  # noqa: B010
        self.help = escape(self.help or "")
        self.epilog = escape(self.epilog or "")
        rich_utils.rich_format_help(obj=self, ctx=ctx, markup_mode="rich")


app = typer.Typer(
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _help(text: str, setting: str | None = None, default: object = None) -> str:
    """An option's help: the text, its default and its environment variable.

    Args:
        text: What the option does.
        setting: The :class:`~translate_cli.config.Settings` field it sets, whose
            environment variable is shown (:data:`~translate_cli.config.OPTIONS`).
        default: Shown as ``[default: ...]``; None shows none.
    """
    parts = [text]
    if default is not None:
        parts.append(f"[default: {default}]")
    if setting is not None:
        parts.append(f"[env var: {env_var(OPTIONS[setting])}]")
    return " ".join(parts)


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"translate: error: {message}", err=True)
    raise typer.Exit(code)


def _warn(message: str) -> None:
    typer.echo(f"translate: warning: {message}", err=True)


_PLAIN_SHOWWARNING = warnings.showwarning


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """Show the library's :class:`LanguageWarning` as one ``translate: warning:`` line."""
    if issubclass(category, LanguageWarning):
        _warn(str(message))
        return
    _PLAIN_SHOWWARNING(message, category, filename, lineno, file, line)


def _language_warnings(quiet: bool) -> None:
    """Route LanguageWarning to :func:`_show_warning`: each time, or never with --quiet."""
    warnings.showwarning = _show_warning
    warnings.filterwarnings("ignore" if quiet else "always", category=LanguageWarning)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"translate-cli {__version__}")
        raise typer.Exit()


def _split_list(values: list[str] | str | None) -> tuple[str, ...] | None:
    """Accept repeated options and comma lists alike: ``-f tsv -f tmx`` = ``-f tsv,tmx``."""
    if values is None or values == []:
        return None
    items = [values] if isinstance(values, str) else values
    return tuple(v.strip() for item in items for v in item.split(",") if v.strip())


_GLOSSARY_HELP = (
    "Glossary: the English a French term requires. A .tsv or .csv with columns fr, en "
    "and optionally note, or a .tbx term base; repeat for several (a later file's "
    f"term wins); in the environment, paths separated by '{os.pathsep}'"
)
_DNT_HELP = (
    "Do-not-translate list: a UTF-8 text file, one French term per line (# comments), "
    f"each kept as written; repeat for several; in the environment, paths separated by "
    f"'{os.pathsep}'"
)
_FORMAT_HELP = (
    f"Outputs, a comma list of {', '.join(FORMATS)}, or {ALL_FORMATS}; any case"
    + "".join(f", {alias} = {name}" for alias, name in FORMAT_ALIASES.items())
)


@app.command(cls=_HelpCommand, epilog=EPILOG)
def translate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH",
            help="French files or folders (walked recursively); '-' alone reads standard input.",
        ),
    ] = None,
    output_dir: Annotated[
        str | None,
        typer.Option(
            "--output-dir",
            "-o",
            metavar="DIR",
            help=_help(
                "Folder for outputs, mirroring input folders; '-': the English document "
                "on standard output (one input file)",
                "output_dir",
                _DEFAULTS.output_dir,
            ),
            rich_help_panel=PANEL_IO,
        ),
    ] = None,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="LIST",
            help=_help(_FORMAT_HELP, "formats", ", ".join(_DEFAULTS.formats)),
            rich_help_panel=PANEL_IO,
        ),
    ] = None,
    input_format: Annotated[
        str | None,
        typer.Option(
            "--input-format",
            metavar="NAME",
            help=_help(
                f"Read every input as {', '.join(INPUT_FORMATS)}, or auto: by extension "
                "(.md, .html, .docx, .srt, .vtt; else text)",
                "input_format",
                _DEFAULTS.input_format,
            ),
            rich_help_panel=PANEL_IO,
        ),
    ] = None,
    globs: Annotated[
        list[str] | None,
        typer.Option(
            "--glob",
            metavar="PATTERN",
            help=_help(
                "Files taken from folders (repeat or comma list)",
                "globs",
                ", ".join(_DEFAULTS.globs),
            ),
            rich_help_panel=PANEL_IO,
        ),
    ] = None,
    combined: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Also write NAME.fr-en.tsv, NAME.fr-en.tmx and NAME.review.html for the whole run",
            rich_help_panel=PANEL_IO,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Redo inputs whose outputs are up to date", rich_help_panel=PANEL_IO
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="List what would be translated, skipped (up to date) and refused, and why; "
            "load no model, write nothing",
            rich_help_panel=PANEL_IO,
        ),
    ] = False,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            metavar="ID|DIR",
            help=_help("Hub id or local model folder", "model", DEFAULT_MODEL),
            rich_help_panel=PANEL_MODEL,
        ),
    ] = None,
    revision: Annotated[
        str | None,
        typer.Option(
            metavar="REV",
            help=_help("Hub revision: branch, tag or commit", "revision"),
            rich_help_panel=PANEL_MODEL,
        ),
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help=_help(
                f"{', '.join(ENGINES)}; auto: the fastest installed", "engine", _DEFAULTS.engine
            ),
            rich_help_panel=PANEL_MODEL,
        ),
    ] = None,
    device: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help=_help(
                f"{', '.join(DEVICES)}; auto: CUDA when available", "device", _DEFAULTS.device
            ),
            rich_help_panel=PANEL_MODEL,
        ),
    ] = None,
    compute_type: Annotated[
        str | None,
        typer.Option(
            metavar="TYPE",
            help=_help(
                "CTranslate2 compute type: auto, int8, float16, float32...",
                "compute_type",
                _DEFAULTS.compute_type,
            ),
            rich_help_panel=PANEL_MODEL,
        ),
    ] = None,
    beams: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help=_help("Beam size", "beams", "the model's generation config"),
            rich_help_panel=PANEL_MODEL,
        ),
    ] = None,
    batch_tokens: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help=_help("Padded source tokens per batch", "batch_tokens", _DEFAULTS.batch_tokens),
            rich_help_panel=PANEL_MODEL,
        ),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help=_help(
                "CPU threads, 0 = engine default; with --runner ray, the CPUs of each "
                "worker (0 = 1)",
                "threads",
                _DEFAULTS.threads,
            ),
            rich_help_panel=PANEL_MODEL,
        ),
    ] = None,
    normalize: Annotated[
        bool | None,
        typer.Option(
            "--normalize/--no-normalize",
            help=_help(
                "Give the model its input as OPUS-MT was trained (Moses punctuation "
                "normalisation); outputs keep the source as written",
                "normalize",
                "on" if _DEFAULTS.normalize else "off",
            ),
            rich_help_panel=PANEL_MODEL,
        ),
    ] = None,
    tm: Annotated[
        str | None,
        typer.Option(
            "--tm",
            metavar="FILE",
            help=_help("Translation memory file, or off", "memory", "in the user data folder"),
            rich_help_panel=PANEL_REVIEW,
        ),
    ] = None,
    no_tm: Annotated[
        bool,
        typer.Option(
            "--no-tm",
            help="Translate without the translation memory (= --tm off)",
            rich_help_panel=PANEL_REVIEW,
        ),
    ] = False,
    import_reviewed: Annotated[
        list[Path] | None,
        typer.Option(
            "--import-reviewed",
            metavar="FILE",
            help="Store the edited targets of a reviewed .tsv, .xlf, .xlsx or review-page "
            ".corrections.json in the memory, first",
            rich_help_panel=PANEL_REVIEW,
        ),
    ] = None,
    glossary: Annotated[
        list[str] | None,
        typer.Option(
            "--glossary",
            metavar="FILE",
            help=_help(_GLOSSARY_HELP, "glossaries"),
            rich_help_panel=PANEL_REVIEW,
        ),
    ] = None,
    dnt: Annotated[
        list[str] | None,
        typer.Option(
            "--dnt",
            metavar="FILE",
            help=_help(_DNT_HELP, "dnt"),
            rich_help_panel=PANEL_REVIEW,
        ),
    ] = None,
    runner: Annotated[
        str | None,
        typer.Option(
            "--runner",
            metavar="|".join(RUNNERS),
            help=_help(
                "Who runs the corpus: this process, or a Ray cluster (outputs, resume and "
                "memory the same; needs pip install 'translate-cli[ray]')",
                "runner",
                _DEFAULTS.runner,
            ),
            rich_help_panel=PANEL_RAY,
        ),
    ] = None,
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address",
            metavar="ADDR",
            help=_help(
                "Ray cluster to join (auto, ray://head:10001); else RAY_ADDRESS, else a "
                "local cluster for the run",
                "ray_address",
            ),
            rich_help_panel=PANEL_RAY,
        ),
    ] = None,
    workers: Annotated[
        str | None,
        typer.Option(
            "--workers",
            metavar="N|MIN-MAX",
            help=_help(
                "Ray workers, one model each; auto = 1 to the cluster's CPUs / --threads",
                "workers",
                _DEFAULTS.workers,
            ),
            rich_help_panel=PANEL_RAY,
        ),
    ] = None,
    gpus_per_worker: Annotated[
        float | None,
        typer.Option(
            "--gpus-per-worker",
            metavar="G",
            help=_help(
                "GPUs each Ray worker takes; fractions share one (0.5)",
                "gpus_per_worker",
                _DEFAULTS.gpus_per_worker,
            ),
            rich_help_panel=PANEL_RAY,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            metavar="FILE",
            help=f"TOML settings file [env var: {CONFIG_ENV}]",
            rich_help_panel=PANEL_OTHER,
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print nothing but errors", rich_help_panel=PANEL_OTHER),
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Show the version",
            rich_help_panel=PANEL_OTHER,
        ),
    ] = None,
) -> None:
    """Translate French articles into English, with sentence-aligned files for review.

    For each input it writes the English document (structure kept), a TSV, a
    JSONL, Moses .fr/.en files, a TMX, an XLIFF and a review page, aligned
    sentence by sentence. A rerun skips inputs whose outputs are up to date.
    """
    from .errors import TranslateError, UsageError

    started = time.perf_counter()
    _language_warnings(quiet)
    if not quiet:
        for warning in unknown_env_vars(os.environ):
            _warn(warning)
    try:
        settings = load_settings(
            config or _config_from_env(),
            {
                "model": model,
                "revision": revision,
                "engine": engine,
                "device": device,
                "compute_type": compute_type,
                "beams": beams,
                "batch_tokens": batch_tokens,
                "threads": threads,
                "normalize": normalize,
                "formats": _split_list(formats),
                "globs": _split_list(globs),
                "input_format": input_format,
                "output_dir": output_dir,
                "memory": "off" if no_tm else tm,
                "glossaries": tuple(glossary) if glossary else None,
                "dnt": tuple(dnt) if dnt else None,
                "runner": runner,
                "ray_address": ray_address,
                "workers": workers,
                "gpus_per_worker": gpus_per_worker,
            },
        )
        if settings.runner == "ray" and paths and not dry_run:
            from .ray_runner import require_ray

            require_ray()
        terms = _load_glossary(settings, quiet) if paths else None
        if import_reviewed:
            missing = [str(f) for f in import_reviewed if not (f.exists() or f.is_symlink())]
            if missing:
                raise UsageError(f"{missing[0]}: no such file to import")
            if dry_run:
                for path in import_reviewed:
                    if not quiet:
                        typer.echo(f"dry run: would import {path} (nothing stored)", err=True)
                rejected = 0
            else:
                rejected = _import(import_reviewed, settings, quiet)
            if not paths:
                raise typer.Exit(EXIT_FAILED if rejected else EXIT_OK)
        if not paths:
            raise UsageError("give files or folders to translate, or --import-reviewed FILE")
        if paths == [STDIO] or settings.output_dir == STDIO:
            ignored = {
                "--format": formats,
                "--glob": globs,
                "--combined": combined,
                "--force": force,
                "--output-dir": output_dir if output_dir != STDIO else None,
            }
            if not quiet:
                for option, value in ignored.items():
                    if value:
                        _warn(f"{option} is ignored when the English goes to standard output")
            _to_stdout(paths, settings, quiet=quiet, dry_run=dry_run, glossary=terms)
            return
        if dry_run:
            raise typer.Exit(_dry_run(paths, settings, force, combined, quiet, terms))
        from .progress import make_progress

        if settings.runner == "ray":
            from .ray_runner import run_paths_ray as run
        else:
            from .runner import run_paths as run  # type: ignore[assignment]

        report = run(
            paths,
            settings,
            force=force,
            combined=combined,
            progress=make_progress(quiet),
            on_outcome=functools.partial(_report_outcome, quiet=quiet),
            glossary=terms,
        )
    except UsageError as exc:
        _fail(str(exc), EXIT_USAGE)
    except TranslateError as exc:
        _fail(str(exc), EXIT_FAILED)
    except KeyboardInterrupt:
        _fail("interrupted; rerun the same command to finish", EXIT_INTERRUPTED)
    for backup in report.backups:
        # Printed even with --quiet: a reviewer's edits moved to another name.
        typer.echo(f"translate: kept edited output as backup: {backup}", err=True)
    if not quiet:
        _print_summary(report, time.perf_counter() - started)
    if report.failed:
        raise typer.Exit(EXIT_FAILED)


def _config_from_env() -> Path | None:
    """``--config`` from :data:`~translate_cli.config.CONFIG_ENV` when not given."""
    value = os.environ.get(CONFIG_ENV, "")
    return Path(value) if value else None


def _load_glossary(settings: Settings, quiet: bool) -> Glossary | None:
    """The run's glossary, read once before any input; its warnings shown, one line each.

    Returns:
        None when the settings name no glossary and no DNT list.

    Raises:
        UsageError: A file named does not exist (exit 2, as a missing input).
        InputError: A file cannot be read or is malformed: one line naming
            the file and the problem (exit 1).
    """
    from .errors import UsageError
    from .runner import load_glossary

    for kind, paths in (("glossary", settings.glossaries), ("DNT", settings.dnt)):
        for name in paths:
            path = Path(name).expanduser()
            if not (path.exists() or path.is_symlink()):
                raise UsageError(f"{name}: no such {kind} file")
    glossary = load_glossary(settings)
    if glossary is not None and not quiet:
        shown = glossary.warnings[:_MOST_GLOSSARY_WARNINGS]
        for warning in shown:
            _warn(warning)
        if len(glossary.warnings) > len(shown):
            _warn(f"... and {len(glossary.warnings) - len(shown)} more glossary warnings")
    return glossary


# Glossary warnings shown before the rest are counted: a large term base
# with many duplicates would otherwise bury the run's own messages.
_MOST_GLOSSARY_WARNINGS = 10


def _terms_line(count: int | None, found: Mapping[str, int] | None = None) -> list[str]:
    """``glossary: N terms`` for a summary, or nothing when no glossary is used.

    With ``found`` (occurrences by :class:`~translate_cli.vocabulary.TermStatus`),
    the line goes on: ``; in the text: 12 present, 1 restored, 2 missing (flag term)``.
    """
    if count is None:
        return []
    line = f"glossary: {count} {'term' if count == 1 else 'terms'}"
    if found is not None:
        statuses = [f"{found.get(s, 0)} {s}" for s in TermStatus]
        line += "; in the text: " + ", ".join(statuses)
        line += " (flag term)" if found.get(TermStatus.MISSING) else ""
    return [line]


def _report_outcome(outcome: Outcome, quiet: bool) -> None:
    """Each failed input as one line, and what was repaired in an input, as soon as known."""
    if outcome.status == Status.FAILED:
        typer.echo(f"translate: error: {outcome.name}: {outcome.error}", err=True)
    if not quiet:
        for warning in outcome.warnings:
            typer.echo(f"translate: warning: {outcome.name}: {warning}", err=True)


def _import(files: list[Path], settings: Settings, quiet: bool) -> int:
    """Import reviewed files into the memory; returns the number of rejected rows."""
    from .review import import_reviewed_files

    rejected = 0
    for path, report, memory_path in import_reviewed_files(files, settings.memory):
        for line in report.rejected:
            typer.echo(f"translate: rejected: {line}", err=True)
        rejected += len(report.rejected)
        if not quiet:
            typer.echo(
                f"imported {path}: {report.imported} reviewed, {report.unchanged} unchanged, "
                f"{len(report.rejected)} rejected (memory: {memory_path})",
                err=True,
            )
    return rejected


def _to_stdout(
    paths: list[str],
    settings: Settings,
    *,
    quiet: bool,
    dry_run: bool,
    glossary: Glossary | None = None,
) -> None:
    """``translate -`` and ``-o -``: the English document on stdout, nothing else written.

    Standard input is plain text unless ``--input-format`` names a document
    format; a file is read in its format. What goes out is what the ``txt``
    output would hold (for a structured document, the file in its format).

    Raises:
        UsageError: ``-o -`` with several inputs, a folder, or ``-`` among others.
        InputError: The file cannot be read.
    """
    from .errors import UsageError

    if paths != [STDIO] and (len(paths) != 1 or Path(paths[0]).is_dir() or STDIO in paths):
        what = "a folder" if len(paths) == 1 and STDIO not in paths else "several inputs"
        raise UsageError(f"-o - writes one input's English to standard output, not {what}")
    if paths[0] != STDIO and not (Path(paths[0]).exists() or Path(paths[0]).is_symlink()):
        raise UsageError(f"{paths[0]}: no such file or folder")
    if dry_run:
        _dry_run_to_stdout(paths[0], settings, quiet, glossary)
        return
    from .document import document_from_text
    from .readers import parse_document, read_input
    from .runner import translate_document
    from .writers.text import DocumentWriter

    if paths[0] != STDIO:
        document = read_input(Path(paths[0]), paths[0], settings.input_format)
    elif settings.input_format in ("auto", "text"):
        if sys.stdin.isatty() and not quiet:
            end = "Ctrl-Z then Enter" if os.name == "nt" else "Ctrl-D"
            typer.echo(f"translate: reading French from standard input; end with {end}", err=True)
        document = document_from_text(sys.stdin.read())
    else:
        document = parse_document(sys.stdin.buffer.read(), "<stdin>", settings.input_format)
    result = translate_document(document, settings, use_memory=True, glossary=glossary)
    sys.stdout.flush()
    DocumentWriter().write([result], sys.stdout)
    sys.stdout.flush()


def _dry_run_to_stdout(
    path: str, settings: Settings, quiet: bool, glossary: Glossary | None = None
) -> None:
    """``--dry-run`` with ``-`` or ``-o -``: one input, read if it is a file."""
    from .errors import InputError

    if path != STDIO:
        from .readers import read_input

        try:
            read_input(Path(path), path, settings.input_format)
        except InputError as exc:
            typer.echo(f"refuse     {path}: {exc.reason}")
            raise typer.Exit(EXIT_FAILED) from None
    if not quiet:
        shown = "standard input" if path == STDIO else path
        typer.echo(f"translate  {shown} (to standard output)")
        for line in _terms_line(None if glossary is None else len(glossary.terms)):
            typer.echo(line)
        typer.echo("dry run: nothing written, no model loaded")


def _dry_run(
    paths: list[str],
    settings: Settings,
    force: bool,
    combined: str | None,
    quiet: bool,
    glossary: Glossary | None = None,
) -> int:
    """List what a run would do (on stdout); the exit code: 1 if an input would be refused."""
    from .runner import dry_run

    report = dry_run(paths, settings, force=force, combined=combined, glossary=glossary)
    for outcome in report.outcomes:
        if outcome.status == Status.FAILED:
            typer.echo(f"refuse     {outcome.name}: {outcome.error}")
        elif quiet:
            continue
        elif outcome.status == Status.SKIPPED:
            typer.echo(f"skip       {outcome.name} (up to date)")
        else:
            typer.echo(f"translate  {outcome.name}")
    if not quiet:
        _print_dry_summary(report)
    return EXIT_FAILED if report.refused else EXIT_OK


def _print_dry_summary(report: DryRunReport) -> None:
    lines = [
        f"dry run: {report.count(Status.TRANSLATED)} to translate, "
        f"{report.count(Status.SKIPPED)} up to date, {len(report.refused)} refused; "
        f"outputs in {_folder(report.output_dir)} (nothing written, no model loaded)"
    ]
    if report.combined:
        lines.append("combined: " + ", ".join(_combined_names(report.combined)))
    lines += _terms_line(report.glossary_terms)
    if report.undecided:
        lines.append(
            f"note: cannot tell which inputs are up to date without the model: {report.undecided}"
        )
    typer.echo("\n".join(lines))


def _folder(path: PurePath) -> str:
    """A folder as the user may type it again: ``out/``."""
    return str(path).rstrip("/\\") + os.sep


def _combined_names(paths: tuple[PurePath, ...]) -> list[str]:
    """The combined files a reviewer opens, by name (their manifest left out)."""
    from .writers import META_SUFFIX

    return [p.name for p in paths if not p.name.endswith(META_SUFFIX)]


def _print_summary(report: RunReport, seconds: float) -> None:
    """The run summary, on stderr so stdout stays clean for piping."""
    c = report.counters
    translated, skipped = report.count(Status.TRANSLATED), report.count(Status.SKIPPED)
    where = f"outputs: {_folder(report.output_dir or Path(_DEFAULTS.output_dir))}"
    if report.combined:
        where += " (combined: " + ", ".join(_combined_names(report.combined)) + ")"
    files = (
        f"files: {translated} translated, {skipped} skipped (up to date), "
        f"{len(report.failed)} failed"
    )
    if not translated and not report.failed and skipped:
        plural = "file" if skipped == 1 else "files"
        nothing = f"nothing to do: {skipped} {plural} up to date (--force to redo)"
        typer.echo(f"{files}\n{nothing}\n{where}", err=True)
        return
    rate = c.sentences / report.seconds if report.seconds > 0 and c.sentences else 0.0
    lines = [
        files,
        f"sentences: {c.sentences} ({c.unique} unique"
        + (" per worker, summed" if report.workers else "")
        + f", {c.memory} from memory, "
        f"{c.engine_inputs} sent to the engine"
        + (f", {c.split} cut to fit the model" if c.split else "")
        + (f", {c.copied} copied unchanged (no text)" if c.copied else "")
        + ")",
        f"time: {seconds:.2f} s ({rate:.1f} sentences/s)",
    ]
    if c.flags:
        lines.append("flags: " + ", ".join(f"{k} {v}" for k, v in sorted(c.flags.items())))
    lines += _terms_line(report.glossary_terms, c.terms)
    if report.workers:
        lines.append(
            f"ray: up to {report.workers} workers; each translates a sentence repeated "
            "across workers once itself, and reads the memory as it was at the start"
        )
    lines += [f"failed: {o.name}: {o.error}" for o in report.failed]
    lines.append(where)
    typer.echo("\n".join(lines), err=True)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
