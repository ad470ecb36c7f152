"""The ``translate`` command: options → settings → library call → exit code.

Only this module prints or exits. Library errors become one-line messages on
stderr and exit codes here: 0 when every input was translated or already up
to date, 1 when any input or the model failed, 2 for usage errors (bad option
value, missing path). Heavy modules are imported inside the command so
``--help`` stays fast.
"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from ._version import __version__
from .config import DEFAULT_MODEL, Settings, load_settings
from .vocabulary import DEVICES, ENGINES, INPUT_FORMATS, Status

if TYPE_CHECKING:
    from .runner import Outcome, RunReport

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
_DEFAULTS = Settings()

app = typer.Typer(add_completion=False, rich_markup_mode=None)


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"translate: error: {message}", err=True)
    raise typer.Exit(code)


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


@app.command()
def translate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH...",
            help="French files or folders (walked recursively); '-' alone reads standard input.",
        ),
    ] = None,
    output_dir: Annotated[
        str | None,
        typer.Option(
            "--output-dir",
            "-o",
            metavar="DIR",
            help=f"Folder for outputs, mirroring input folders [default: {_DEFAULTS.output_dir}]",
        ),
    ] = None,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="LIST",
            help=f"Outputs, comma list [default: {','.join(_DEFAULTS.formats)}]",
        ),
    ] = None,
    input_format: Annotated[
        str | None,
        typer.Option(
            "--input-format",
            metavar="NAME",
            help=f"Read every input as {', '.join(INPUT_FORMATS)}, or auto: by extension "
            f"(.md, .html, .docx, .srt, .vtt; else text) [default: {_DEFAULTS.input_format}]",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            metavar="ID|DIR",
            help=f"Hub id or local model folder [default: {DEFAULT_MODEL}]",
        ),
    ] = None,
    revision: Annotated[
        str | None, typer.Option(metavar="REV", help="Hub revision: branch, tag or commit")
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option(metavar="|".join(ENGINES), help=f"[default: {_DEFAULTS.engine}]"),
    ] = None,
    device: Annotated[
        str | None,
        typer.Option(metavar="|".join(DEVICES), help=f"[default: {_DEFAULTS.device}]"),
    ] = None,
    compute_type: Annotated[
        str | None,
        typer.Option(
            metavar="TYPE",
            help=f"CTranslate2 compute type: auto, int8, float16, float32... "
            f"[default: {_DEFAULTS.compute_type}]",
        ),
    ] = None,
    beams: Annotated[
        int | None,
        typer.Option(metavar="N", help="Beam size [default: the model's generation config]"),
    ] = None,
    batch_tokens: Annotated[
        int | None,
        typer.Option(
            metavar="N", help=f"Padded source tokens per batch [default: {_DEFAULTS.batch_tokens}]"
        ),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(metavar="N", help="CPU threads, 0 = engine default [default: 0]"),
    ] = None,
    normalize: Annotated[
        bool | None,
        typer.Option(
            "--normalize/--no-normalize",
            help="Give the model its input as OPUS-MT was trained (Moses punctuation "
            "normalisation); outputs keep the source as written "
            f"[default: {'on' if _DEFAULTS.normalize else 'off'}]",
        ),
    ] = None,
    globs: Annotated[
        list[str] | None,
        typer.Option(
            "--glob",
            metavar="PATTERN",
            help=f"Files taken from folders [default: {','.join(_DEFAULTS.globs)}]",
        ),
    ] = None,
    combined: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Also write NAME.fr-en.tsv, NAME.fr-en.tmx and NAME.review.html for the whole run",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Redo inputs whose outputs are up to date")
    ] = False,
    tm: Annotated[
        str | None,
        typer.Option(
            "--tm",
            metavar="FILE",
            help="Translation memory file [default: in the user data folder]",
        ),
    ] = None,
    no_tm: Annotated[
        bool, typer.Option("--no-tm", help="Translate without the translation memory")
    ] = False,
    import_reviewed: Annotated[
        list[Path] | None,
        typer.Option(
            "--import-reviewed",
            metavar="FILE",
            help="Store the edited targets of a reviewed .tsv, .xlf, .xlsx or review-page "
            ".corrections.json in the memory, first",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", metavar="FILE", help="TOML settings file")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors")] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version"),
    ] = None,
) -> None:
    """Translate French articles into English, with sentence-aligned files for review.

    For each input it writes the English document (paragraphs kept), a TSV,
    a JSONL, Moses .fr/.en files and a TMX, aligned sentence by sentence.
    A rerun skips inputs whose outputs are up to date.
    """
    from .errors import TranslateError, UsageError

    started = time.perf_counter()
    try:
        settings = load_settings(
            config,
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
            },
        )
        if import_reviewed:
            rejected = _import(import_reviewed, settings, quiet)
            if not paths:
                raise typer.Exit(EXIT_FAILED if rejected else EXIT_OK)
        if not paths:
            raise UsageError("give files or folders to translate, or --import-reviewed FILE")
        if paths == ["-"]:
            _translate_stdin(settings)
            return
        from .progress import make_progress
        from .runner import run_paths

        report = run_paths(
            paths,
            settings,
            force=force,
            combined=combined,
            progress=make_progress(quiet),
            on_outcome=functools.partial(_report_outcome, quiet=quiet),
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


def _translate_stdin(settings: Settings) -> None:
    """``translate -``: the English on stdout, nothing else written.

    Plain text unless ``--input-format`` names a document format; then the
    English document in that format.
    """
    from .runner import translate_document, translate_text

    if settings.input_format not in ("auto", "text"):
        from .readers import parse_document

        data = sys.stdin.buffer.read()
        document = parse_document(data, "<stdin>", settings.input_format)
        sys.stdout.flush()
        sys.stdout.buffer.write(translate_document(document, settings).rendered())
        return
    result = translate_text(sys.stdin.read(), settings)
    paragraphs = result.paragraph_targets()
    if paragraphs:
        sys.stdout.write(result.document.separator.join(paragraphs) + "\n")


def _print_summary(report: RunReport, seconds: float) -> None:
    """The run summary, on stderr so stdout stays clean for piping."""
    c = report.counters
    rate = c.sentences / report.seconds if report.seconds > 0 and c.sentences else 0.0
    lines = [
        f"files: {report.count(Status.TRANSLATED)} translated, "
        f"{report.count(Status.SKIPPED)} skipped (up to date), {len(report.failed)} failed",
        f"sentences: {c.sentences} ({c.unique} unique, {c.memory} from memory, "
        f"{c.engine_inputs} sent to the engine"
        + (f", {c.split} cut to fit the model" if c.split else "")
        + (f", {c.copied} copied unchanged (no text)" if c.copied else "")
        + ")",
        f"time: {seconds:.2f} s ({rate:.1f} sentences/s)",
    ]
    if c.flags:
        lines.append("flags: " + ", ".join(f"{k} {v}" for k, v in sorted(c.flags.items())))
    lines += [f"failed: {o.name}: {o.error}" for o in report.failed]
    typer.echo("\n".join(lines), err=True)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
