"""The ``translate`` command: options → settings → library call → exit code.

Only this module prints or exits. Library errors become one-line messages on
stderr and exit codes here: 0 when every input was translated, 1 when any
input or the model failed, 2 for usage errors (bad option, missing path).
Heavy modules are imported inside the command so ``--help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from . import __version__
from .config import DEFAULT_MODEL, DEVICES, ENGINES, Settings

if TYPE_CHECKING:
    from .pipeline import Outcome, RunReport

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_DEFAULTS = Settings()

app = typer.Typer(add_completion=False, rich_markup_mode=None)


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"translate: error: {message}", err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"translate-cli {__version__}")
        raise typer.Exit()


def _formats(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(v.strip() for v in value.split(",") if v.strip())


@app.command()
def translate(
    paths: Annotated[
        list[str],
        typer.Argument(help="French files or folders to translate; '-' reads standard input."),
    ],
    output_dir: Annotated[
        str | None,
        typer.Option(
            "--output-dir", "-o", help=f"Folder for outputs [default: {_DEFAULTS.output_dir}]"
        ),
    ] = None,
    formats: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help=f"Comma list of outputs [default: {','.join(_DEFAULTS.formats)}]",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help=f"Hub id or local model folder [default: {DEFAULT_MODEL}]"),
    ] = None,
    revision: Annotated[
        str | None, typer.Option(help="Hub revision: branch, tag or commit")
    ] = None,
    engine: Annotated[
        str | None, typer.Option(help=f"{'|'.join(ENGINES)} [default: {_DEFAULTS.engine}]")
    ] = None,
    device: Annotated[
        str | None, typer.Option(help=f"{'|'.join(DEVICES)} [default: {_DEFAULTS.device}]")
    ] = None,
    beams: Annotated[
        int | None, typer.Option(help="Beam size [default: the model's generation config]")
    ] = None,
    batch_tokens: Annotated[
        int | None,
        typer.Option(help=f"Padded source tokens per batch [default: {_DEFAULTS.batch_tokens}]"),
    ] = None,
    threads: Annotated[
        int | None, typer.Option(help="CPU threads, 0 = engine default [default: 0]")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="TOML settings file")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing but errors")
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version"),
    ] = None,
) -> None:
    """Translate French articles into English, with sentence-aligned files for review.

    For each input it writes the English document (paragraphs kept), a TSV,
    a JSONL, Moses .fr/.en files and a TMX, aligned sentence by sentence.
    """
    from .errors import ModelError, TranslateError, UsageError

    try:
        settings = _settings(
            config,
            model=model,
            revision=revision,
            engine=engine,
            device=device,
            beams=beams,
            batch_tokens=batch_tokens,
            threads=threads,
            formats=_formats(formats),
            output_dir=output_dir,
        )
        if paths == ["-"]:
            _translate_stdin(settings)
            return
        report = _translate_paths(paths, settings, quiet)
    except UsageError as exc:
        _fail(str(exc), EXIT_USAGE)
    except (ModelError, TranslateError) as exc:
        _fail(str(exc), EXIT_FAILED)
    except KeyboardInterrupt:
        _fail("interrupted; rerun to finish", 130)
    if not quiet:
        _print_summary(report)
    if report.failed:
        raise typer.Exit(EXIT_FAILED)


def _settings(config: Path | None, **overrides: object) -> Settings:
    from .config import load_settings
    from .writers import get_writer

    settings = load_settings(config, overrides)
    for name in settings.formats:
        get_writer(name)
    return settings


def _translate_stdin(settings: Settings) -> None:
    """``translate -``: English text on stdout, nothing else written."""
    from .engines import load_engine
    from .pipeline import translate_text

    text = sys.stdin.read()
    result = translate_text(text, settings, load_engine(settings))
    paragraphs = result.paragraph_targets()
    if paragraphs:
        sys.stdout.write(result.document.separator.join(paragraphs) + "\n")


def _translate_paths(paths: list[str], settings: Settings, quiet: bool) -> RunReport:
    from .engines import load_engine
    from .inputs import collect_jobs
    from .pipeline import Runner

    jobs = collect_jobs(paths, output_dir=Path(settings.output_dir))
    if not jobs:
        from .errors import UsageError

        raise UsageError(f"no input files found in: {' '.join(paths)}")
    runner = Runner(settings, load_engine(settings))

    def report_failure(outcome: Outcome) -> None:
        if outcome.status == "failed":
            typer.echo(f"translate: error: {outcome.name}: {outcome.error}", err=True)

    return runner.run(jobs, on_outcome=report_failure)


def _print_summary(report: RunReport) -> None:
    """The run summary, on stderr so stdout stays clean for piping."""
    c = report.counters
    done = len(report.outcomes) - len(report.failed)
    rate = c.sentences / report.seconds if report.seconds > 0 else 0.0
    lines = [
        f"files: {done} translated, {len(report.failed)} failed",
        f"sentences: {c.sentences} ({c.unique} unique, {c.engine_inputs} sent to the engine"
        + (f", {c.split} cut to fit the model" if c.split else "")
        + ")",
        f"time: {report.seconds:.2f} s ({rate:.1f} sentences/s)",
    ]
    typer.echo("\n".join(lines), err=True)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
